"""How a file's bytes merge: line endings, a missing final newline, non-UTF-8 and binary files,
conflict blocks and the labels naming their sides.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drgen import __version__ as CURRENT
from drgen.errors import EXIT_CONFLICT
from drgen.update.changes import FileChange
from drgen.update.merge import Labels
from tests.update.files import crlf, edit, snapshot
from tests.update.repository import commit, outside_git
from tests.update.template_versions import (
    NEXT,
    README_V2,
    RETENTION_V1,
    RETENTION_V2,
    derive_template,
    install_version,
)


@pytest.mark.integration
@pytest.mark.usefixtures("v2")
def test_a_crlf_file_merges_line_by_line_and_stays_crlf(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    readme = project / "README.md"
    original = readme.read_text()
    readme.write_bytes(crlf(original.replace("# demo\n", "# demo\n\nOurs.\n")))
    commit(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert readme.read_bytes() == crlf(
        original.replace("# demo\n", "# demo\n\nOurs.\n") + README_V2
    )


@pytest.mark.integration
@pytest.mark.usefixtures("v2")
def test_a_missing_final_newline_stays_missing(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    compute = project / "infra" / "compute.py"
    original = compute.read_bytes()
    compute.write_bytes(original.rstrip(b"\n"))
    commit(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert "  merge            infra/compute.py" in result.stdout
    assert compute.read_bytes() == original.replace(
        RETENTION_V1.encode(), RETENTION_V2.encode()
    ).rstrip(b"\n")


@pytest.mark.integration
@pytest.mark.usefixtures("v2")
def test_files_the_template_did_not_change_stay_byte_identical(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    handler = project / "app" / "handler.py"
    handler.write_bytes(b"# caf\xe9 latin-1\r\n" + crlf(handler.read_text()))
    (project / "Pulumi.yaml").chmod(0o600)
    commit(project)
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert [line.split()[1].rstrip(":") for line in result.stdout.splitlines()[:-1]] == [
        "README.md",
        "infra/compute.py",
        "requirements-dev.txt",  # its drgen pin: the new version
    ]
    after = snapshot(project)
    for path in ("app/handler.py", "Pulumi.yaml", "infra/stack.py"):
        assert after[path] == before[path]


@pytest.mark.integration
@pytest.mark.usefixtures("v2")
def test_a_non_utf8_file_both_changed_is_a_conflict_and_stays_yours(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    compute = project / "infra" / "compute.py"
    ours = compute.read_bytes().replace(b"# ", b"# \xe9t\xe9 ", 1)
    compute.write_bytes(ours)
    commit(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_CONFLICT
    assert "  conflict-kept    infra/compute.py: CONFLICT: both changed it and it is not text " in (
        result.stdout
    )
    assert compute.read_bytes() == ours
    assert (project / "README.md").read_text().endswith(README_V2)


LOGO = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"


@pytest.mark.integration
def test_a_binary_file_of_the_template_is_recorded_exactly_and_merged_never(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    template = derive_template(tmp_path, NEXT, monkeypatch)
    (template / "project" / "logo.png").write_bytes(LOGO)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert (project / "logo.png").read_bytes() == LOGO
    record = json.loads((project / ".drgen" / "base.json").read_text())
    assert record["files"]["logo.png"] == {"base64": "iVBORw0KGgoA//4=", "mode": "644"}
    (project / "logo.png").write_bytes(LOGO + b"ours")
    commit(project)
    (template / "project" / "logo.png").write_bytes(LOGO + b"theirs")
    install_version(monkeypatch, "9.0.1")
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_CONFLICT
    assert result.stdout.splitlines()[0] == (
        "  conflict-kept    logo.png: CONFLICT: both changed it and it is not text drgen can "
        "merge; yours is kept, the template's change is in --pretend (template change: binary "
        "content)"
    )
    assert (project / "logo.png").read_bytes() == LOGO + b"ours"


@pytest.mark.integration
def test_two_conflicts_in_one_file_are_both_marked(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    compute = project / "infra" / "compute.py"
    edit(compute, RETENTION_V1, "LOG_RETENTION_DAYS = 14")
    compute.write_text(compute.read_text() + "# ours at the end\n")
    commit(project)
    template = derive_template(tmp_path, NEXT, monkeypatch)
    jinja = template / "project" / "infra" / "compute.py.jinja"
    jinja.write_text(jinja.read_text() + "# theirs at the end\n")
    verified: list[Path] = []
    monkeypatch.setattr("drgen.commands.verify.verify_project", verified.append)
    result = invoke("update", str(project))  # verification asked for, and skipped
    assert result.exit_code == EXIT_CONFLICT, result.output
    assert compute.read_text().count("<<<<<<< yours\n") == 2
    assert result.stdout == (
        "  update           README.md: updated from the template\n"
        "  conflict         infra/compute.py: CONFLICT: both changed the same lines; resolve the "
        "markers\n"
        "  update           requirements-dev.txt: updated from the template\n"
    )
    assert result.stderr == outside_git(project) + (
        "drgen: error: 1 conflict to resolve: infra/compute.py; edit it, then commit "
        "(the project's tests were not run)\n"
    )
    assert verified == []


@pytest.mark.integration
def test_conflict_labels_name_the_sides_when_only_answers_changed(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    pulumi = project / "Pulumi.dev.yaml"
    text = pulumi.read_text()
    line = next(x for x in text.splitlines() if "us-west-2" in x)
    pulumi.write_text(text.replace(line, line + "  # ours"))
    commit(project)
    result = invoke(
        "update", str(project), "--set", "regions=[us-east-1, eu-west-1]", "--no-verify"
    )
    assert result.exit_code == EXIT_CONFLICT, result.output
    merged = pulumi.read_text()
    assert f"<<<<<<< yours\n{line}  # ours\n||||||| base: drgen {CURRENT}\n{line}\n" in merged
    assert f">>>>>>> template: drgen {CURRENT}, new answers\n" in merged


def test_a_binary_base_is_never_merged_even_when_both_sides_are_text_now() -> None:
    from drgen.project.blob import Blob
    from drgen.update.changes import plan_file

    yours, base, theirs = Blob(b"ours as text\n"), Blob(LOGO), Blob(b"theirs as text\n")
    change = plan_file("logo.png", yours, base, theirs, Labels())
    assert change == FileChange("logo.png", "conflict-kept", yours, None, (base, theirs))


def test_a_file_with_mixed_line_endings_keeps_each_lines_ending() -> None:
    from drgen.update.merge import merge_bytes

    base = b"one\ntwo\nthree\nfour\n"
    yours = b"one\r\ntwo\r\nthree\nfour\n"  # half CRLF: not converted either way
    theirs = b"one\ntwo\nthree\nFOUR\n"
    assert merge_bytes(yours, base, theirs, Labels()) == (b"one\r\ntwo\r\nthree\nFOUR\n", 0)


def test_a_template_side_in_crlf_merges_with_a_crlf_file_of_yours() -> None:
    from drgen.update.merge import merge_bytes

    # the template turned its file to CRLF since the base: base and theirs differ in endings
    base = b"one\ntwo\nthree\nfour\n"
    yours = b"ONE\r\ntwo\r\nthree\r\nfour\r\n"
    theirs = b"one\r\ntwo\r\nthree\r\nFOUR\r\n"
    assert merge_bytes(yours, base, theirs, Labels()) == (b"ONE\r\ntwo\r\nthree\r\nFOUR\r\n", 0)


def test_a_failing_git_is_one_error_line_not_a_merged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drgen.errors import DrgenError
    from drgen.update.merge import merge_bytes

    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'fatal: out of memory' >&2\necho partial\nexit 255\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(DrgenError) as raised:
        merge_bytes(b"a\nB\n", b"a\nb\n", b"A\nb\n", Labels())
    assert str(raised.value) == "git merge-file failed: fatal: out of memory"
