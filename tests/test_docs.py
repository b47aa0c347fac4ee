"""The CLI reference is the real `--help` output; the README's commands are what CI runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from drgen.cli.app import app
from drgen.cli.help import EPILOGS
from drgen.commands.new import PULUMI_NEEDS
from drgen.errors import EXIT_OK, DrgenError

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


QUICK_START = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/drgen "


@pytest.mark.integration
def test_the_quick_start_creates_the_project_beside_the_checkout(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Run from the checkout as the README says, `demo/` lands beside it, never in it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith(QUICK_START))
    checkout = tmp_path / "drgen"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    result = invoke(*shlex.split(line.removeprefix(QUICK_START)), "--no-verify")
    assert result.exit_code == 0, result.output
    assert list(checkout.iterdir()) == []
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()
    assert "  cd ../demo" in result.stdout.splitlines()


@pytest.mark.integration
def test_the_guides_pipeline_run_is_what_new_prints(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The user guide's `drgen new` in a pipeline, but for the verification's own lines."""
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    command = "$ drgen new demo --defaults --alarm-email oncall@example.com\n"
    block = guide.split(command, 1)[1].split("```", 1)[0].splitlines()
    verification = ("Running the project's tests", "  collected ", "Verified: ")
    shown = [line for line in block if not line.startswith(verification)]
    (tmp_path / "guide").mkdir()
    monkeypatch.chdir(tmp_path / "guide")
    result = invoke(*shlex.split(command.removeprefix("$ drgen ")), "--no-verify")
    assert result.exit_code == 0, result.output
    printed = result.stdout.replace(str(tmp_path), "/tmp").splitlines()
    assert [line for line in printed if not line.startswith("Skipped verification")] == shown


@pytest.mark.parametrize("doc", ["README.md", "templates/project/README.md.jinja"])
def test_what_pulumi_needs_is_said_one_line_each(doc: str) -> None:
    """drgen's README and the generated one list what the next steps name (PULUMI_NEEDS)."""
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    start = lines.index("`pulumi` needs, on the machine that runs it:")
    assert lines[start + 2 : start + 2 + len(PULUMI_NEEDS)] == [f"- {n}" for n in PULUMI_NEEDS]


def documented_codes(doc: str) -> list[int]:
    """The codes of the "Exit codes" table of a page, in its order."""
    section = (ROOT / "docs" / doc).read_text().split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return [int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)]


def raised_codes() -> set[int]:
    """Every exit code drgen ends with: 0, or a DrgenError's (app.py maps each, once)."""
    codes, pending = {EXIT_OK}, [DrgenError]
    while pending:
        error = pending.pop()
        codes.add(error.exit_code)
        pending += error.__subclasses__()
    return codes


def test_raised_codes_finds_every_subclass() -> None:
    """The audit's own errors (1 and 2), below two levels of subclasses, are found."""
    assert {0, 1, 2, 3, 4, 5, 6, 7, 8, 130} <= raised_codes()


@pytest.mark.parametrize("doc", ["cli.md", "user-guide.md"])
def test_each_exit_code_has_one_row_and_is_one_drgen_ends_with(doc: str) -> None:
    codes = documented_codes(doc)
    assert len(codes) == len(set(codes)), f"docs/{doc}: an exit code with two rows: {codes}"
    assert codes == sorted(codes), f"docs/{doc}: the exit codes are out of order: {codes}"
    assert set(codes) == raised_codes(), f"docs/{doc} documents {codes}, drgen raises " + str(
        sorted(raised_codes())
    )


@pytest.mark.parametrize("command", sorted(EPILOGS))
def test_each_help_ends_with_two_examples_and_its_exit_codes(command: str) -> None:
    text = help_text(command)
    examples = text.split("Examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(examples) == 2 and all(
        line.startswith(f"    drgen {command}") for line in examples
    ), examples
    listed = text.split("Exit codes (all of them: docs/cli.md#exit-codes):\n", 1)[1]
    codes = [int(line.split()[0]) for line in listed.splitlines()]
    assert codes[0] == 0 and codes[-1] == 130, codes
    assert set(codes) <= set(documented_codes("cli.md")), codes


@pytest.mark.parametrize("command", COMMANDS[1:], ids=lambda c: c[0])
def test_help_names_arguments_as_written_and_each_default_once(command: tuple[str, ...]) -> None:
    text = help_text(*command)
    usage = text.splitlines()[0]
    assert "{" not in usage and usage.endswith(("[NAME]", "[PATH]")), usage
    assert not re.search(r"<(str|path|int|float)>", text), text
    # one form for every default, in the help's own words: "(default: current directory)"
    assert "[default:" not in text, text


@pytest.mark.parametrize(
    "example", [e for examples, _ in EPILOGS.values() for e in examples], ids=lambda e: e
)
def test_each_example_parses(example: str) -> None:
    """Its options exist and take what it gives them (parsed by the command, not run)."""
    words = shlex.split(example.split(" > ")[0])
    group = typer.main.get_command(app)
    command = group.commands[words[1]]  # type: ignore[attr-defined]
    command.make_context(words[1], words[2:])


if __name__ == "__main__":
    refresh_cli_reference()
