"""`drgen audit [PATH]`: its options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drgen.audit import DEFAULT_TIMEOUT as DEFAULT_AUDIT_TIMEOUT
from drgen.cli.options import STACK_OPTION
from drgen.cli.output import start
from drgen.commands.audit import AuditOptions, run_audit


def audit(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="The Pulumi Python project (default: current directory).",
            show_default=False,
        ),
    ] = Path("."),
    stack: Annotated[
        str | None,
        STACK_OPTION,
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="RULE", help="Check only these rules (R1,R5 or repeated)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="RULE", help="Skip these rules (R1,R5 or repeated)."),
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            metavar="error|warning|note",
            help="Exit 1 on findings of this severity or worse (default: error).",
            show_default=False,
        ),
    ] = "error",
    sarif_file: Annotated[
        Path | None,
        typer.Option("--sarif", metavar="FILE", help="Also write the findings as SARIF 2.1.0."),
    ] = None,
    sarif_root: Annotated[
        Path | None,
        typer.Option(
            "--sarif-root",
            metavar="DIR",
            help="SARIF paths relative to DIR, e.g. the repository (default: PATH).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help=f"Stop the program after this long (default: {DEFAULT_AUDIT_TIMEOUT:g} s).",
            show_default=False,
        ),
    ] = DEFAULT_AUDIT_TIMEOUT,
    python: Annotated[
        str | None,
        typer.Option(
            "--python",
            metavar="PATH",
            help="Run the program with this Python (default: the declared virtualenv).",
        ),
    ] = None,
    pass_env: Annotated[
        list[str] | None,
        typer.Option(
            "--pass-env",
            metavar="NAME",
            help="Give the program this variable of drgen's environment too; repeat it.",
        ),
    ] = None,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Print one JSON document with every finding on stdout.")
    ] = False,
) -> None:
    """Check a Pulumi Python program, offline under mocks, for the known DR failures.

    The program's code runs, as under `pulumi preview`: without credentials, cloud or CI
    variables, AWS config files or (where Linux allows) network; the file system is not
    isolated (docs/audit.md, "Trust").
    """
    report = start(ctx, "audit", json_mode)
    options = AuditOptions(
        stack=stack,
        select=select,
        ignore=ignore,
        fail_on=fail_on,
        sarif_file=sarif_file,
        sarif_root=sarif_root,
        timeout=timeout,
        python=python,
        pass_env=pass_env or [],
    )
    run_audit(report, path, options)
