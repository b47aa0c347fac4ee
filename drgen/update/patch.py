"""A change as a patch `git apply` takes, for `--pretend` and for the change a kept file misses."""

from __future__ import annotations

import difflib

from drgen.project.blob import Blob
from drgen.update.merge import is_text


def text_lines(data: bytes) -> list[str]:
    """UTF-8 text as difflib's lines: each with its newline, a last line without one kept."""
    text = data.decode("utf-8")
    return [line + "\n" for line in text.split("\n")[:-1]] + (
        [text.rsplit("\n", 1)[-1]] if not text.endswith("\n") and text else []
    )


def unified_diff(path: str, before: Blob | None, after: Blob | None) -> str:
    """A patch `git apply` takes: content, a missing final newline, the executable bit."""
    old = f"a/{path}" if before is not None else "/dev/null"
    new = f"b/{path}" if after is not None else "/dev/null"
    head = ""
    if before is not None and after is not None and before.executable != after.executable:
        mode = {False: "100644", True: "100755"}
        head = (
            f"diff --git a/{path} b/{path}\nold mode {mode[before.executable]}\n"
            f"new mode {mode[after.executable]}\n"
        )
    old_data = before.data if before is not None else b""
    new_data = after.data if after is not None else b""
    if old_data == new_data:
        return head
    if not (is_text(old_data) and is_text(new_data)):
        return head + f"Binary files {old} and {new} differ\n"
    chunks = [head]
    for line in difflib.unified_diff(text_lines(old_data), text_lines(new_data), old, new):
        chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)
