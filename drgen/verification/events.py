"""The progress plugin's events, read while the verifying child runs and once after it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from drgen.verification.result import Progress


def _new_lines(path: Path, offset: int) -> tuple[list[str], int]:
    """The complete lines written to `path` after `offset`, and the offset after them."""
    if not path.is_file():
        return [], offset
    with path.open("rb") as stream:
        stream.seek(offset)
        chunk = stream.read()
    complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
    return complete.decode("utf-8", "replace").splitlines(), offset + len(complete)


class Events:
    """Reads the plugin's JSON lines while the child runs (on a thread) and once more after."""

    def __init__(
        self,
        path: Path,
        on_progress: Callable[[Progress], None] | None,
        output: Path,
        on_output: Callable[[str], None] | None,
    ) -> None:
        self.path = path
        self.on_progress = on_progress
        self.output = output
        self.on_output = on_output
        self.offset = 0
        self.output_offset = 0
        self.total: int | None = None
        self.done: list[dict[str, object]] = []
        self.collect_errors: list[dict[str, object]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> Events:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.read()  # whatever the last poll missed

    def _follow(self) -> None:
        while not self.stop.wait(0.1):
            self.read()

    def read(self) -> None:
        """Pass on the output and the events written since the last read."""
        if self.on_output is not None:
            lines, self.output_offset = _new_lines(self.output, self.output_offset)
            for text in lines:
                self.on_output(text)
        lines, self.offset = _new_lines(self.path, self.offset)
        changed = False
        for line in lines:
            try:
                event = json.loads(line)
                kind = event.pop("event")
            except (ValueError, AttributeError, KeyError, TypeError):
                continue  # not the plugin's line: the report directory is the tests' to damage
            if kind == "collected":
                self.total = event["total"]
            elif kind == "done":
                self.done.append(event)
            else:
                self.collect_errors.append(event)
            changed = True
        if changed and self.on_progress is not None:
            failed = sum(1 for e in self.done if e["outcome"] in ("failed", "error"))
            self.on_progress(Progress(len(self.done), self.total, failed))
