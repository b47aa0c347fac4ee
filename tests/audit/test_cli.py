"""`drgen audit` end to end: exit codes, reports, rule selection, and programs that fail."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest

import drgen.audit.child
from drgen.audit import RULES

FIXTURES = Path(__file__).parents[1] / "fixtures" / "audit"
SCHEMA = FIXTURES / "sarif" / "sarif-2.1.0-rtm.5.json"
ALL_RULES = len(RULES)


def fixture_project(root: Path, name: str, *, main: str | None = None) -> Path:
    """The skeleton project with one rule fixture as its program."""
    project = root / name
    shutil.copytree(FIXTURES / "skeleton", project)
    text = main if main is not None else (FIXTURES / "rules" / f"{name}.py").read_text()
    (project / "__main__.py").write_text(text)
    return project


def bare_project(root: Path, main: str, *, manifest: str = "name: bare\nruntime: python\n") -> Path:
    """A project that imports no AWS at all: quick to run."""
    project = root / "bare"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(manifest)
    (project / "__main__.py").write_text(main)
    return project


def interpreter_hint(python: str = sys.executable) -> str:
    """What a failure that suggests the wrong interpreter adds to the error."""
    version = "{}.{}".format(*sys.version_info[:2])
    return (
        f"; it ran on {python} (Python {version}): point the audit at the project's "
        "interpreter with --python PATH or runtime.options.virtualenv in Pulumi.yaml"
    )


@pytest.mark.integration
def test_a_crashing_program_exits_2_with_its_own_error(invoke, tmp_path: Path) -> None:
    project = bare_project(
        tmp_path, "import pulumi\n\n\nraise RuntimeError('boom in the program')\n"
    )
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: "
        "RuntimeError: boom in the program (__main__.py:4)\n"
    )


def test_a_missing_import_exits_2_naming_the_module(invoke, tmp_path: Path) -> None:
    project = bare_project(tmp_path, "import pulumi\nimport drgen_no_such_module_xyz\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: ModuleNotFoundError: "
        f"No module named 'drgen_no_such_module_xyz' (__main__.py:2){interpreter_hint()}\n"
    )


@pytest.mark.integration
def test_a_looping_program_is_stopped_at_the_time_limit(invoke, tmp_path: Path) -> None:
    project = bare_project(tmp_path, "while True:\n    pass\n")
    result = invoke("audit", str(project), "--timeout", "3")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program did not finish within the time limit of 3 s "
        "(a loop or a hang?)\n"
    )


def test_a_program_that_exits_is_reported_not_obeyed(invoke, tmp_path: Path) -> None:
    project = bare_project(tmp_path, "import sys\n\nsys.exit(3)\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: SystemExit: 3 (__main__.py:3)\n"
    )


@pytest.mark.parametrize(
    ("files", "args", "error"),
    [
        ({}, (), "{p} is not a Pulumi project: no Pulumi.yaml in it"),
        (
            {"Pulumi.yaml": "name: x\nruntime: nodejs\n"},
            (),
            "{p}/Pulumi.yaml: runtime 'nodejs' is not supported; drgen audits python",
        ),
        (
            {"Pulumi.yaml": "name: x\nruntime: [python]\n"},
            (),
            "{p}/Pulumi.yaml: runtime list is not supported; drgen audits python",
        ),
        (
            {"Pulumi.yaml": "name: x\n"},
            (),
            "{p}/Pulumi.yaml: runtime null is not supported; drgen audits python",
        ),
        (
            {"Pulumi.yaml": "name: x\nruntime: python\nmain: src/\n"},
            (),
            "{p}: the program's entry src does not exist",
        ),
        (
            {
                "Pulumi.yaml": "name: x\nruntime: python\n",
                "__main__.py": "",
                "Pulumi.dev.yaml": "config: {}\n",
                "Pulumi.prod.yaml": "config: {}\n",
            },
            (),
            "{p} has several stacks (dev, prod): choose one with --stack",
        ),
        (
            {"Pulumi.yaml": "name: x\nruntime: python\n", "__main__.py": ""},
            ("--stack", "qa"),
            "no stack file Pulumi.qa.yaml in {p} (stacks: none)",
        ),
        (
            {"Pulumi.yaml": "name: x\nruntime: python\n", "__main__.py": ""},
            ("--ignore", "R99"),
            "--ignore: unknown rule 'R99' (rules: " + ", ".join(r.id for r in RULES) + ")",
        ),
        (
            {"Pulumi.yaml": "name: x\nruntime: python\n", "__main__.py": ""},
            ("--fail-on", "fatal"),
            "--fail-on 'fatal': expected one of error, warning, note",
        ),
        (
            {
                "Pulumi.yaml": "name: x\nruntime: python\n",
                "__main__.py": "",
                "pyproject.toml": "[tool.drgen.audit]\nignore = ['R5', 'X1']\n",
            },
            (),
            "pyproject.toml [tool.drgen.audit] ignore: unknown rule 'X1' (rules: "
            + ", ".join(r.id for r in RULES)
            + ")",
        ),
    ],
    ids=[
        "no-manifest",
        "nodejs",
        "runtime-list",
        "no-runtime",
        "missing-main",
        "two-stacks",
        "no-stack",
        "rule",
        "fail-on",
        "toml",
    ],
)
def test_unusable_projects_and_options_exit_2(
    invoke, tmp_path: Path, files: dict[str, str], args: tuple[str, ...], error: str
) -> None:
    project = tmp_path / "p"
    project.mkdir()
    for name, content in files.items():
        (project / name).write_text(content)
    result = invoke("audit", str(project), *args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"drgen: error: {error.format(p=project)}\n"


@pytest.mark.integration
def test_clean_program_exits_0_and_says_what_was_replaced(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r06_good")
    result = invoke("audit", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "note: secure config values replaced by placeholders (the audit cannot decrypt them): "
        "fixture:dbPassword\n"
        f"fixture (stack dev): clean: 5 resources and 0 lookups against {ALL_RULES} rules\n"
    )


@pytest.mark.integration
def test_findings_exit_1_grouped_by_rule_with_place_and_fix(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r05_bad")
    result = invoke("audit", str(project))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[1:] == [
        "R5 error: Public Function URL without both permissions (1)",
        "  __main__.py:36: aws:lambda/functionUrl:FunctionUrl api-url: public URL without the "
        "permission lambda:InvokeFunction with invoked_via_function_url: every request gets 403",
        "  fix: Add lambda.Permission(action='lambda:InvokeFunctionUrl', "
        "function_url_auth_type='NONE', principal='*') and "
        "lambda.Permission(action='lambda:InvokeFunction', invoked_via_function_url=True, "
        "principal='*') on the same function.",
        f"fixture (stack dev): 1 finding (1 error) from 1 rule; checked 7 resources and "
        f"0 lookups against {ALL_RULES} rules",
    ]
    assert result.stderr == "drgen: error: 1 finding at or above error\n"


@pytest.mark.integration
def test_fail_on_decides_whether_a_warning_fails(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r07_bad")
    shutil.rmtree(project / "tests")
    passing = invoke("audit", str(project))
    assert passing.exit_code == 0, passing.output
    assert "R7 warning: No tests under Pulumi mocks (1)" in passing.stdout.splitlines()
    failing = invoke("audit", str(project), "--fail-on", "warning")
    assert failing.exit_code == 1, failing.output
    assert failing.stderr == "drgen: error: 1 finding at or above warning\n"


@pytest.mark.integration
@pytest.mark.parametrize(
    "how", ["--ignore", "--select", "pyproject-ignore", "pyproject-select", "inline"]
)
def test_a_rule_can_be_waived(invoke, tmp_path: Path, how: str) -> None:
    text = (FIXTURES / "rules" / "r05_bad.py").read_text()
    args: tuple[str, ...] = ()
    if how == "inline":
        text = text.replace("# expect: R5", "# drgen: ignore[R8, R5]")
    project = fixture_project(tmp_path, "r05_bad", main=text)
    rules = ALL_RULES - 1
    if how == "--ignore":
        args = ("--ignore", "r5")
    elif how == "--select":
        args, rules = ("--select", "R8,R1"), 2
    elif how == "pyproject-ignore":
        (project / "pyproject.toml").write_text('[tool.drgen.audit]\nignore = ["R5"]\n')
    elif how == "pyproject-select":
        (project / "pyproject.toml").write_text('[tool.drgen.audit]\nselect = ["R6"]\n')
        rules = 1
    else:
        rules = ALL_RULES
    result = invoke("audit", str(project), *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"fixture (stack dev): clean: 7 resources and 0 lookups against {rules} "
        f"rule{'s' if rules > 1 else ''}"
    )


@pytest.mark.integration
def test_json_document_lists_every_finding(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r14_bad")
    result = invoke("audit", str(project), "--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["result"] == "error"
    assert doc["exit_code"] == 1
    assert doc["errors"] == ["2 findings at or above error"]
    audit = doc["audit"]
    assert audit["placeholders"] == ["fixture:dbPassword"]
    assert audit["counts"] == {"error": 2, "warning": 0, "note": 0}
    assert [
        (f["rule"], f["resource_name"], f["file"], f["line"], f["message"])
        for f in audit["findings"]
    ] == [
        ("R14", "items", "__main__.py", 9, "the table has no deletion protection"),
        ("R14", "items", "__main__.py", 9, "the replica in us-west-2 has no deletion protection"),
    ]
    table = next(r for r in audit["record"]["resources"] if r["name"] == "items")
    assert (table["type"], table["provider"], table["region"], table["file"], table["line"]) == (
        "aws:dynamodb/table:Table",
        "east",
        "us-east-1",
        "__main__.py",
        9,
    )
    assert table["inputs"]["replicas"] == [{"pointInTimeRecovery": True, "regionName": "us-west-2"}]
    assert table["dependencies"] == []
    assert table["protect"] is False
    assert audit["record"]["lookups"] == []


@pytest.mark.integration
def test_sarif_is_valid_and_points_at_the_lines(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r09_bad")
    out = tmp_path / "audit.sarif"
    result = invoke("audit", str(project), "--sarif", str(out))
    assert result.exit_code == 1, result.output
    log = json.loads(out.read_text())
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in RULES]
    assert [r["helpUri"] for r in run["tool"]["driver"]["rules"]] == [r.url for r in RULES]
    assert run["originalUriBaseIds"] == {"PROJECTROOT": {"uri": project.as_uri() + "/"}}
    assert [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run["results"]
    ] == [
        ("R9", "error", {"uri": "__main__.py", "uriBaseId": "PROJECTROOT"}, {"startLine": 15}),
    ]
    assert run["results"][0]["message"]["text"].startswith(
        "no route through it in us-west-2: traffic does not cross. Fix: "
    )


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The schema check can fail: a result without a message is not SARIF."""
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))
    broken = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "R1"}]}],
    }
    assert not validator.is_valid(broken)


@pytest.mark.integration
def test_main_and_virtualenv_of_pulumi_yaml_are_honoured(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r08_good")
    (project / "src").mkdir()
    (project / "__main__.py").rename(project / "src" / "__main__.py")
    (project / "Pulumi.yaml").write_text(
        "name: fixture\nruntime:\n  name: python\n  options:\n    virtualenv: venv\nmain: src/\n"
    )
    marker = tmp_path / "venv-python-used"
    python = project / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    # The virtualenv is not the program's: tests there do not count for R7.
    shutil.rmtree(project / "tests")
    (project / "venv" / "tests").mkdir()
    (project / "venv" / "tests" / "test_x.py").write_text("pulumi.runtime.set_mocks\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 0, result.output
    assert marker.exists()
    assert result.stdout.splitlines()[-3:] == [
        "  src/__main__.py:1: program: no test runs the program under pulumi.runtime.set_mocks",
        "  fix: Add tests that run the program under pulumi.runtime.set_mocks and assert on the "
        "resources' inputs.",
        "fixture (stack dev): 1 finding (1 warning) from 1 rule; checked 4 resources and "
        f"0 lookups against {ALL_RULES} rules",
    ]


#: The child's own modules (it runs as a directory, which heads sys.path), and drgen's.
CHILD_MODULES = sorted(
    p.stem for p in Path(drgen.audit.child.__file__).parent.glob("*.py") if p.stem[0] != "_"
)


@pytest.mark.parametrize("module", [*CHILD_MODULES, "rules"])
def test_drgen_modules_do_not_stand_in_for_the_program_s_own(
    invoke, tmp_path: Path, module: str
) -> None:
    """The child runs from drgen/audit/child/: a program importing `job` must not get it."""
    project = bare_project(tmp_path, f"import {module}\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: "
        f"ModuleNotFoundError: No module named '{module}' (__main__.py:1){interpreter_hint()}\n"
    )


COMPONENT_PROGRAM = """import pulumi
import pulumi_aws as aws


class Site(pulumi.ComponentResource):
    def __init__(self, name, provider):
        super().__init__("acme:web:Site", name, None, None)
        opts = pulumi.ResourceOptions(parent=self, provider=provider, protect=True)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=opts)


east = aws.Provider("east", region="us-east-1")
west = aws.Provider("west", region="us-west-2")
Site("a", east)
Site("b", west)
other = pulumi.StackReference("org/other/prod")
existing = aws.s3.Bucket.get("existing", "some-bucket", opts=pulumi.ResourceOptions(provider=east))
pulumi.export("other", other.get_output("x"))
pulumi.export("existing", existing.arn)
"""


@pytest.mark.integration
def test_components_stack_references_and_reads_are_recorded(invoke, tmp_path: Path) -> None:
    project = bare_project(tmp_path, COMPONENT_PROGRAM)
    result = invoke("audit", str(project), "--select", "R10", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)["audit"]["record"]
    assert record["exports"] == {"other": None, "existing": "arn:aws:s3:::some-bucket"}
    buckets = sorted(
        (r["name"], r["region"], r["protect"], r["parent"].rsplit("::", 1)[-1], r["line"])
        for r in record["resources"]
        if r["type"] == "aws:s3/bucket:Bucket"
    )
    assert buckets == [
        ("a-bucket", "us-east-1", True, "a", 9),
        ("b-bucket", "us-west-2", True, "b", 9),
    ]


@pytest.mark.integration
def test_sarif_paths_can_be_relative_to_the_repository(invoke, tmp_path: Path) -> None:
    project = fixture_project(tmp_path, "r12_bad")
    out = tmp_path / "audit.sarif"
    result = invoke("audit", str(project), "--sarif", str(out), "--sarif-root", str(tmp_path))
    assert result.exit_code == 1, result.output
    run = json.loads(out.read_text())["runs"][0]
    assert run["originalUriBaseIds"] == {"PROJECTROOT": {"uri": tmp_path.as_uri() + "/"}}
    assert [r["locations"][0]["physicalLocation"] for r in run["results"]] == [
        {
            "artifactLocation": {"uri": "r12_bad/__main__.py", "uriBaseId": "PROJECTROOT"},
            "region": {"startLine": 10},
        }
    ]
    elsewhere = invoke(
        "audit", str(project), "--sarif", str(out), "--sarif-root", str(project / "tests")
    )
    assert elsewhere.exit_code == 1, elsewhere.output
    location = json.loads(out.read_text())["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": (project / "__main__.py").as_uri()
    }


def test_the_chosen_stack_s_config_reaches_the_program(invoke, tmp_path: Path) -> None:
    program = (
        "import pulumi\n\n"
        "config = pulumi.Config()\n"
        "pulumi.export('stack', pulumi.get_stack())\n"
        "pulumi.export('size', config.require_int('size'))\n"
        "pulumi.export('regions', config.require_object('regions'))\n"
        "pulumi.export('zone', pulumi.Config('aws').get('region'))\n"
        "pulumi.export('token_length', config.require_secret('token').apply(len))\n"
    )
    project = bare_project(tmp_path, program)
    (project / "Pulumi.dev.yaml").write_text("config:\n  bare:size: 1\n")
    (project / "Pulumi.prod.yaml").write_text(
        "config:\n"
        "  size: 3\n"  # no namespace: the project's
        "  bare:regions: [eu-west-1, eu-central-1]\n"
        "  aws:region: eu-west-1\n"
        "  bare:token:\n"
        "    secure: v1:abc:def\n"
    )
    result = invoke("audit", str(project), "--stack", "prod", "--json", "--select", "R3")
    assert result.exit_code == 0, result.output
    audit = json.loads(result.stdout)["audit"]
    assert (audit["stack"], audit["placeholders"]) == ("prod", ["bare:token"])
    assert audit["record"]["exports"] == {
        "stack": "prod",
        "size": 3,
        "regions": ["eu-west-1", "eu-central-1"],
        "zone": "eu-west-1",
        "token_length": len("drgen-audit-placeholder"),
    }


ACCEPTED_MAIN = "accepted: a path inside the project directory, relative to Pulumi.yaml"


@pytest.mark.parametrize(
    ("main", "links", "refusal"),
    [
        ("../outside.py", {}, "main '../outside.py' leads outside the project"),
        ("src/../../outside.py", {}, "main 'src/../../outside.py' leads outside the project"),
        ("{outside}", {}, "main '{outside}' is an absolute path"),
        ("link.py", {"link.py": "{outside}"}, "main 'link.py' leads outside the project (link.py "
         "resolves, through a symbolic link, to {outside})"),
        ("src", {"src/__main__.py": "{outside}"}, "main 'src' leads outside the project "
         "(src/__main__.py resolves, through a symbolic link, to {outside})"),
        ("src", {"src": "{outside_dir}"}, "main 'src' leads outside the project (src resolves, "
         "through a symbolic link, to {outside_dir})"),
    ],
    ids=["dot-dot", "dot-dot-inside", "absolute", "file-link", "entry-link", "directory-link"],
)  # fmt: skip
def test_a_main_outside_the_project_is_refused_before_anything_runs(
    invoke, tmp_path: Path, main: str, links: dict[str, str], refusal: str
) -> None:
    """Pulumi reads `main:` relative to Pulumi.yaml: a file elsewhere is not the project's."""
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    marker = tmp_path / "ran"
    outside = outside_dir / "outside.py"
    outside.write_text(f"open({str(marker)!r}, 'w').close()\n")
    (outside_dir / "__main__.py").write_text(outside.read_text())
    (tmp_path / "outside.py").write_text(outside.read_text())
    names = {"outside": str(outside), "outside_dir": str(outside_dir)}
    if main == "src/../../outside.py":
        names["outside"] = str(tmp_path / "outside.py")
    project = tmp_path / "p"
    project.mkdir()
    if "src" not in links:
        (project / "src").mkdir()
    for link, target in links.items():
        (project / link).symlink_to(target.format(**names))
    (project / "Pulumi.yaml").write_text(
        f"name: p\nruntime: python\nmain: {main.format(**names)}\n"
    )
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}/Pulumi.yaml: {refusal.format(**names)}; {ACCEPTED_MAIN}\n"
    )
    assert not marker.exists()


@pytest.mark.parametrize(
    ("main", "kind"),
    [("[a, b]", "list"), ("{a: 1}", "mapping"), ("7", "integer"), ("true", "boolean")],
)
def test_a_main_that_is_not_a_string_is_refused_by_its_yaml_type(
    invoke, tmp_path: Path, main: str, kind: str
) -> None:  # type: ignore[no-untyped-def]
    project = bare_project(tmp_path, "import pulumi\n")
    (project / "Pulumi.yaml").write_text(f"name: bare\nruntime: python\nmain: {main}\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}/Pulumi.yaml: main: expected a path (a string), got {kind}; "
        f"{ACCEPTED_MAIN}\n"
    )


def test_a_main_inside_the_project_through_a_link_runs(invoke, tmp_path: Path) -> None:
    project = bare_project(tmp_path, "import pulumi\npulumi.export('x', 1)\n")
    (project / "current").symlink_to(project)
    (project / "Pulumi.yaml").write_text("name: bare\nruntime: python\nmain: current/\n")
    result = invoke("audit", str(project), "--ignore", "R7")
    assert result.exit_code == 0, result.output
