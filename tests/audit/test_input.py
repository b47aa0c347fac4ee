"""The files the audit reads are untrusted input: a YAML bomb, an oversized or undecodable file
and a stack config directory outside the project are one `drgen: error:` line, exit 2, fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from drgen.answers.rules import build_answers
from drgen.files import MAX_INPUT_BYTES
from drgen.project.render import generate
from tests.audit.test_cli import bare_project

#: "Billion laughs": nine levels of nine aliases, 9**9 strings once expanded (gigabytes).
BOMB = "".join(
    [
        "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
        *(f"  a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)),
        "  bomb: *a8\n",
    ]
)
#: The line of the first alias: `config:` heads the stack file, follows two lines in Pulumi.yaml.
FIRST_ALIAS = {"stack": 3, "manifest": 5}
ALIAS_REFUSED = "YAML aliases are not accepted: write the value out"
MANIFEST = "name: bare\nruntime: python\n"
PROGRAM = "open('ran', 'w').close()\n"


def refused(result, path: Path) -> str:  # type: ignore[no-untyped-def]
    """The one error line, after checking the exit code and that nothing ran."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert not (path.parent / "ran").exists(), "the program ran"
    return str(result.stderr)


@pytest.mark.parametrize("where", ["stack", "manifest"])
def test_a_yaml_bomb_is_refused_at_its_first_alias(invoke, tmp_path: Path, where: str) -> None:  # type: ignore[no-untyped-def]
    project = bare_project(tmp_path, PROGRAM, manifest=MANIFEST)
    path = project / ("Pulumi.dev.yaml" if where == "stack" else "Pulumi.yaml")
    path.write_text(("" if where == "stack" else MANIFEST) + "config:\n" + BOMB)
    line = FIRST_ALIAS[where]
    started = time.monotonic()
    result = invoke("audit", str(project))
    assert time.monotonic() - started < 10, "the bomb was expanded before it was refused"
    assert refused(result, path) == (
        f"drgen: error: cannot read {path}: it uses a YAML alias at line {line}; {ALIAS_REFUSED}\n"
    )


def test_an_oversized_stack_file_is_refused_without_reading_it(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = bare_project(tmp_path, PROGRAM, manifest=MANIFEST)
    stack = project / "Pulumi.dev.yaml"
    stack.write_text("config:\n  bare:big: " + "x" * MAX_INPUT_BYTES + "\n")
    result = invoke("audit", str(project))
    assert refused(result, stack) == (
        f"drgen: error: cannot read {stack}: it is larger than 8 MB\n"
    )


@pytest.mark.parametrize("value", ["..", "../stacks", "inside/../..", "{outside}"])
def test_a_stack_config_dir_outside_the_project_is_refused(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, value: str
) -> None:
    """Like `main:`, `stackConfigDir` is relative to Pulumi.yaml and must stay in the project."""
    outside = tmp_path / "stacks"
    outside.mkdir()
    (outside / "Pulumi.dev.yaml").write_text("config:\n  bare:from: outside\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  bare:from: outside\n")
    project = bare_project(tmp_path, PROGRAM)
    (project / "inside").mkdir()
    shown = value.format(outside=outside)
    manifest = project / "Pulumi.yaml"
    manifest.write_text(f"{MANIFEST}stackConfigDir: {shown}\n")
    result = invoke("audit", str(project))
    assert refused(result, manifest) == (
        f"drgen: error: {manifest}: stackConfigDir {shown!r} leads outside the project; "
        "accepted: a directory inside the project directory, relative to Pulumi.yaml\n"
    )


@pytest.mark.integration
def test_report_refuses_a_yaml_bomb_in_the_stack_file(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = {
        "regions": ["us-east-1", "us-west-2"], "env_suffix": "dev", "route53": False,
        "network": "none",
    }  # fmt: skip
    project = generate(build_answers("demo", answers), tmp_path / "demo")
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text(encoding="utf-8") + BOMB, encoding="utf-8")
    result = invoke("report", str(project))
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"drgen: error: cannot read {stack}: it uses a YAML alias at line ")
    assert line.endswith(ALIAS_REFUSED), line
