"""The one error hierarchy: every failure a user can cause or fix, with its exit code."""

from __future__ import annotations

#: Exit codes, documented in docs/user-guide.md.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_VERIFY_FAILED = 3
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
