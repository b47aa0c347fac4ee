"""Paths named by the record or the template are untrusted: each is checked before any use."""

from __future__ import annotations

from pathlib import Path

from drgen.errors import RecordError, TargetError
from drgen.project.record import RECORD_DIR


def unsafe_path(path: object) -> str | None:
    """Why `path` (from the record or the template) may not be used, or None when it is safe."""
    if not isinstance(path, str) or not path:
        return "is not a file path"
    if "\\" in path or "\0" in path:
        return "is not a POSIX relative path"
    if path.startswith("/"):
        return "is absolute"
    parts = path.split("/")
    if ".." in parts:
        return "leaves the project ('..')"
    if any(part in ("", ".") for part in parts):
        return "is not a normalized relative path"
    if any(part.lower() == ".git" for part in parts):
        return "is inside .git/"
    if parts[0] == RECORD_DIR:
        return f"is inside drgen's own {RECORD_DIR}/"
    return None


def check_inside(root: Path, path: str) -> None:
    """Refuse a path that resolves outside the project (through a symbolic link)."""
    problem = unsafe_path(path)
    if problem is not None:
        raise RecordError(f"the path {path!r} {problem}")
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        raise TargetError(
            f"{path!r} in {str(root)!r} leads outside the project through a symbolic link; "
            "drgen neither reads nor writes through it: replace the link with a file"
        )
