"""Whether a person is there, and the verification's progress as they see it."""

from __future__ import annotations

import sys
import time
from typing import Any

from drgen.commands.messages import Messages
from drgen.text import plural
from drgen.verification.result import Progress


def stdin_is_terminal() -> bool:
    """Someone can answer questions."""
    return sys.stdin.isatty()


def stderr_is_terminal() -> bool:
    """Someone sees a moving progress line."""
    return sys.stderr.isatty()


class Display:
    """Verification as it runs: a moving line on a terminal's stderr, plain lines otherwise.

    The plain lines (no carriage returns, no colours) are one when collection ends and at most
    one every `PLAIN_EVERY` seconds after it; `--verbose` streams pytest's own lines instead.
    """

    PLAIN_EVERY = 10.0

    def __init__(self, report: Messages) -> None:
        self.report = report
        self.live = not (report.quiet or report.verbose) and stderr_is_terminal()
        self.started = time.monotonic()
        self.last_line = self.started
        self.announced = False
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Display:
        if self.live:
            from rich.console import Console  # only a terminal needs rich
            from rich.progress import (
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(
                SpinnerColumn(),
                TextColumn("Running the project's tests"),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("tests", total=None, failed="")
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def progress(self, event: Progress) -> None:
        """Move the bar, or print a plain line now and then."""
        if self.bar is not None:
            failed = f"{event.failed} failed" if event.failed else ""
            self.bar.update(self.task, completed=event.done, total=event.total, failed=failed)
            return
        if self.report.verbose or event.total is None:
            return
        now = time.monotonic()
        if not self.announced:
            self.announced = True
            self.last_line = now
            self.report.say(f"  collected {plural(event.total, 'test')}")
        elif now - self.last_line >= self.PLAIN_EVERY and event.done < event.total:
            self.last_line = now
            self.report.say(f"  {event.done}/{event.total} tests done ({now - self.started:.0f}s)")

    def output(self, line: str) -> None:
        """One line of pytest's own output (`--verbose`)."""
        self.report.say(line)
