"""How `--help` reads: `NAME` in the usage line, no type tags, two examples and the exit codes.

typer 0.29 writes a required argument as `{NAME}` in the usage line and tags each argument
with its Python type (`NAME <str>`); neither is how a person writes a command line.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

from drgen.audit.program import EXIT_FINDINGS
from drgen.errors import (
    EXIT_BUSY,
    EXIT_CONFLICT,
    EXIT_DIRTY,
    EXIT_INTERRUPTED,
    EXIT_NEWER,
    EXIT_OK,
    EXIT_OUTDATED,
    EXIT_USAGE,
    EXIT_VERIFY_FAILED,
)

#: Where every exit code is explained, one row each.
EXIT_CODES_DOC = "docs/cli.md#exit-codes"

#: Each command's examples (two) and the exit codes it can end with, as its help shows them.
EPILOGS: dict[str, tuple[tuple[str, ...], dict[int, str]]] = {
    "new": (
        (
            "drgen new shop -r eu-west-1,eu-central-1 --alarm-email oncall@example.com",
            "drgen new copy --answers-file shop/.drgen/answers.yml --yes",
        ),
        {
            EXIT_OK: "created and verified",
            EXIT_USAGE: "refused; nothing was written",
            EXIT_VERIFY_FAILED: "its tests failed",
            EXIT_BUSY: "another drgen is writing there",
        },
    ),
    "verify": (
        ("drgen verify shop", "drgen verify --json > verification.json"),
        {
            EXIT_OK: "100% statement and branch coverage",
            EXIT_USAGE: "not a drgen project",
            EXIT_VERIFY_FAILED: "tests failed or lines uncovered",
        },
    ),
    "update": (
        ("drgen update shop --pretend", "drgen update --set alarm_email=oncall@example.com"),
        {
            EXIT_OK: "updated (--check: up to date)",
            EXIT_USAGE: "refused; nothing was written",
            EXIT_VERIFY_FAILED: "its tests failed",
            EXIT_CONFLICT: "conflicts to resolve (--check: conflict markers left)",
            EXIT_OUTDATED: "--check: behind the installed template",
            EXIT_DIRTY: "uncommitted changes in its git working tree",
            EXIT_NEWER: "a newer drgen generated it",
            EXIT_BUSY: "another drgen is writing it",
        },
    ),
    "audit": (
        ("drgen audit ./infra --stack prod", "drgen audit --fail-on warning --sarif audit.sarif"),
        {
            EXIT_OK: "no finding at --fail-on",
            EXIT_FINDINGS: "findings at --fail-on or worse",
            EXIT_USAGE: "the program or an option cannot be used",
        },
    ),
    "report": (
        ("drgen report shop", "drgen report --stack prod --json"),
        {EXIT_OK: "reported", EXIT_USAGE: "not a drgen project, or its program cannot run"},
    ),
}


def epilog(command: str) -> str:
    """The examples and the exit codes, each paragraph marked for click to keep its lines."""
    examples, codes = EPILOGS[command]
    shown = "\n".join(f"  {example}" for example in examples)
    listed = "\n".join(
        f"  {code:<4} {meaning}"
        for code, meaning in {**codes, EXIT_INTERRUPTED: "interrupted (Ctrl-C, SIGTERM)"}.items()
    )
    return f"\b\nExamples:\n{shown}\n\n\b\nExit codes (all of them: {EXIT_CODES_DOC}):\n{listed}"


class Command(TyperCommand):
    """A drgen command's help: arguments named as in the usage line, without type tags."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # typer's vendored click.Context
        """`drgen new [OPTIONS] [NAME]`, `drgen verify [OPTIONS] [PATH]`."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The Arguments and Options sections; an argument's name without `<str>`."""
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _name(param: Any) -> str:
    return str(param.metavar or param.name.upper())
