"""Every combination renders `ruff format`-clean and `ruff check`-clean, with the pinned ruff.

A user who runs `ruff format .` must not rewrite drgen's files: the next `drgen update` would
then conflict with their own formatting. Rendering only (no verification), so it stays fast.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from drgen.answers.rules import build_answers, longest_env_suffix
from drgen.project.render import render_files, template_dir

ROOT = Path(__file__).parents[2]
FOUR = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "example.com", "record_name": "api"}
#: 2-4 regions, route53 off/on, network none/vpc, ci github/none: every file set there is.
COMBINATIONS = list(
    itertools.product((2, 3, 4), (False, True), ("none", "vpc"), ("github", "none"))
)


def write_combination(root: Path, count: int, route53: bool, network: str, ci: str) -> Path:
    """Render one combination at the longest env_suffix it allows (the longest lines)."""
    regions = FOUR[:count]
    raw: dict[str, object] = {
        "regions": list(regions),
        "env_suffix": "s" * longest_env_suffix("demo", regions),
        "route53": route53,
        "network": network,
        "ci": ci,
        "alarm_email": "none",
    }
    if route53:
        raw.update(ZONE)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    project = root / f"{count}-{'route53' if route53 else 'no-route53'}-{network}-{ci}"
    for path, blob in render_files(build_answers("demo", raw)).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_bytes(blob.data)
    return project


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("combinations")
    return [write_combination(root, *combination) for combination in COMBINATIONS]


@pytest.mark.integration
def test_every_combination_is_ruff_format_clean(rendered: list[Path]) -> None:
    # each project's own pyproject.toml configures ruff for its files
    for project in rendered:
        done = ruff("format", "--check", "--diff", cwd=project)
        assert done.returncode == 0, f"{project.name}:\n{done.stdout}{done.stderr}"


@pytest.mark.integration
def test_every_combination_is_ruff_check_clean(rendered: list[Path]) -> None:
    for project in rendered:
        done = ruff("check", cwd=project)
        assert done.returncode == 0, f"{project.name}:\n{done.stdout}{done.stderr}"


def test_the_format_check_can_fail(tmp_path: Path) -> None:
    project = write_combination(tmp_path, 2, False, "none", "none")
    stack = project / "infra" / "stack.py"
    stack.write_text(stack.read_text() + "\n\n\nx = [1,2]\n")
    done = ruff("format", "--check", cwd=project)
    assert done.returncode == 1 and "infra/stack.py" in done.stdout, done.stdout + done.stderr


@pytest.mark.integration
def test_the_hooks_format_every_file_with_the_one_pinned_ruff(rendered: list[Path]) -> None:
    hooks = (template_dir() / "project" / ".pre-commit-config.yaml").read_text()
    assert "exclude: ^(infra" not in hooks, "no drgen file is exempt from ruff format"
    generated = (rendered[0] / "requirements-dev.txt").read_text()
    ours = (ROOT / "pyproject.toml").read_text()
    pins = re.findall(r"^ruff==(\S+)$", generated, re.MULTILINE)
    assert pins == re.findall(r'^    "ruff==([^"]+)",', ours, re.MULTILINE) == [version("ruff")]
