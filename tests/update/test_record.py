"""The record in `.drgen/` is untrusted input (update runs in CI on pull requests): a hostile or
damaged one is one error line, exit 2, and nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drgen import __version__ as CURRENT
from drgen.errors import EXIT_NEWER, EXIT_OUTDATED, EXIT_USAGE
from tests.update.files import edit, snapshot, write_base
from tests.update.repository import commit


@pytest.mark.integration
@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../victim.txt", "leaves the project ('..')"),
        ("infra/../../victim.txt", "leaves the project ('..')"),
        ("/etc/hostname", "is absolute"),
        (".git/config", "is inside .git/"),
        ("app/.GIT/hooks/pre-commit", "is inside .git/"),
        (".drgen/answers.yml", "is inside drgen's own .drgen/"),
        ("infra//x.py", "is not a normalized relative path"),
        ("./README.md", "is not a normalized relative path"),
        ("", "is not a file path"),
        ("infra\\\\x.py", "is not a POSIX relative path"),
    ],
)
def test_a_record_path_outside_the_project_is_refused_and_nothing_is_written(
    invoke, project: Path, outside: Path, path: str, problem: str
) -> None:  # type: ignore[no-untyped-def]
    path = path.replace("\\\\", "\\")
    # the attack: a base entry equal to the victim, which the template does not render,
    # would be "deleted because the template no longer generates it"
    write_base(project, lambda r: r["files"].__setitem__(path, outside.read_text()))
    before = snapshot(project.parent)
    for args in ([], ["--pretend"], ["--check"]):
        result = invoke("update", str(project), "--no-verify", *args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert result.stderr == (
            f"drgen: error: .drgen/base.json in {str(project)!r} is refused: "
            f"the path {path!r} {problem}\n"
        )
    assert snapshot(project.parent) == before


BASE = ".drgen/base.json in {project!r}"


ANSWERS = ".drgen/answers.yml in {project!r}"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("file", "content", "error"),
    [
        ("base.json", "[1, 2]", BASE + " is damaged: expected a mapping, found a list"),
        ("base.json", "{", BASE + " is damaged: not valid JSON"),
        ("base.json", b"\xff\xfe", BASE + " is damaged: it is not UTF-8 text (byte 1)"),
        ("answers.yml", b"a: caf\xe9\n", ANSWERS + " is damaged: it is not UTF-8 text (byte 7)"),
        (
            "base.json",
            '{"format": 2, "drgen_version": "V", "files": []}',
            BASE + " is damaged: files must be a mapping, found a list",
        ),
        (
            "base.json",
            '{"format": "2", "drgen_version": "V", "files": {}}',
            BASE + " is damaged: format must be 1 or 2, found '2'",
        ),
        (
            "base.json",
            '{"format": true, "drgen_version": "V", "files": {}}',
            BASE + " is damaged: format must be 1 or 2, found True",
        ),
        (
            "base.json",
            '{"format": 2, "drgen_version": 2, "files": {}}',
            BASE + ' is damaged: drgen_version must be a version like "0.1.0"',
        ),
        (
            "base.json",
            '{"format": 2, "drgen_version": "V", "files": {"a.py": 7}}',
            BASE + ": file 'a.py' must be a mapping, found a number",
        ),
        (
            "base.json",
            '{"format": 1, "drgen_version": "V", "files": {"a.py": ["x"]}}',
            BASE + ": file 'a.py' must be text, found a list",
        ),
        (
            "base.json",
            '{"format": 2, "drgen_version": "V", "files": {"a.py": {"text": "x"}}}',
            BASE + ": file 'a.py' has no valid mode (e.g. \"644\")",
        ),
        (
            "base.json",
            '{"format": 2, "drgen_version": "V", "files": {"a.py": {"mode": "644"}}}',
            BASE + ": file 'a.py' needs either text or base64",
        ),
        (
            "base.json",
            '{"format": 2, "drgen_version": "V", "files": {"a": {"base64": "!", "mode": "644"}}}',
            BASE + ": file 'a' is not valid base64",
        ),
        (
            "base.json",
            '{"format": 2, "drgen_version": "0.0.1", "files": {}}',
            BASE + " is damaged: its drgen_version differs from answers.yml",
        ),
        ("answers.yml", "- a\n- b\n", ANSWERS + " is damaged: expected a mapping, found a list"),
        ("answers.yml", "a: [\n", ANSWERS + " is damaged: not valid YAML"),
        (
            "answers.yml",
            "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
            ANSWERS + " is damaged: not valid YAML",  # aliases, as a YAML bomb is made of
        ),
        (
            "base.json",
            b'{"files": "' + b"x" * (8 * 1024 * 1024) + b'"}',
            BASE + " is refused: it is larger than 8 MB",
        ),
        (
            "answers.yml",
            "drgen_version: V\nanswers: [1]\n",
            ANSWERS + " is damaged: answers must be a mapping with project_name",
        ),
        (
            "answers.yml",
            "drgen_version: V\nanswers: {project_name: 5}\n",
            ANSWERS + " is damaged: answers must be a mapping with project_name",
        ),
        (
            "answers.yml",
            "drgen_version: V\nanswers: {project_name: demo, regions: 3}\n",
            ANSWERS + " is damaged: regions: expected a list of region codes or a "
            "comma-separated string, got integer 3; missing answers: env_suffix, route53, network",
        ),
    ],
)
def test_a_damaged_record_is_one_line_exit_2_and_nothing_written(
    invoke, project: Path, file: str, content: str | bytes, error: str
) -> None:  # type: ignore[no-untyped-def]
    path = project / ".drgen" / file
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.replace('"V"', f'"{CURRENT}"').replace(" V\n", f" {CURRENT}\n"))
    commit(project)
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == f"drgen: error: {error.format(project=str(project))}\n"
    assert result.stdout == ""
    assert snapshot(project) == before


def test_a_project_from_a_newer_drgen_is_refused_by_update_and_check(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("answers.yml", "base.json"):
        edit(project / ".drgen" / name, CURRENT, "99.0.0")
    commit(project)
    before = snapshot(project)
    line = (
        f"drgen: error: {str(project)!r} was generated by drgen 99.0.0, newer than the installed "
        f"drgen {CURRENT}; install drgen 99.0.0 or later to update it\n"
    )
    for args in ([], ["--check"], ["--pretend"]):
        result = invoke("update", str(project), "--no-verify", *args)
        assert (result.exit_code, result.stderr) == (EXIT_NEWER, line)
    result = invoke("update", str(project), "--check", "--json")
    assert json.loads(result.stdout)["result"] == "newer"
    assert snapshot(project) == before


@pytest.mark.integration
@pytest.mark.parametrize(
    ("recorded", "installed", "newer"),
    [
        ("0.3.0.dev4+g1a2b3c", "0.3.0rc1", False),
        ("0.3.0rc1", "0.3.0", False),
        ("0.3.0", "0.3.0.post1", False),
        ("0.2.0.post1", "0.2.0.post1", False),
        ("0.3.0+local.7", "0.3.0", False),
        ("0.3.1+local.7", "0.3.0+g1a2b3c", True),
        ("0.3.0.post1", "0.3.0", True),
        ("0.3.0", "0.3.0rc1", True),
        ("0.3.0rc1", "0.3.0.dev4+g1a2b3c", True),
    ],
)
def test_versions_are_ordered_as_pep_440_orders_releases(  # type: ignore[no-untyped-def]
    invoke,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    recorded: str,
    installed: str,
    newer: bool,
) -> None:
    for name in ("answers.yml", "base.json"):
        edit(project / ".drgen" / name, CURRENT, recorded)
    commit(project)
    for module in ("drgen.update.record", "drgen.update.plan"):
        monkeypatch.setattr(f"{module}.__version__", installed)
    result = invoke("update", str(project), "--check", "--no-verify")
    if newer:
        assert result.exit_code == EXIT_NEWER, result.output
        assert f"generated by drgen {recorded}, newer than the installed drgen {installed}" in (
            result.stderr
        )
    else:
        assert result.exit_code in (0, EXIT_OUTDATED), result.output
        assert "Traceback" not in result.output and result.stderr == ""


def test_a_symlinked_record_file_is_refused_not_followed(
    invoke, project: Path, outside: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    answers = project / ".drgen" / "answers.yml"
    outside.write_bytes(answers.read_bytes())
    answers.unlink()
    answers.symlink_to(outside)
    commit(project)
    before = snapshot(tmp_path)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        f"drgen: error: .drgen/answers.yml in {str(project)!r} is a symbolic link; "
        "drgen reads its record only inside\n"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.integration
def test_a_record_text_with_a_lone_surrogate_is_read_not_a_traceback(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    # JSON can spell text UTF-8 cannot hold ("\ud800"); drgen never writes it, a hand can. The
    # README on disk is the template's already, so there is nothing to change.
    write_base(project, lambda r: r["files"]["README.md"].update(text="old\ud800\n"))
    before = snapshot(project)
    result = invoke("update", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 files would change; nothing was written (--pretend)\n"
    assert snapshot(project) == before
