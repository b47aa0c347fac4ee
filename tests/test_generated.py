"""Bake projects and run their own suites: the proof that what drgen generates holds.

Marked slow: each project runs its full pytest suite (seconds). CI runs them all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drgen.answers import build_answers, longest_env_suffix
from drgen.render import generate
from drgen.verify import verify_project

pytestmark = pytest.mark.slow


def bake(tmp_path: Path, regions: list[str], suffix: str = "dev", name: str = "demo") -> Path:
    answers = build_answers(name, {"regions": regions, "env_suffix": suffix})
    return generate(answers, tmp_path / name)


def test_drgen_new_defaults_verifies_at_full_coverage(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults")
    assert result.exit_code == 0, result.output
    assert re.search(r"Verified: \d+ passed, 0 failed; coverage 100\.0%", result.stdout), (
        result.stdout
    )
    project = tmp_path / "demo"
    # the project stays clean: reports and caches went elsewhere
    assert not list(project.rglob(".coverage*")) and not list(project.rglob("__pycache__"))
    # and its suite passes by itself, as a user would run it
    alone = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert alone.returncode == 0, alone.stdout + alone.stderr


@pytest.mark.parametrize(
    "regions",
    [
        ["us-east-1", "us-west-2", "eu-west-1"],
        ["ap-southeast-1", "ap-northeast-3"],
    ],
)
def test_more_regions_and_the_longest_suffix_verify(tmp_path: Path, regions: list[str]) -> None:
    suffix = "s" * longest_env_suffix("demo", tuple(regions))
    project = bake(tmp_path, regions, suffix)
    result = verify_project(project)
    assert result.ok, result.output[-3000:]


def test_generated_code_passes_ruff(tmp_path: Path) -> None:
    project = bake(tmp_path, ["us-east-1", "us-west-2"])
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


#: Each pitfall fix, removed from a baked project: its own suite must then fail.
#: (file, text of the fix, text without it, the pitfall).
MUTATIONS = [
    ("infra/providers.py", "region=region,", "", "10: provider without its region"),
    (
        "infra/storage.py",
        "opts = pulumi.ResourceOptions(provider=provider)\n    bucket",
        "opts = pulumi.ResourceOptions()\n    bucket",
        "10: regional resource on the default provider",
    ),
    (
        "infra/storage.py",
        "*(dest.versioning for dest in destinations),",
        "",
        "4: replication before destination versioning",
    ),
    (
        "infra/storage.py",
        "                source.versioning,\n",
        "",
        "4: replication before source versioning",
    ),
    (
        "infra/compute.py",
        "        invoked_via_function_url=True,\n",
        "",
        "5: URL invoke permission",
    ),
    ("infra/compute.py", 'function_url_auth_type="NONE",', "", "5: URL auth type"),
    (
        "infra/compute.py",
        "table_arn = inputs.table.arn.apply(lambda arn: arn_in_region(arn, region))",
        'table_arn = f"{inputs.table.arn}"',
        "3: Output pasted into a string",
    ),
    (
        "infra/secret.py",
        "secret_string=value,",
        'secret_string="hunter2-hunter2",',
        "6: secret literal in code",
    ),
    (
        "infra/config.py",
        'return "-".join((self.project, *parts, self.env_suffix))',
        'return "-".join((self.project, *parts))',
        "8: names without the suffix",
    ),
    (
        "infra/storage.py",
        "restrict_public_buckets=True",
        "restrict_public_buckets=False",
        "S3 public access",
    ),
    (
        "infra/database.py",
        'stream_view_type="NEW_AND_OLD_IMAGES",',
        'stream_view_type="KEYS_ONLY",',
        "global table streams",
    ),
    (
        "app/handler.py",
        "    if not isinstance(data, dict):\n",
        "    if False:\n",
        "7: untested branch",
    ),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("pristine"), ["us-east-1", "us-west-2"])


@pytest.mark.parametrize(
    ("path", "fix", "broken", "pitfall"), MUTATIONS, ids=[m[3] for m in MUTATIONS]
)
def test_removing_a_fix_fails_the_generated_suite(
    pristine: Path, tmp_path: Path, path: str, fix: str, broken: str, pitfall: str
) -> None:
    project = tmp_path / "mutant"
    shutil.copytree(pristine, project)
    source = project / path
    text = source.read_text()
    assert text.count(fix) == 1, f"the fix for {pitfall} is no longer in {path}"
    source.write_text(text.replace(fix, broken))
    result = verify_project(project)
    assert not result.ok, f"removing the fix for {pitfall} went unnoticed"


def test_the_wheel_ships_the_template(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    import zipfile

    (wheel,) = tmp_path.glob("drgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "drgen/templates/copier.yml",
        "drgen/templates/project/infra/stack.py",
        "drgen/templates/project/Pulumi.{{ env_suffix }}.yaml.jinja",
    }
    assert expected <= names, sorted(n for n in names if "templates" in n)
