"""What a command prints: lines for people, or one JSON document, and the error lines."""

from __future__ import annotations

import json
from typing import Any

import typer

from drgen import __version__
from drgen.errors import EXIT_OK, RESULTS, DrgenError

#: Where a command's Report waits in typer's context for the group to finish it.
REPORT_KEY = "drgen.report"


class Report:
    """What a command tells its user: lines for people, or one JSON document.

    With `--json` the document is the only thing on stdout; the lines, errors included, go to
    stderr.
    """

    def __init__(
        self, command: str, *, json_mode: bool, quiet: bool = False, verbose: bool = False
    ) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self.verbose = verbose
        self.doc: dict[str, Any] = {
            "command": command,
            "result": RESULTS[EXIT_OK],
            "exit_code": 0,
            "drgen_version": __version__,
            "errors": [],
        }

    def say(self, text: str, *, err: bool = False, nl: bool = True, final: bool = False) -> None:
        """A line for people; with `--quiet` only errors (`err`) and the `final` result line."""
        if self.quiet and not (err or final):
            return
        typer.echo(text, err=err or self.json_mode, nl=nl)

    def finish(self, exit_code: int = 0, *errors: str) -> None:
        """Print the error lines on stderr, one per problem, and the JSON document (`--json`)."""
        self.doc["errors"].extend(errors)
        for error in errors:
            typer.echo(f"drgen: error: {error}", err=True)
        if self.json_mode:
            self.doc.update(result=RESULTS.get(exit_code, "error"), exit_code=exit_code)
            typer.echo(json.dumps(self.doc, indent=2, default=str))


def report_of(ctx: Any) -> Report:
    """The running command's Report (a plain one if it failed before making it)."""
    report: Report | None = ctx.meta.get(REPORT_KEY)
    return report if report is not None else Report("drgen", json_mode=False)


def start(
    ctx: typer.Context, command: str, json_mode: bool, *, quiet: bool = False, verbose: bool = False
) -> Report:
    """The command's Report, kept in the context so errors reach its JSON document."""
    report = Report(command, json_mode=json_mode, quiet=quiet, verbose=verbose)
    ctx.meta[REPORT_KEY] = report
    if quiet and verbose:
        raise DrgenError("--quiet and --verbose cannot be used together; choose one")
    return report
