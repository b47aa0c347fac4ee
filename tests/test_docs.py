"""The CLI reference is the real `--help` output; the README's commands are what CI runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from drgen.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def help_text(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="drgen")
    assert result.exit_code == 0, result.output
    return result.stdout


COMMANDS = [(), ("new",), ("verify",), ("update",), ("audit",), ("report",)]


def help_block(command: tuple[str, ...]) -> str:
    return f"```text\n$ drgen {' '.join((*command, '--help')).strip()}\n{help_text(*command)}```"


@pytest.mark.parametrize(
    "command", COMMANDS, ids=["drgen", "new", "verify", "update", "audit", "report"]
)
def test_cli_reference_shows_the_current_help(command: tuple[str, ...]) -> None:
    reference = (ROOT / "docs" / "cli.md").read_text()
    block = help_block(command)
    assert block in reference, (
        f"docs/cli.md is out of date (refresh: python -m tests.test_docs); expected:\n{block}"
    )


def refresh_cli_reference() -> None:
    """Replace each help block of docs/cli.md with the current `--help` output."""
    path = ROOT / "docs" / "cli.md"
    text = path.read_text()
    for command in COMMANDS:
        head = f"```text\n$ drgen {' '.join((*command, '--help')).strip()}\n"
        start = text.index(head)
        end = text.index("```", start + len(head)) + 3
        text = text[:start] + help_block(command) + text[end:]
    path.write_text(text)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    command = (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && npm ci --prefix tests/js "
        "&& .venv/bin/python -m pytest"
    )
    assert f"```bash\n{command}\n```" in readme
    assert (ROOT / ".ci" / "run").read_text().strip().endswith(command)


if __name__ == "__main__":
    refresh_cli_reference()
