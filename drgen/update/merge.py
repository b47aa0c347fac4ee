"""One file's three-way merge: its bytes (with git merge-file), its line endings, its mode."""

from __future__ import annotations

import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drgen.errors import DrgenError
from drgen.project.blob import Blob

#: The first line of a conflict block `drgen update` leaves (every release used this label).
MARKER = b"<<<<<<< yours"


@dataclass(frozen=True)
class Labels:
    """The names of the three sides in conflict blocks."""

    yours: str = "yours"
    base: str = "base"
    theirs: str = "template"


def is_text(data: bytes) -> bool:
    """Whether git can merge it line by line: UTF-8 without NUL bytes."""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _uses_crlf(data: bytes) -> bool:
    return data.count(b"\r\n") * 2 > data.count(b"\n")


def _with_endings(data: bytes, crlf: bool) -> bytes:
    lf = data.replace(b"\r\n", b"\n")
    return lf.replace(b"\n", b"\r\n") if crlf else lf


def merge_bytes(yours: bytes, base: bytes, theirs: bytes, labels: Labels) -> tuple[bytes, int]:
    """`git merge-file --diff3` on bytes: the merged file and how many conflicts it holds.

    The template's sides take your line endings first, so a file you converted to CRLF
    merges line by line and stays CRLF.
    """
    crlf = _uses_crlf(yours)
    if _uses_crlf(base) != crlf or _uses_crlf(theirs) != crlf:
        base, theirs = _with_endings(base, crlf), _with_endings(theirs, crlf)
    git = shutil.which("git")
    if git is None:
        raise DrgenError("git is needed to merge changed files; install git and run again")
    with tempfile.TemporaryDirectory(prefix="drgen-merge-") as tmp:
        paths = []
        for name, data in (("yours", yours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        result = subprocess.run(  # noqa: S603 - fixed git command on our temp files
            [
                git, "merge-file", "-p", "--diff3",
                "-L", labels.yours, "-L", labels.base, "-L", labels.theirs, *paths,
            ],
            capture_output=True, check=False,
        )  # fmt: skip
    if not 0 <= result.returncode <= 127:  # git: the number of conflicts, capped at 127
        message = result.stderr.decode("utf-8", "replace").strip()
        raise DrgenError(f"git merge-file failed: {message}")
    merged = _with_endings(result.stdout, crlf) if crlf else result.stdout  # the markers too
    return merged, result.returncode


def merge_mode(yours: int, base: Blob | None, theirs: Blob) -> int:
    """Your mode, with the executable bit the template set or cleared since the base."""
    was = base.executable if base is not None else bool(yours & stat.S_IXUSR)
    if theirs.executable == was:
        return yours
    if theirs.executable:
        return yours | ((yours & 0o444) >> 2)  # execute wherever read is allowed
    return yours & ~0o111


Merge = Callable[[bytes, bytes, bytes, Labels], tuple[bytes, int]]
