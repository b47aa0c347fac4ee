"""The directory `drgen new` writes: whether it may, its missing parents, its paths as shown.

Errors name the paths a user knows, never drgen's staging directory or temporary files.
"""

from __future__ import annotations

import os
from pathlib import Path

from drgen.errors import TargetError
from drgen.project.record import RECORD_DIR
from drgen.project.transaction import TEMPORARY, no_interrupts


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a target drgen must not write to, before anything is rendered."""
    try:
        _check_target(target, force=force)
    except OSError as error:  # a path the system refuses to look at (too long, a loop, ...)
        raise TargetError(f"target {str(target)!r} cannot be used: {error.strerror}") from None


def _check_target(target: Path, *, force: bool) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetError(f"target {str(target)!r} exists and is not a directory")
    ancestor = _nearest_existing(target.parent)
    if not ancestor.is_dir():
        raise TargetError(
            f"cannot create {str(target)!r}: {str(ancestor)!r} is a file, not a directory"
        )
    if (target / RECORD_DIR).exists() or (target / RECORD_DIR).is_symlink():
        raise TargetError(
            f"target {str(target)!r} already holds a drgen project; change its answers with "
            f"`drgen update {str(target)!r} --set KEY=VALUE` instead of generating over it"
        )
    if target.is_dir() and any(target.iterdir()) and not force:
        raise TargetError(
            f"target {str(target)!r} exists and is not empty; choose another --output-dir "
            "or pass --force to overwrite the files drgen generates"
        )


def _nearest_existing(path: Path) -> Path:
    """`path` or its closest ancestor that exists (a dangling link counts as existing)."""
    while not (path.exists() or path.is_symlink()) and path != path.parent:
        path = path.parent
    return path


def make_parents(directory: Path) -> list[Path]:
    """Create `directory` and its missing ancestors; return the ones created, outermost first.

    On any exception, Ctrl-C included, the ones created so far are removed again.
    """
    missing: list[Path] = []
    while not (directory.exists() or directory.is_symlink()):
        missing.append(directory)
        directory = directory.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
    except BaseException:
        remove_created(created)
        raise
    return created


def remove_created(created: list[Path]) -> None:
    """Remove the directories `make_parents` created, innermost first, if still empty."""
    with no_interrupts():
        for path in reversed(created):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def shown_path(path: Path, target: Path) -> Path:
    """The path a user knows for `path`, not drgen's staging directory or temporary files.

    Each is shown as the path it stands for.
    """
    if not path.is_relative_to(target.parent):
        return path
    parts = path.relative_to(target.parent).parts
    if parts and parts[0].startswith(f".{target.name}.drgen-"):
        parts = (target.name, *parts[2:]) if len(parts) > 1 else ()
    return target.parent.joinpath(*(TEMPORARY.sub(r"\1", part) for part in parts))


def shown_error(error: OSError, target: Path) -> str:
    """An OSError as the user may see it: without drgen's internal paths."""
    if error.filename is None or error.strerror is None:
        return str(error)
    shown = f"[Errno {error.errno}] {error.strerror}: "
    shown += repr(str(shown_path(Path(os.fsdecode(error.filename)), target)))
    if error.filename2 is not None:
        shown += f" -> {str(shown_path(Path(os.fsdecode(error.filename2)), target))!r}"
    return shown
