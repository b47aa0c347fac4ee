"""What a command tells its user and asks of them, as the caller supplies it."""

from __future__ import annotations

import math
from typing import Any, Protocol

from drgen.errors import DrgenError
from drgen.verification.result import Progress


class Messages(Protocol):
    """Lines for people and the JSON document's fields (the CLI's `Report`)."""

    json_mode: bool
    quiet: bool
    verbose: bool
    doc: dict[str, Any]

    def say(self, text: str, *, err: bool = False, nl: bool = True, final: bool = False) -> None:
        """A line for people; with `--quiet` only errors (`err`) and the `final` line show."""


class Display(Protocol):
    """The verification as it runs: a progress bar, plain lines, or pytest's own output."""

    def __enter__(self) -> Display: ...

    def __exit__(self, *exc: object) -> None: ...

    def progress(self, event: Progress) -> None:
        """Tests collected, done and failed so far."""

    def output(self, line: str) -> None:
        """One line of pytest's own output (`--verbose`)."""


def time_limit(value: float, flag: str) -> float:
    """A time limit: a finite number of seconds above zero (`nan` and `inf` are not limits)."""
    if not math.isfinite(value) or value <= 0:
        raise DrgenError(f"{flag} {value:g} is not a time limit: give seconds above 0, e.g. 600")
    return value
