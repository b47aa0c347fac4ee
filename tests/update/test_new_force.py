"""`drgen new --force` over an existing directory: only the generated paths are overwritten,
never the user's files, and never another drgen project.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drgen.errors import EXIT_USAGE
from tests.update.files import snapshot

pytestmark = pytest.mark.integration


def test_new_force_refuses_a_directory_holding_a_drgen_project(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(project)
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--force", "-e", "prod"
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: target {str(project)!r} already holds a drgen project; change its "
        f"answers with `drgen update {str(project)!r} --set KEY=VALUE` instead of generating "
        "over it\n"
    )
    assert snapshot(project) == before


def test_new_force_overwrites_generated_paths_only_and_never_the_users_files(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "demo"
    (target / "infra").mkdir(parents=True)
    (target / "infra" / "extensions.py").write_bytes(b"# ours\n")
    (target / "README.md").write_bytes(b"old readme\n")
    (target / "notes.txt").write_bytes(b"keep me\n")
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--force")
    assert result.exit_code == 0, result.output
    assert (target / "infra" / "extensions.py").read_bytes() == b"# ours\n"
    assert (target / "notes.txt").read_bytes() == b"keep me\n"
    assert (target / "README.md").read_text().startswith("# demo\n")
    record = json.loads((target / ".drgen" / "base.json").read_text())
    assert record["files"]["infra/extensions.py"]["text"] != "# ours\n"  # the template's base


def test_new_force_into_a_blocked_path_writes_nothing(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "demo"
    (target / "README.md").mkdir(parents=True)
    (target / "README.md" / "x").write_bytes(b"x\n")
    before = snapshot(target)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--force")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: cannot write 'README.md': 'README.md' is a directory where the template "
        "puts a file; move it away and run again\n"
    )
    assert snapshot(target) == before
