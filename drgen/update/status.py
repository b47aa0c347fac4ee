"""The project's state before an update: behind the template, conflicts left, a clean tree."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drgen.errors import DirtyTreeError
from drgen.project.pin import template_changed
from drgen.project.render import render_files
from drgen.update.merge import MARKER
from drgen.update.paths import check_inside
from drgen.update.record import Recorded, read_recorded


def unresolved_conflicts(root: Path, paths: Iterable[str]) -> list[str]:
    """Files that still hold a conflict block a previous update left."""
    found = []
    for path in sorted(paths):
        check_inside(root, path)
        target = root / path
        if target.is_file() and any(
            line.rstrip(b"\r\n") == MARKER for line in target.read_bytes().split(b"\n")
        ):
            found.append(path)
    return found


@dataclass(frozen=True)
class Status:
    """What `--check` finds: the record, whether the template moved on, markers left."""

    recorded: Recorded
    behind: bool
    unresolved: list[str]


def check_status(project: Path) -> Status:
    """Whether the installed template renders the recorded answers differently than last time.

    requirements-dev.txt's drgen pin aside, which every release renders anew. Only renders
    and compares: no merging, nothing written (for `--check` in pipelines).
    """
    root = project.resolve()
    recorded = read_recorded(root)
    rendered = render_files(recorded.answers)
    return Status(
        recorded=recorded,
        behind=template_changed(rendered, recorded.base),
        unresolved=unresolved_conflicts(root, set(recorded.base) | set(rendered)),
    )


def check_clean_git(project: Path) -> bool:
    """Refuse to update over uncommitted work: the update must be one reviewable diff.

    Whether the project is in a git working tree (False: nothing to review or undo with).
    """
    git = shutil.which("git")
    if git is None:
        return False
    inside = subprocess.run(  # noqa: S603 - fixed git command
        [git, "-C", str(project), "rev-parse", "--is-inside-work-tree"],
        capture_output=True, encoding="utf-8", errors="replace", check=False,
    )  # fmt: skip
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return False  # not a git working tree: nothing to protect beyond the atomic write
    status = subprocess.run(  # noqa: S603 - fixed git command
        [git, "-C", str(project), "status", "--porcelain", "--untracked-files=all", "--", "."],
        capture_output=True, encoding="utf-8", errors="replace", check=False,
    )  # fmt: skip
    dirty = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if dirty:
        raise DirtyTreeError(
            f"{str(project)!r} has uncommitted changes ({', '.join(dirty[:3])}"
            f"{', ...' if len(dirty) > 3 else ''}): commit or stash them, then run drgen update "
            "again, so the update is one diff you can review"
        )
    return True
