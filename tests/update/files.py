"""A project's files in a test: snapshots (bytes and modes), edits, CRLF, a hand-edited record."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.update.repository import commit


def snapshot(root: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every file (bytes and mode) and directory (None) below root, symlinks not followed."""
    found: dict[str, tuple[bytes, int] | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in dirnames:
            found[os.path.relpath(os.path.join(dirpath, name), root)] = None
        for name in filenames:
            path = Path(dirpath, name)
            info = path.lstat()
            content = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            found[str(path.relative_to(root))] = (content, stat.S_IMODE(info.st_mode))
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_base(project: Path, mutate) -> None:  # type: ignore[no-untyped-def]
    path = project / ".drgen" / "base.json"
    record = json.loads(path.read_text())
    mutate(record)
    path.write_text(json.dumps(record))
    commit(project)
