"""One writer per project: advisory locks on directories, and the staging a dead run left.

The locks are `flock`s on the directories themselves, so they leave nothing on disk and die
with their process, SIGKILL included. `drgen update` holds its project's lock from reading
the record to the last write; `drgen new` holds the target's parent while it checks the target
and moves the rendered project in, and the target's own lock when it fills an existing one.
On systems without `fcntl` (Windows) there is no lock.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from drgen.errors import BusyError

try:
    import fcntl
except ImportError:  # Windows has no flock
    fcntl = None  # type: ignore[assignment]


def _open(directory: Path) -> int:
    return os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


@contextmanager
def exclusive(directory: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the writer's lock on `directory`: wait for it, or refuse at once when it is held."""
    if fcntl is None:
        yield
        return
    fd = _open(directory)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BusyError(
                f"another drgen is writing {str(directory)!r}; nothing was written: "
                "run again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def held(directory: Path) -> bool:
    """Whether a live process holds `directory`'s lock (False where there are no locks)."""
    if fcntl is None:
        return False
    fd = _open(directory)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


#: What `tempfile.TemporaryDirectory` appends to a prefix (its characters, at least 6).
STAGING_SUFFIX = re.compile(r"[a-z0-9_]{6,}")


def _holds_only(directory: Path, name: str) -> bool:
    try:
        return {entry.name for entry in directory.iterdir()} <= {name}
    except OSError:
        return False


def remove_stale_staging(target: Path) -> list[Path]:
    """Remove the staging directories of `target` that no live drgen holds; return them.

    A run that was killed (SIGKILL, a power cut) leaves its `.NAME.drgen-*` directory beside
    the target; a live run holds that directory's lock until it has moved the project in.
    Only what drgen makes there is removed: a name `tempfile` gives (`.NAME.drgen-` and
    lowercase letters, digits or `_`) holding nothing but the project's own folder.
    """
    removed = []
    for staging in sorted(target.parent.glob(f".{target.name}.drgen-*")):
        if staging.is_symlink() or not staging.is_dir() or held(staging):
            continue
        suffix = staging.name.removeprefix(f".{target.name}.drgen-")
        if not STAGING_SUFFIX.fullmatch(suffix) or not _holds_only(staging, target.name):
            continue
        shutil.rmtree(staging, ignore_errors=True)
        removed.append(staging)
    return removed
