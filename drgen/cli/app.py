"""The `drgen` command group: its commands, `--version`, and every error mapped in one place."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from drgen import __version__, interrupts
from drgen.cli.audit import audit
from drgen.cli.help import EXIT_CODES_DOC, Command, epilog
from drgen.cli.new import new
from drgen.cli.output import REPORT_KEY, Report, report_of
from drgen.cli.report import report
from drgen.cli.update import update
from drgen.cli.verify import verify
from drgen.errors import EXIT_INTERRUPTED, DrgenError


class _Group(TyperGroup):
    """Turns every `DrgenError` into its message and exit code, in one place."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer.Context
        """Say why on a Ctrl-C while typer parses, as before any command starts.

        typer ends that interrupt (it lands while typer lazily imports pydantic) with a
        silent exit 130.
        """
        try:
            return super().parse_args(ctx, args)
        except KeyboardInterrupt:
            report = Report("drgen", json_mode="--json" in args)
            report.finish(EXIT_INTERRUPTED, "interrupted; nothing was written")
            ctx.exit(EXIT_INTERRUPTED)
            raise  # unreachable: ctx.exit raises; for the type checker

    def invoke(self, ctx: Any) -> Any:  # typer.Context; its base class is private
        try:
            value = super().invoke(ctx)
        except DrgenError as error:
            interrupts.command_decided()
            report_of(ctx).finish(error.exit_code, *error.lines)
            ctx.exit(error.exit_code)
        except (KeyboardInterrupt, typer.Abort):
            interrupts.command_decided()
            message = "interrupted; nothing was left half-written"
            report_of(ctx).finish(EXIT_INTERRUPTED, message)
            ctx.exit(EXIT_INTERRUPTED)
        # typer would end a Ctrl-C from here on with a silent exit 130, after the work is done
        interrupts.command_decided()
        if REPORT_KEY in ctx.meta:
            ctx.meta[REPORT_KEY].finish()
        return value


app = typer.Typer(
    cls=_Group,
    help="Generate, verify and update multi-region disaster-recovery stacks on AWS (Pulumi).",
    epilog=f"drgen COMMAND --help shows its examples and exit codes ({EXIT_CODES_DOC}).",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "terminal_width": 100,
    },
)
for command in (new, verify, update, audit, report):
    app.command(cls=Command, epilog=epilog(command.__name__))(command)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"drgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate, verify and update multi-region disaster-recovery stacks on AWS (Pulumi)."""


def main() -> None:
    """Console entry point."""
    app()
