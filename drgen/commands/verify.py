"""`drgen verify`, and the verification that ends `new` and `update`."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from drgen.commands.messages import Display, Messages, time_limit
from drgen.errors import InterruptedError_, VerificationError
from drgen.verification.result import VerifyResult, not_covered
from drgen.verification.run import DEFAULT_TIMEOUT, check_project, verify_project

#: The display a verification shows its progress on (the CLI's: a bar or plain lines).
DisplayFactory = Callable[[Messages], Display]


def verify_hint(shown: Path) -> str:
    """The command that proves a project later, with the path as the user gave it."""
    return f"run `drgen verify {shlex.quote(str(shown))}` to prove it"


def show_result(out: Messages, result: VerifyResult) -> None:
    """The verification's document, its result line, and on failure what failed and where."""
    out.doc["verification"] = {
        key: value for key, value in asdict(result).items() if key != "output"
    } | {"ok": result.ok, "failure": result.failure}
    if result.ok:
        out.say(f"Verified: {result.summary()}", final=True)
        return
    out.say(f"Verification failed: {result.summary()}", err=True)
    for error in result.collection_errors:
        out.say(f"  could not collect {error.describe()}", err=True)
    for failing in result.failures:
        out.say(f"  failed: {failing.test}", err=True)
        for line in failing.message.splitlines():
            out.say(f"    {line}", err=True)
        out.say(f"    rerun: {failing.rerun}", err=True)
    for path in result.uncovered:
        out.say(f"  not covered: {not_covered(result, path)}", err=True)
    if not (result.failures or result.uncovered or result.collection_errors):
        out.say(result.output.strip()[-2000:], err=True)


def verify_and_show(
    out: Messages,
    project: Path,
    display: DisplayFactory,
    *,
    kept: str | None = None,
    shown: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Verify the project and show the result; raise if it failed.

    `kept` says what Ctrl-C during verification leaves done (after new, update); `shown` is the
    project's path as the user gave it, for the hint.
    """
    out.say(f"Running the project's tests in {project} ...")
    shows = display(out)
    try:
        with shows:
            result = verify_project(
                project,
                verbose=out.verbose,
                on_progress=shows.progress,
                on_output=shows.output if out.verbose else None,
                timeout=timeout,
            )
    except KeyboardInterrupt:
        if kept is None:
            raise
        raise InterruptedError_(
            f"verification interrupted; {kept}: {verify_hint(shown or project)}"
        ) from None
    show_result(out, result)
    if result.failure is not None:
        raise VerificationError(f"verification of {str(project)!r} failed: {result.failure}")


def run_verify(
    out: Messages, path: Path, display: DisplayFactory, *, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """`drgen verify`: the project's tests, at 100% statement and branch coverage."""
    out.doc["project"] = str(path.absolute())
    time_limit(timeout, "--timeout")
    check_project(path)  # before "Running the project's tests": there may be none
    verify_and_show(out, path, display, timeout=timeout)
