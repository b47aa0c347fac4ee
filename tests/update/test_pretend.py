"""`--pretend`: it writes nothing, shows the files as they are, and its patch is the update
(`git apply` takes it and gives the same files).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.update.files import edit, snapshot
from tests.update.repository import git
from tests.update.template_versions import NEXT, RETENTION_V1, RETENTION_V2, derive_template

pytestmark = pytest.mark.integration


@pytest.mark.usefixtures("v2")
def test_pretend_on_a_dirty_tree_shows_the_diff_against_the_files_as_they_are(
    invoke, project: Path
) -> None:  # type: ignore[no-untyped-def]
    edit(project / "infra" / "compute.py", "RUNTIME = ", "# wip\nRUNTIME = ")  # not committed
    before = snapshot(project)
    result = invoke("update", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    assert "  merge            infra/compute.py: merged your changes" in result.stdout
    assert f"-{RETENTION_V1}\n+{RETENTION_V2}\n" in result.stdout
    assert result.stdout.endswith("3 files would change; nothing was written (--pretend)\n")
    assert snapshot(project) == before


def test_pretend_patch_names_both_sides_of_an_updated_file(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    derive_template(tmp_path, NEXT, monkeypatch)
    result = invoke("update", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    start = result.stdout.index("--- a/infra/compute.py")
    assert result.stdout[start : result.stdout.index("@@", start)] == (
        "--- a/infra/compute.py\n+++ b/infra/compute.py\n"
    )
    assert f"\n-{RETENTION_V1}\n+{RETENTION_V2}\n" in result.stdout[start:]


def test_pretend_patch_applied_with_git_apply_is_the_update(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # a content and mode change, a plain content change, a file the template drops, and one
    # it adds: a single line without a newline
    template = derive_template(tmp_path, NEXT, monkeypatch)
    (template / "project" / "infra" / "compute.py.jinja").chmod(0o755)
    (template / "project" / "requirements-dev.txt.jinja").unlink()
    (template / "project" / "VERSION").write_bytes(b"9.0.0")
    dropped = (project / "requirements-dev.txt").read_bytes()
    result = invoke("update", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines(keepends=True)
    assert [line.split(":")[0].split() for line in lines[:4]] == [
        ["update", "README.md"],
        ["add", "VERSION"],
        ["update", "infra/compute.py"],
        ["delete", "requirements-dev.txt"],
    ]
    assert lines[-1] == "4 files would change; nothing was written (--pretend)\n"
    patch = "".join(lines[4:-1])
    assert (
        "--- /dev/null\n+++ b/VERSION\n@@ -0,0 +1 @@\n+9.0.0\n\\ No newline at end of file\n"
        in patch
    )
    start = patch.index("diff --git a/infra/compute.py")
    assert patch[start : patch.index("@@", start)] == (
        "diff --git a/infra/compute.py b/infra/compute.py\nold mode 100644\nnew mode 100755\n"
        "--- a/infra/compute.py\n+++ b/infra/compute.py\n"
    )
    removed = [f"-{line}" for line in dropped.decode().splitlines(keepends=True)]
    assert patch.endswith(
        f"--- a/requirements-dev.txt\n+++ /dev/null\n@@ -1,{len(removed)} +0,0 @@\n"
        + "".join(removed)
    )
    # the patch is what the update does: applied to a copy, the files are the same
    copy = tmp_path / "patched"
    shutil.copytree(project, copy, symlinks=True)
    (tmp_path / "pretend.patch").write_text(patch)
    git(copy, "apply", str(tmp_path / "pretend.patch"))
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    updated = {k: v for k, v in snapshot(project).items() if not k.startswith(".drgen")}
    assert {k: v for k, v in snapshot(copy).items() if not k.startswith(".drgen")} == updated
    assert "requirements-dev.txt" not in updated
    assert updated["infra/compute.py"] is not None and updated["infra/compute.py"][1] == 0o755
    assert updated["VERSION"] == (b"9.0.0", 0o644)
