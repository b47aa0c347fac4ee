"""Whether a Ctrl-C can still stop the running command.

Once a command has decided its outcome (its writes are done or refused, its result is being
printed), a Ctrl-C can stop nothing: it must not turn that outcome into a silent exit 130.
`drgen.console`'s handler asks `too_late()`; the CLI calls `command_decided()`.
"""

from __future__ import annotations

_decided = False


def command_decided() -> None:
    """The command's outcome is final: a Ctrl-C from now on changes nothing."""
    global _decided
    _decided = True


def too_late() -> bool:
    """Whether the running command's outcome is final."""
    return _decided


def reset() -> None:
    """A new command starts (the console entry point, once per process)."""
    global _decided
    _decided = False
