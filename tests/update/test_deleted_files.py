"""Files you deleted or moved: they stay so, `--pretend` shows the change they miss, and
`--restore` brings back exactly the template's file, nothing else.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from drgen import __version__ as CURRENT
from drgen.errors import EXIT_USAGE
from tests.update.files import edit, snapshot
from tests.update.repository import commit
from tests.update.template_versions import NEXT, RETENTION_V1, RETENTION_V2, derive_template

pytestmark = pytest.mark.integration


def test_restore_refuses_an_existing_file_and_keeps_it(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    edit(project / "README.md", "# demo\n", "# demo\n\nOurs.\n")
    commit(project)
    before = snapshot(project)
    result = invoke("update", str(project), "--restore", "README.md", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: --restore 'README.md': the file exists and --restore only brings back "
        "missing files; to get the template's version without losing yours, see it with "
        "--pretend, or move yours away (mv README.md README.md.mine) and restore again\n"
    )
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("notes.txt", "--restore 'notes.txt': the template does not generate that file"),
        ("../victim.txt", "--restore '../victim.txt': the path leaves the project ('..')"),
    ],
)
def test_restore_of_a_file_the_template_does_not_generate_is_refused(
    invoke, project: Path, path: str, error: str
) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(project.parent)
    result = invoke("update", str(project), "--restore", path, "--no-verify")
    assert (result.exit_code, result.stderr) == (EXIT_USAGE, f"drgen: error: {error}\n")
    assert snapshot(project.parent) == before


def test_restore_brings_back_exactly_the_templates_file(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    original = (project / "infra" / "extensions.py").read_bytes()
    (project / "infra" / "extensions.py").unlink()
    commit(project)
    result = invoke("update", str(project), "--restore", "infra/extensions.py", "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "  restore          infra/extensions.py: restored from the template (--restore)"
    )
    assert (project / "infra" / "extensions.py").read_bytes() == original


@pytest.mark.usefixtures("v2")
def test_a_moved_file_gets_the_missing_template_change_as_a_patch(
    invoke, project: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    base = (project / "infra" / "compute.py").read_bytes()
    (project / "infra" / "compute.py").rename(project / "infra" / "lambdas.py")
    commit(project)
    result = invoke("update", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    assert "  kept-deleted     infra/compute.py: you deleted or moved it" in result.stdout
    assert "(template change: +1 -1 lines)" in result.stdout
    patch = result.stdout[result.stdout.index("# infra/compute.py:") :]
    patch = patch[: patch.index("--- a/requirements-dev.txt")]  # the pin moves too
    elsewhere = tmp_path / "apply"
    (elsewhere / "infra").mkdir(parents=True)
    (elsewhere / "infra" / "compute.py").write_bytes(base)
    subprocess.run(["git", "apply", "-"], input=patch.encode(), cwd=elsewhere, check=True)
    assert (elsewhere / "infra" / "compute.py").read_bytes() == base.replace(
        RETENTION_V1.encode(), RETENTION_V2.encode()
    )


def test_pretend_shows_the_change_a_deleted_file_misses(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (project / "README.md").unlink()
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    result = invoke("update", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    start = result.stdout.index("# README.md")
    patch = result.stdout[start : result.stdout.index("\n+++", start)]
    assert patch == (
        "# README.md: the template's change you do not get (kept-deleted)\n--- a/README.md"
    )


def test_a_file_you_and_the_template_both_removed_is_not_mentioned(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (project / "requirements-dev.txt").unlink()
    commit(project)
    template = derive_template(tmp_path, NEXT, monkeypatch)
    (template / "project" / "requirements-dev.txt.jinja").unlink()
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "  update           README.md: updated from the template",
        "  update           infra/compute.py: updated from the template",
        f"Updated {project} from drgen {CURRENT} to drgen {NEXT}",
    ]
    assert not (project / "requirements-dev.txt").exists()
    record = json.loads((project / ".drgen" / "base.json").read_text())
    assert "requirements-dev.txt" not in record["files"]
