"""`drgen report`: what a generated project survives, its RPO/RTO and its idle cost."""

from __future__ import annotations

from pathlib import Path

from drgen import posture
from drgen.commands.messages import Messages


def run_report(out: Messages, path: Path, stack: str | None = None) -> None:
    """The posture of the project at `path`, read from its own code and stack file."""
    found = posture.build(path, stack=stack)
    out.doc["report"] = posture.document(found)
    out.say(posture.text(found), nl=False)
