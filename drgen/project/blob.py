"""A file as drgen writes it: its exact bytes and permission bits, and the modes drgen gives."""

from __future__ import annotations

import stat
from dataclasses import dataclass

#: The two modes drgen writes: what the template's file is, executable or not. The user's own
#: mode bits are kept by `drgen update`; only the executable bit is ever changed.
MODE_FILE = 0o644
MODE_EXECUTABLE = 0o755


@dataclass(frozen=True)
class Blob:
    """A file's exact content and permission bits."""

    data: bytes
    mode: int = MODE_FILE

    @property
    def executable(self) -> bool:
        """Whether the owner may execute it (the bit drgen records and merges)."""
        return bool(self.mode & stat.S_IXUSR)


def template_mode(mode: int) -> int:
    """The mode drgen gives a generated file: executable or not, nothing else from the umask."""
    return MODE_EXECUTABLE if mode & stat.S_IXUSR else MODE_FILE
