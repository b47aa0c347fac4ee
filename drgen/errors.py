"""The one error hierarchy: every failure a user can cause or fix, with its exit code."""

from __future__ import annotations

#: Exit codes, documented in docs/user-guide.md.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_VERIFY_FAILED = 3
EXIT_CONFLICT = 4
EXIT_OUTDATED = 5
EXIT_DIRTY = 6
EXIT_INTERRUPTED = 130


class DrgenError(Exception):
    """An error meant for the user: one line, no traceback."""

    exit_code = EXIT_USAGE


class AnswerError(DrgenError):
    """An answer (flag, prompt or answers file) is not acceptable."""


class TargetError(DrgenError):
    """The directory to write to, or to read from, cannot be used."""


class VerificationError(DrgenError):
    """The generated project's own tests failed or did not reach 100% coverage."""

    exit_code = EXIT_VERIFY_FAILED


class ConflictError(DrgenError):
    """An update left conflict markers (or kept a file the template removed) to resolve."""

    exit_code = EXIT_CONFLICT


class OutdatedError(DrgenError):
    """`drgen update --check`: the project is behind the installed template."""

    exit_code = EXIT_OUTDATED


class DirtyTreeError(DrgenError):
    """The project's git working tree has uncommitted changes."""

    exit_code = EXIT_DIRTY


class InterruptedError_(DrgenError):  # not the builtin InterruptedError (EINTR)
    """Ctrl-C: the message says what was kept."""

    exit_code = EXIT_INTERRUPTED


#: How `--json` names each outcome.
RESULTS = {
    EXIT_OK: "ok",
    EXIT_USAGE: "error",
    EXIT_VERIFY_FAILED: "verification-failed",
    EXIT_CONFLICT: "conflict",
    EXIT_OUTDATED: "outdated",
    EXIT_DIRTY: "dirty",
    EXIT_INTERRUPTED: "interrupted",
}
