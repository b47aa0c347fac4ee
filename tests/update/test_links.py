"""Symbolic and hard links in a project: drgen never reads or writes through one, and never
outside the project.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drgen.errors import EXIT_USAGE
from tests.update.files import snapshot, write_base
from tests.update.repository import commit
from tests.update.template_versions import NEXT, README_V2, derive_template

pytestmark = pytest.mark.integration


def test_a_symlink_leading_outside_is_never_read_nor_written(
    invoke, project: Path, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (project / "README.md").unlink()
    (project / "README.md").symlink_to(outside)
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    before = snapshot(tmp_path)
    for args in ([], ["--pretend"]):
        result = invoke("update", str(project), "--no-verify", *args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert result.stderr == (
            f"drgen: error: 'README.md' in {str(project)!r} leads outside the project through "
            "a symbolic link; drgen neither reads nor writes through it: replace the link with "
            "a file\n"
        )
        assert "not drgen's" not in result.stdout
    assert snapshot(tmp_path) == before


def test_a_symlinked_directory_leading_outside_is_refused(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "infra", elsewhere)
    (project / "infra").symlink_to(elsewhere, target_is_directory=True)
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    before = snapshot(tmp_path)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith("drgen: error: 'infra/__init__.py' in ")
    assert snapshot(tmp_path) == before


def test_a_symlink_inside_the_project_is_not_written_through(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (project / "docs").mkdir()
    shutil.move(project / "README.md", project / "docs" / "README.md")
    (project / "README.md").symlink_to("docs/README.md")
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        "drgen: error: cannot write 'README.md': 'README.md' is a symbolic link; drgen does not "
        "write through links; move it away and run again\n"
    )
    assert snapshot(project) == before


def test_a_hard_link_to_a_file_outside_is_replaced_not_written_through(
    invoke, project: Path, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    readme = project / "README.md"
    outside.write_bytes(readme.read_bytes())
    readme.unlink()
    os.link(outside, readme)
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    before = outside.read_bytes()
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert outside.read_bytes() == before
    assert readme.read_bytes() == before + README_V2.encode()


def test_a_symlinked_directory_inside_the_project_is_not_written_through(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    shutil.move(project / "infra", project / "src")
    (project / "infra").symlink_to("src", target_is_directory=True)
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        "drgen: error: cannot write 'infra/compute.py': 'infra' is a symbolic link; move it "
        "away and run again\n"
    )
    assert snapshot(project) == before


def test_update_through_a_symlinked_project_directory_writes_the_real_project(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    link = tmp_path / "link-to-demo"
    link.symlink_to(project, target_is_directory=True)
    derive_template(tmp_path, NEXT, monkeypatch)
    result = invoke("update", str(link), "--no-verify")
    assert result.exit_code == 0, result.output
    assert (project / "README.md").read_text().endswith(README_V2)
    assert link.is_symlink()


def test_check_refuses_a_symlink_leading_outside_before_reading_it(
    invoke, project: Path, outside: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # `--check` looks for conflict markers in every file: never in one outside the project
    outside.write_bytes(b"<<<<<<< yours\n")
    (project / "README.md").unlink()
    (project / "README.md").symlink_to(outside)
    commit(project)
    before = snapshot(tmp_path)
    result = invoke("update", str(project), "--check")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        f"drgen: error: 'README.md' in {str(project)!r} leads outside the project through "
        "a symbolic link; drgen neither reads nor writes through it: replace the link with "
        "a file\n"
    )
    assert snapshot(tmp_path) == before


def test_a_symlink_the_template_no_longer_generates_is_not_removed(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    # an older template generated old.txt; the user made it a link to a copy inside the project
    (project / "old-copy.txt").write_bytes(b"OLD\n")
    (project / "old.txt").symlink_to("old-copy.txt")
    write_base(project, lambda r: r["files"].update({"old.txt": {"text": "OLD\n", "mode": "644"}}))
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.stderr == (
        "drgen: error: cannot remove 'old.txt': it is a symbolic link; remove it yourself\n"
    )
    assert result.exit_code == EXIT_USAGE
    assert snapshot(project) == before
