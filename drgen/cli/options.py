"""Options several commands share, and shell completion of a closed set of values."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import typer

QUIET_OPTION = typer.Option(
    "--quiet", "-q", help="Print only errors and the final result line (no progress)."
)
VERBOSE_OPTION = typer.Option(
    "--verbose", "-v", help="Stream pytest's own output (each test by name) while the tests run."
)
JSON_OPTION = typer.Option(
    "--json", help="Print one JSON document (result, paths, versions, coverage, errors) on stdout."
)
PROJECT_ARGUMENT = typer.Argument(
    metavar="PATH", help="The generated project (default: current directory).", show_default=False
)
STACK_OPTION = typer.Option(
    "--stack", "-s", metavar="NAME", help="Use Pulumi.NAME.yaml (default: the only one)."
)


def complete(values: Sequence[str]) -> Callable[[str], list[str]]:
    """Shell completion of an option: the values starting with the word typed."""

    def completions(incomplete: str) -> list[str]:
        head, comma, word = incomplete.rpartition(",")  # `-r us-east-1,us-w` completes too
        return [head + comma + v for v in values if v.startswith(word.lower())]

    return completions
