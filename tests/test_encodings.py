"""Text is UTF-8 whatever the locale: an ASCII locale with Python's UTF-8 mode off changes
nothing, and a file that is not UTF-8 is one `drgen: error:` line naming it (exit 2)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drgen.answers.rules import build_answers
from drgen.errors import EXIT_USAGE
from drgen.project.render import generate

ROOT = Path(__file__).resolve().parent.parent
#: What `env LC_ALL=C PYTHONUTF8=0` gives a process: ASCII as the preferred encoding.
ASCII_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0"}
#: Text in every file the commands read: a comment, a description, a config value.
ACCENTS = "Café — résumé, Zürich"
LATIN_1 = "# caf\xe9\n".encode("latin-1")  # byte 0xe9 alone: not UTF-8


def drgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """drgen in its own process under an ASCII locale, as `env LC_ALL=C PYTHONUTF8=0` runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIO"))}
    return subprocess.run(
        [sys.executable, "-m", "drgen", *args],
        cwd=cwd,
        env={**env, **ASCII_LOCALE},
        capture_output=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=300,
        check=False,
    )


def test_the_locale_really_is_ascii_in_the_child(tmp_path: Path) -> None:
    """Without this the tests below would prove nothing on a machine whose C locale is UTF-8."""
    probe = subprocess.run(
        [sys.executable, "-c", "import locale, sys; print(locale.getpreferredencoding(False), "
         "sys.flags.utf8_mode)"],
        env={**os.environ, **ASCII_LOCALE}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.split() == ["ANSI_X3.4-1968", "0"], probe.stdout


def bare_project(root: Path) -> Path:
    """A Pulumi Python project (no AWS, so quick) with non-ASCII text in each file audit reads."""
    project = root / "bare"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        f'name: bare\ndescription: "{ACCENTS}"\nruntime: python\n', encoding="utf-8"
    )
    (project / "Pulumi.dev.yaml").write_text(
        f'# {ACCENTS}\nconfig:\n  bare:city: "{ACCENTS}"\n', encoding="utf-8"
    )
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "bare"\ndescription = "{ACCENTS}"\n', encoding="utf-8"
    )
    (project / "__main__.py").write_text(
        f'# {ACCENTS}\nimport pulumi\n\npulumi.export("city", pulumi.Config().get("city"))\n',
        encoding="utf-8",
    )
    return project


@pytest.mark.integration
def test_audit_reads_utf8_files_under_an_ascii_locale(tmp_path: Path) -> None:
    project = bare_project(tmp_path)
    result = drgen("audit", str(project), "--ignore", "R7", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "bare (stack dev): clean" in result.stdout


@pytest.mark.parametrize(
    "name", ["Pulumi.yaml", "Pulumi.dev.yaml", "pyproject.toml"], ids=["project", "stack", "toml"]
)
def test_audit_names_a_file_that_is_not_utf8(tmp_path: Path, name: str) -> None:
    project = bare_project(tmp_path)
    path = project / name
    path.write_bytes(path.read_bytes() + LATIN_1)
    result = drgen("audit", str(project), cwd=tmp_path)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stderr.startswith(
        f"drgen: error: cannot read {path}: it is not UTF-8 text (byte "
    )
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""


@pytest.mark.integration
def test_audit_names_a_program_file_python_cannot_decode(tmp_path: Path) -> None:
    """Python reads source as UTF-8 (PEP 3120): the program's own error names file and line."""
    project = bare_project(tmp_path)
    main = project / "__main__.py"
    main.write_bytes(main.read_bytes() + b'X = "caf\xe9"\n')
    result = drgen("audit", str(project), cwd=tmp_path)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stderr.startswith(f"drgen: error: {project}: the program failed: SyntaxError")
    assert "(__main__.py:5)" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def baked(root: Path) -> Path:
    """The default project, with non-ASCII text in the files report reads."""
    answers = {
        "regions": ["us-east-1", "us-west-2"], "env_suffix": "dev", "route53": False,
        "network": "none", "ci": "github",
    }  # fmt: skip
    project = generate(build_answers("demo", answers), root / "demo")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", ".drgen/answers.yml", "__main__.py"):
        path = project / name
        path.write_text(path.read_text(encoding="utf-8") + f"# {ACCENTS}\n", encoding="utf-8")
    return project


@pytest.mark.slow
def test_report_reads_utf8_files_under_an_ascii_locale(tmp_path: Path) -> None:
    project = baked(tmp_path)
    result = drgen("report", str(project), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Survives" in result.stdout or "survives" in result.stdout, result.stdout


@pytest.mark.integration
def test_report_names_a_record_that_is_not_utf8(tmp_path: Path) -> None:
    project = baked(tmp_path)
    record = project / ".drgen" / "answers.yml"
    record.write_bytes(record.read_bytes() + LATIN_1)
    result = drgen("report", "demo", cwd=tmp_path)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stderr.startswith(
        "drgen: error: 'demo/.drgen/answers.yml' is damaged: it is not UTF-8 text (byte "
    )
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.integration
def test_report_names_a_stack_file_that_is_not_utf8(tmp_path: Path) -> None:
    project = baked(tmp_path)
    stack = project / "Pulumi.dev.yaml"
    stack.write_bytes(stack.read_bytes() + LATIN_1)
    result = drgen("report", str(project), cwd=tmp_path)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stderr.startswith(f"drgen: error: cannot read {stack}: it is not UTF-8 text")
    assert result.stderr.count("\n") == 1, result.stderr


#: Calls that read or write text in the locale's encoding unless they name one.
TEXT_CALLS = {"read_text", "write_text", "open", "fdopen", "run", "Popen", "check_output"}


def unnamed_encodings(source: str) -> list[int]:
    """The lines of calls in `source` that read or write text without naming its encoding."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in TEXT_CALLS or (name.endswith("_text") and isinstance(func, ast.Name)):
            continue  # drgen.files.read_text is UTF-8 itself
        keywords = {k.arg: k.value for k in node.keywords}
        if "encoding" in keywords:
            continue
        if name in {"run", "Popen", "check_output"}:
            text = keywords.get("text") or keywords.get("universal_newlines")
            if isinstance(text, ast.Constant) and text.value:
                lines.append(node.lineno)
            continue
        if name in {"open", "fdopen"}:
            on = (
                func.value.id
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                else ""
            )
            if on == "os" and name == "open":
                continue  # a file descriptor, no text
            # open(file, mode) and os.fdopen(fd, mode); a Path's .open(mode)
            at = 0 if isinstance(func, ast.Attribute) and name == "open" else 1
            mode = keywords.get("mode") or (node.args[at] if len(node.args) > at else None)
            if isinstance(mode, ast.Constant) and "b" in str(mode.value):
                continue
        lines.append(node.lineno)
    return lines


def test_the_encoding_check_finds_each_kind_of_unnamed_encoding() -> None:
    source = (
        "p.read_text()\np.write_text(s)\nopen(f)\np.open()\nopen(f, 'w')\n"
        "subprocess.run(c, text=True)\n"
        "p.read_text(encoding='utf-8')\nopen(f, 'rb')\np.open('rb')\nos.open(f, 0)\n"
        "subprocess.run(c, capture_output=True)\nos.fdopen(fd, 'wb')\n"
    )
    assert unnamed_encodings(source) == [1, 2, 3, 4, 5, 6]


def test_every_text_read_and_write_in_drgen_names_its_encoding() -> None:
    """ruff's PLW1514 sees only what it can type (a `Path(...)`); this sees every call."""
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "drgen").rglob("*.py"))
        for line in unnamed_encodings(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"text read or written in the locale's encoding: {found}"
