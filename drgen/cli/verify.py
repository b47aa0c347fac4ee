"""`drgen verify [PATH]`: its options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drgen.cli import terminal
from drgen.cli.options import JSON_OPTION, PROJECT_ARGUMENT, QUIET_OPTION, VERBOSE_OPTION
from drgen.cli.output import start
from drgen.commands.verify import run_verify
from drgen.verification.run import DEFAULT_TIMEOUT as DEFAULT_VERIFY_TIMEOUT


def verify(
    ctx: typer.Context,
    path: Annotated[
        Path,
        PROJECT_ARGUMENT,
    ] = Path("."),
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="End the tests after this long; a hang fails "
            f"(default: {DEFAULT_VERIFY_TIMEOUT:g} s).",
            show_default=False,
        ),
    ] = DEFAULT_VERIFY_TIMEOUT,
    quiet: Annotated[bool, QUIET_OPTION] = False,
    verbose: Annotated[bool, VERBOSE_OPTION] = False,
    json_mode: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Run a generated project's tests and require 100% statement and branch coverage."""
    report = start(ctx, "verify", json_mode, quiet=quiet, verbose=verbose)
    run_verify(report, path, terminal.Display, timeout=timeout)
