"""`drgen audit` runs programs as Pulumi runs them: typed outputs, `main:`, project config.

Each construct has a fixture pair under tests/fixtures/audit/projects/: NAME_bad is flagged
on the lines marked `# expect: RNN` (in any of its files) or refused on the line marked
`# expect-refused`; NAME_good runs clean. `site/` holds a stand-in for pulumi_awsx (not
installed here), put on the child's PYTHONPATH as an installed package would be.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from drgen.audit import AuditError, AuditResult, audit_many
from drgen.audit.program import load_program

FIXTURES = Path(__file__).parents[1] / "fixtures" / "audit"
PROJECTS = FIXTURES / "projects"
SITE = FIXTURES / "site"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())
EXPECT = re.compile(r"#\s*expect:\s*(R\d+)")
REFUSED = re.compile(r"#\s*expect-refused")
VERSION = "{}.{}".format(*sys.version_info[:2])


def marks(name: str, pattern: re.Pattern[str]) -> list[tuple[str, str, int]]:
    """(rule or "refused", file, line) of every marker in a fixture project's files."""
    found = []
    for path in sorted((PROJECTS / name).rglob("*")):
        if path.suffix not in (".py", ".yaml"):
            continue
        for number, text in enumerate(path.read_text().splitlines(), 1):
            if match := pattern.search(text):
                rule = match.group(1) if match.groups() else "refused"
                found.append((rule, path.relative_to(PROJECTS / name).as_posix(), number))
    return found


def copy_project(root: Path, name: str) -> Path:
    """The fixture project, with the skeleton's test file (R7) added."""
    project = root / name
    shutil.copytree(PROJECTS / name, project)
    shutil.copytree(FIXTURES / "skeleton" / "tests", project / "tests")
    return project


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult | AuditError]:
    """Every fixture project audited in one child process."""
    root = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(SITE))
        programs = [load_program(copy_project(root, name)) for name in NAMES]
        results = audit_many(programs)
    return dict(zip(NAMES, results, strict=True))


def test_every_construct_has_a_broken_and_a_kept_fixture() -> None:
    constructs = {name.rsplit("_", 1)[0] for name in NAMES}
    assert constructs == {"async_error", "awsx", "dict_policy", "main", "project_config"}
    assert sorted(NAMES) == sorted(f"{c}_{kind}" for c in constructs for kind in ("bad", "good"))
    for name in NAMES:
        found = marks(name, EXPECT) + marks(name, REFUSED)
        assert bool(found) == name.endswith("_bad"), name


@pytest.mark.integration
@pytest.mark.parametrize("name", [n for n in NAMES if n.endswith("_good")])
def test_kept_fixture_runs_clean(audited: dict[str, AuditResult | AuditError], name: str) -> None:
    result = audited[name]
    assert isinstance(result, AuditResult), str(result)
    assert [f"{f.rule} {f.file}:{f.line} {f.message}" for f in result.findings] == []


@pytest.mark.parametrize("name", [n for n in NAMES if marks(n, EXPECT)])
def test_broken_fixture_is_flagged_on_the_marked_line(
    audited: dict[str, AuditResult | AuditError], name: str
) -> None:
    result = audited[name]
    assert isinstance(result, AuditResult), str(result)
    found = sorted({(f.rule, f.file, f.line) for f in result.findings})
    assert found == marks(name, EXPECT), [f"{f.rule} {f.file}:{f.line}" for f in result.findings]


def refusal(audited: dict[str, AuditResult | AuditError], name: str) -> str:
    """The one-line error of a refused fixture, after checking it names the marked line."""
    result = audited[name]
    assert isinstance(result, AuditError), name
    (_, file, line), *more = marks(name, REFUSED)
    assert more == []
    text = str(result)
    assert "\n" not in text
    assert f"({file}:{line})" in text, text
    prefix = f"{PROJECTS.parent.parent.parent}/"  # never the fixture's own path: a copy
    assert prefix not in text
    return text.split(": ", 1)[1]


def test_a_dict_policy_is_recorded_as_the_json_text_a_deploy_sends(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    """The SDK declares `assume_role_policy` and `policy` as strings: a dict crashed the run."""
    result = audited["dict_policy_good"]
    assert isinstance(result, AuditResult)
    role = next(r for r in result.record.resources if r["name"] == "reader")
    assert role["inputs"]["assumeRolePolicy"] == (
        '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}'
    )
    policy = next(r for r in result.record.resources if r["name"] == "data-tls-only")
    document = json.loads(policy["inputs"]["policy"])
    bucket_arn = next(r for r in result.record.resources if r["name"] == "data")["outputs"]["arn"]
    assert document["Statement"][0]["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert result.record.exports == {"role": role["outputs"]["arn"]}


def test_an_awsx_vpc_reports_its_ids_with_the_declared_types(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    """The input `natGateways` (an object) is not echoed as the output (a list of resources)."""
    result = audited["awsx_good"]
    assert isinstance(result, AuditResult)
    vpc = next(r for r in result.record.resources if r["type"] == "awsx:ec2:Vpc")
    assert vpc["inputs"]["natGateways"] == {"strategy": "Single"}
    ids = vpc["outputs"]
    assert ids["vpcId"].startswith("vpc-")
    assert len(ids["publicSubnetIds"]) == len(ids["privateSubnetIds"]) == 2
    assert ids["isolatedSubnetIds"] == []
    group = next(r for r in result.record.resources if r["name"] == "web")
    assert group["inputs"]["vpcId"] == ids["vpcId"]
    default = next(r for r in result.record.resources if r["type"] == "awsx:ec2:DefaultVpc")
    assert default["region"] is None  # a component: its children would carry the region
    assert default["outputs"]["privateSubnetIds"] == []
    assert [s.rsplit("-", 1)[0] for s in default["outputs"]["publicSubnetIds"]] == ["subnet"] * 3
    assert result.record.exports == {
        "vpc_id": ids["vpcId"],
        "first_private_subnet": ids["privateSubnetIds"][0],
        "public_subnets": ids["publicSubnetIds"],
        "standby_subnets": default["outputs"]["publicSubnetIds"],
    }


def test_an_unmodelled_component_is_refused_by_its_type_token(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    assert refusal(audited, "awsx_bad") == (
        "cannot audit: awsx:lb:ApplicationLoadBalancer (__main__.py:9) is a multi-language "
        "component: its provider plugin builds its resources, which the audit cannot run "
        "offline (it models awsx:ec2:Vpc, awsx:ec2:DefaultVpc); declare those resources with "
        "pulumi_aws, or audit "
        "the program without the component"
    )


def test_a_directory_main_runs_in_its_directory(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    """Its sibling module imports, its relative file reads, its lines name infra/ files."""
    result = audited["main_good"]
    assert isinstance(result, AuditResult)
    places = {r["name"]: (r["file"], r["line"]) for r in result.record.resources}
    assert places["east"] == ("infra/network.py", 7)
    assert places["data"] == ("infra/__main__.py", 10)
    policy = next(r for r in result.record.resources if r["name"] == "data-tls-only")
    assert json.loads(policy["inputs"]["policy"])["Statement"][0]["Effect"] == "Deny"


def test_a_file_main_cannot_import_its_siblings_as_under_pulumi(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    assert refusal(audited, "main_bad") == (
        "the program failed: ModuleNotFoundError: No module named 'network' "
        "(infra/app.py:5); network is next to app.py, but Pulumi does not put a file main's "
        "directory on sys.path (pulumi/pulumi#7360): use main: infra/ with a __main__.py there"
    )


def test_project_config_gives_defaults_the_stack_file_overrides(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    """Pulumi.yaml's `config:` (plain, `value:`, typed `default:`), stacks/ as stackConfigDir."""
    result = audited["project_config_good"]
    assert isinstance(result, AuditResult)
    program = result.program
    assert program.stack_file == program.root / "stacks" / "Pulumi.dev.yaml"
    assert program.config == {
        "aws:region": "eu-west-1",
        "fixture:secondaryRegion": "eu-central-1",
        "fixture:replicaCount": "3",
        "fixture:retentionDays": "7",
        "fixture:dbPassword": "drgen-audit-placeholder",
    }
    assert program.default_region == "eu-west-1"
    regions = {r["name"]: r["region"] for r in result.record.resources}
    assert (regions["db"], regions["standby"]) == ("eu-west-1", "eu-central-1")
    secret = next(r for r in result.record.resources if r["name"] == "db")
    assert secret["inputs"]["recoveryWindowInDays"] == 7
    assert result.record.exports == {"replicas": 3}


def key_ordered(value: object) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value, key=str) and all(map(key_ordered, value.values()))
    if isinstance(value, list):
        return all(map(key_ordered, value))
    return True


def test_every_record_is_in_one_order_whatever_order_pulumi_registered_in(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    """Pulumi registers resources as their inputs resolve, differently from run to run: the
    record is sorted (resources by URN, every mapping by key), so findings never move."""
    records = [r.record for r in audited.values() if isinstance(r, AuditResult)]
    for record in records:
        urns = [resource["urn"] for resource in record.resources]
        assert urns == sorted(urns)
        assert all(key_ordered(resource) for resource in record.resources)
        assert all(key_ordered(lookup) for lookup in record.invokes)
    declared = [
        [(r["file"] or "", r["line"] or 0) for r in record.resources if r["line"]]
        for record in records
    ]
    assert any(lines != sorted(lines) for lines in declared), "no program declares out of order"


def test_an_asynchronous_sdk_failure_names_its_resource_and_line(
    audited: dict[str, AuditResult | AuditError],
) -> None:
    """The SDK fails while serializing, long after the line; the error still names it."""
    assert refusal(audited, "async_error_bad") == (
        "the program failed: ValueError: unexpected input of type object for owner in Topic, "
        "at tags of aws:sns/topic:Topic data (__main__.py:9)"
    )


@pytest.mark.integration
def test_json_keeps_stdout_to_the_document_and_stderr_short(invoke, tmp_path: Path) -> None:
    project = copy_project(tmp_path, "project_config_bad")
    result = invoke("audit", str(project), "--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert [(f["rule"], f["file"], f["line"]) for f in doc["audit"]["findings"]] == [
        ("R6", "Pulumi.yaml", 14),
        ("R6", "stacks/Pulumi.dev.yaml", 3),
    ]
    # the summary, then the error line (issue 24: error lines go to stderr with --json too)
    assert result.stderr == (
        doc["audit"]["summary"] + "\ndrgen: error: 2 findings at or above error\n"
    )


@pytest.mark.integration
def test_a_missing_virtualenv_is_said_not_hidden(invoke, tmp_path: Path) -> None:
    project = copy_project(tmp_path, "dict_policy_good")
    (project / "Pulumi.yaml").write_text(
        "name: fixture\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    result = invoke("audit", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"note: Pulumi.yaml declares the virtualenv venv, but {project}/venv/bin/python does "
        f"not exist: ran with drgen's own Python {VERSION} (create the virtualenv, or pass "
        "--python)"
    )


@pytest.mark.integration
def test_python_chooses_the_interpreter(invoke, tmp_path: Path) -> None:
    project = copy_project(tmp_path, "dict_policy_good")
    marker = tmp_path / "chosen-python-used"
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    result = invoke("audit", str(project), "--python", str(python))
    assert result.exit_code == 0, result.output
    assert marker.exists()
    missing = invoke("audit", str(project), "--python", str(tmp_path / "nope"))
    assert missing.exit_code == 2, missing.output
    assert missing.stderr == (
        f"drgen: error: --python {tmp_path / 'nope'}: no such interpreter (expected an "
        "executable)\n"
    )


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs a Python without PEP 695")
def test_syntax_newer_than_the_interpreter_says_how_to_choose_another(
    invoke, tmp_path: Path
) -> None:
    project = tmp_path / "new"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: new\nruntime: python\n")
    (project / "__main__.py").write_text("import pulumi\n\ntype Regions = list[str]\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: SyntaxError: invalid syntax "
        f"(__main__.py:3); it ran on {sys.executable} (Python {VERSION}): point the audit at "
        "the project's interpreter with --python PATH or runtime.options.virtualenv in "
        "Pulumi.yaml\n"
    )


@pytest.mark.integration
def test_a_resource_output_of_a_modelled_component_is_explained(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """awsx's `vpc` output is a resource the audit cannot build: reading it says so."""
    monkeypatch.setenv("PYTHONPATH", str(SITE))
    project = tmp_path / "reads-vpc"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: reads-vpc\nruntime: python\n")
    (project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\nimport pulumi_awsx as awsx\n\n"
        "east = aws.Provider('east', region='us-east-1')\n"
        "vpc = awsx.ec2.Vpc('net', opts=pulumi.ResourceOptions(providers=[east]))\n"
        "pulumi.export('cidr', vpc.vpc.cidr_block)\n"
    )
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: AttributeError: 'NoneType' object has "
        "no attribute 'cidr_block'; the audit models only the id outputs of awsx:ec2:Vpc "
        "(vpcId, publicSubnetIds, privateSubnetIds, isolatedSubnetIds): its resource outputs "
        "(vpc, subnets, natGateways, ...) read as None\n"
    )


@pytest.mark.integration
def test_a_project_that_requires_a_newer_python_says_so(invoke, tmp_path: Path) -> None:
    """Whatever the failure, an interpreter below `requires-python` is named as the cause."""
    project = tmp_path / "newer"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: newer\nruntime: python\n")
    (project / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = ">=3.99"\n')
    (project / "__main__.py").write_text("import itertools\n\nitertools.batched_by_99([], 2)\n")
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"drgen: error: {project}: the program failed: AttributeError: module 'itertools' has "
        "no attribute 'batched_by_99' (__main__.py:3); the project requires Python >=3.99 "
        f"(pyproject.toml), but it ran on {sys.executable} (Python {VERSION}): point the audit "
        "at the project's interpreter with --python PATH or runtime.options.virtualenv in "
        "Pulumi.yaml\n"
    )
    (project / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = "=>3"\n')
    invalid = invoke("audit", str(project))
    assert invalid.exit_code == 2, invalid.output
    assert invalid.stderr.endswith("'batched_by_99' (__main__.py:3)\n")
