"""`drgen report [PATH]`: its options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drgen.cli.options import PROJECT_ARGUMENT, STACK_OPTION
from drgen.cli.output import start
from drgen.commands.report import run_report


def report(
    ctx: typer.Context,
    path: Annotated[
        Path,
        PROJECT_ARGUMENT,
    ] = Path("."),
    stack: Annotated[
        str | None,
        STACK_OPTION,
    ] = None,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Print one JSON document with the posture and cost.")
    ] = False,
) -> None:
    """What a generated project survives, its RPO/RTO and its idle cost, from its own code."""
    run_report(start(ctx, "report", json_mode), path, stack=stack)
