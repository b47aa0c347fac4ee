"""Writes that all land or none do: the transaction, and the checks before its first write."""

from __future__ import annotations

import os
import re
import signal
import stat
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from drgen.errors import BlockedPathError
from drgen.project.blob import Blob

#: `_write_bytes`'s temporary file beside the file it writes.
TEMPORARY = re.compile(r"^\.(.+)\.drgen-[0-9]+$")


def blocked(root: Path, path: str) -> str | None:
    """Why `path` cannot be written below `root`, or None."""
    target = root / path
    parent = root
    for part in Path(path).parts[:-1]:
        parent = parent / part
        if parent.is_symlink():
            return f"{str(parent.relative_to(root))!r} is a symbolic link"
        if parent.exists() and not parent.is_dir():
            return f"{str(parent.relative_to(root))!r} is a file where a directory is needed"
    if target.is_symlink():
        return f"{path!r} is a symbolic link; drgen does not write through links"
    if target.exists() and not target.is_file():
        return f"{path!r} is a directory where the template puts a file"
    return None


def check_writable(root: Path, writes: Mapping[str, Blob | None]) -> None:
    """Fail, before anything is written, when a path to write or remove is blocked."""
    for path, blob in sorted(writes.items()):
        if blob is None:
            if (root / path).is_symlink():
                raise BlockedPathError(
                    f"cannot remove {path!r}: it is a symbolic link; remove it yourself"
                )
            continue
        reason = blocked(root, path)
        if reason is not None:
            raise BlockedPathError(f"cannot write {path!r}: {reason}; move it away and run again")


@contextmanager
def no_interrupts() -> Iterator[None]:
    """Hold Ctrl-C while putting files back: a second Ctrl-C must not stop the rollback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Transaction:
    """Writes below a root that all land or none do.

    Every file is backed up (bytes and mode) before its first change; on any exception,
    Ctrl-C included, every file is put back byte for byte and the directories created are
    removed. `put`, `remove` and `_mkdir` are the only writes.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._backups: dict[str, Blob | None] = {}
        self._created: list[Path] = []

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if error is not None:
            with no_interrupts():
                self.rollback()

    def _backup(self, path: str) -> None:
        if path in self._backups:
            return
        target = self.root / path
        if target.is_file():
            self._backups[path] = Blob(target.read_bytes(), stat.S_IMODE(target.stat().st_mode))
        else:
            self._backups[path] = None

    def _mkdir(self, directory: Path) -> None:
        if directory == self.root or directory.is_dir():
            return
        self._mkdir(directory.parent)
        _mkdir(directory)
        self._created.append(directory)

    def put(self, path: str, blob: Blob) -> None:
        """Write `blob` at `path`, creating directories as needed."""
        self._backup(path)
        target = self.root / path
        self._mkdir(target.parent)
        _write_bytes(target, blob)

    def remove(self, path: str) -> None:
        """Remove the file at `path` (and then its directories left empty)."""
        self._backup(path)
        target = self.root / path
        _unlink(target)
        parent = target.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            _rmdir(parent)
            parent = parent.parent

    def rollback(self) -> None:
        """Put every file back as it was; remove the directories this transaction created."""
        for path, blob in self._backups.items():
            target = self.root / path
            if blob is None:
                _unlink(target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_bytes(target, blob)
        for directory in reversed(self._created):
            if directory.is_dir() and not any(directory.iterdir()):
                _rmdir(directory)


# The only four writes a Transaction makes (tests inject failures here).


def _mkdir(directory: Path) -> None:
    directory.mkdir()


def _rmdir(directory: Path) -> None:
    directory.rmdir()


def _unlink(target: Path) -> None:
    target.unlink(missing_ok=True)


def _write_bytes(target: Path, blob: Blob) -> None:
    """Write a new file beside the target, then rename it over the target.

    The rename replaces the directory entry: a hard link to a file elsewhere is never written
    through, and the target is never half-written.
    """
    temporary = target.with_name(f".{target.name}.drgen-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(blob.data)
        temporary.chmod(blob.mode)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
