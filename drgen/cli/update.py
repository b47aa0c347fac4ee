"""`drgen update [PATH]` and `drgen update --check`: their options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drgen.cli import terminal
from drgen.cli.options import JSON_OPTION, PROJECT_ARGUMENT, QUIET_OPTION, VERBOSE_OPTION
from drgen.cli.output import start
from drgen.commands.update import UpdateOptions, run_check, run_update


def update(
    ctx: typer.Context,
    path: Annotated[
        Path,
        PROJECT_ARGUMENT,
    ] = Path("."),
    set_answers: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Change an answer, validated as in drgen new (e.g. route53=true); repeat it.",
        ),
    ] = None,
    restore: Annotated[
        list[str] | None,
        typer.Option(
            "--restore",
            metavar="FILE",
            help="Bring back a generated file that is missing; repeat it. An existing file is "
            "never overwritten.",
        ),
    ] = None,
    pretend: Annotated[
        bool,
        typer.Option(
            "--pretend", "--diff", help="Show what would change, file by file; write nothing."
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 5 if the project is behind the installed template, 4 if it holds "
            "unresolved conflict markers, 7 if a newer drgen generated it; write nothing.",
        ),
    ] = False,
    allow_region_reorder: Annotated[
        bool,
        typer.Option(
            "--allow-region-reorder",
            help="Let --set regions change the primary or the order of the regions kept "
            "(on a live stack: a new global table, secret and replication).",
        ),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip running the project's tests afterwards.")
    ] = False,
    quiet: Annotated[bool, QUIET_OPTION] = False,
    verbose: Annotated[bool, VERBOSE_OPTION] = False,
    json_mode: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Merge the installed template's changes into a generated project, keeping your edits."""
    report = start(ctx, "update", json_mode, quiet=quiet, verbose=verbose)
    if check:
        run_check(report, path)
        return
    options = UpdateOptions(
        sets=set_answers or [],
        restore=restore or [],
        pretend=pretend,
        allow_region_reorder=allow_region_reorder,
        no_verify=no_verify,
    )
    run_update(report, path, options, terminal.Display)
