"""Writing an update: a blocked path fails before any write, a failure or Ctrl-C at any write
puts every byte and mode back, and temporary files are private and never left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from drgen.errors import EXIT_INTERRUPTED, EXIT_USAGE
from tests.update.files import crlf, edit, mode, snapshot
from tests.update.repository import commit, outside_git
from tests.update.template_versions import NEXT, RETENTION_V2, add_script, derive_template

pytestmark = pytest.mark.integration


def test_a_directory_where_the_template_adds_a_file_fails_before_writing(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    template = derive_template(tmp_path, NEXT, monkeypatch)
    add_script(template)
    (project / "scripts" / "smoke.sh").mkdir(parents=True)
    (project / "scripts" / "smoke.sh" / "mine").write_bytes(b"mine\n")
    commit(project)
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: cannot write 'scripts/smoke.sh': 'scripts/smoke.sh' is a directory where "
        "the template puts a file; move it away and run again\n"
    )
    assert snapshot(project) == before


def test_a_file_where_the_template_needs_a_directory_fails_before_writing(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    template = derive_template(tmp_path, NEXT, monkeypatch)
    add_script(template)
    (project / "scripts").write_bytes(b"a file of mine\n")
    commit(project)
    before = snapshot(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: cannot write 'scripts/smoke.sh': 'scripts' is a file where a directory "
        "is needed; move it away and run again\n"
    )
    assert snapshot(project) == before


@pytest.mark.parametrize("failure", ["disk-full", "ctrl-c"])
def test_a_failure_at_every_write_puts_back_every_byte_and_mode(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:  # type: ignore[no-untyped-def]
    assert (
        invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify").exit_code == 0
    )
    pristine = tmp_path / "demo"
    edit(pristine / "README.md", "# demo\n", "# demo\n\nOurs.\n")  # merge
    (pristine / "Pulumi.yaml").write_bytes(crlf((pristine / "Pulumi.yaml").read_text()))
    (pristine / "app" / "handler.py").chmod(0o700)
    # a file an older template generated alone in its directory: its delete removes the directory
    (pristine / "tools").mkdir()
    (pristine / "tools" / "old.py").write_bytes(b"OLD = 1\n")
    record = json.loads((pristine / ".drgen" / "base.json").read_text())
    record["files"]["tools/old.py"] = {"text": "OLD = 1\n", "mode": "644"}
    (pristine / ".drgen" / "base.json").write_text(json.dumps(record))
    template = derive_template(tmp_path, NEXT, monkeypatch)
    add_script(template)  # a new directory and an executable file
    (template / "project" / "tests" / "test_config.py.jinja").unlink()  # a delete
    (template / "project" / "app" / "handler.py").write_text("# handler v2\n")  # an update
    (template / "project" / "infra" / "compute.py.jinja").chmod(0o755)  # and a mode change

    import drgen.project.transaction as transaction
    import drgen.update.plan as plan

    rendered_once = {}
    real_render = plan.render_files

    def cached_render(answers):  # type: ignore[no-untyped-def]
        if answers not in rendered_once:
            rendered_once[answers] = real_render(answers)
        return rendered_once[answers]

    monkeypatch.setattr(plan, "render_files", cached_render)
    originals = {name: getattr(transaction, name) for name in ("_write_bytes", "_unlink", "_mkdir")}
    originals["_rmdir"] = transaction._rmdir
    counter = {"writes": 0, "fail_at": -1, "failed": False}

    def wrap(name: str):  # type: ignore[no-untyped-def]
        def write(*args: object) -> None:
            if not counter["failed"] and counter["writes"] == counter["fail_at"]:
                counter["failed"] = True
                raise KeyboardInterrupt if failure == "ctrl-c" else OSError(28, "No space left")
            counter["writes"] += 1
            originals[name](*args)

        return write

    for name in originals:
        monkeypatch.setattr(transaction, name, wrap(name))

    index = 0
    while True:
        project = tmp_path / f"run-{index}"
        shutil.copytree(pristine, project, symlinks=True)
        before = snapshot(project)
        counter.update(writes=0, fail_at=index, failed=False)
        result = invoke("update", str(project), "--no-verify")
        if not counter["failed"]:
            break
        expected = EXIT_INTERRUPTED if failure == "ctrl-c" else EXIT_USAGE
        assert result.exit_code == expected, (index, result.output)
        # the project is not a git repository: its warning, then the one error line
        assert len(result.stderr.splitlines()) == 2, result.stderr
        assert result.stderr.startswith(outside_git(project)), result.stderr
        assert snapshot(project) == before, f"write {index} was not rolled back"
        index += 1
    assert result.exit_code == 0, result.output
    # 7 files (requirements-dev.txt's pin among them), a directory made and one removed, the
    # 2 record files: every write was tried
    assert index == 11
    assert mode(project / "scripts" / "smoke.sh") == 0o755
    assert mode(project / "infra" / "compute.py") == 0o755
    assert not (project / "tools").exists()


def test_a_failure_inside_a_write_leaves_no_temporary_file_and_says_so(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    template = derive_template(tmp_path, NEXT, monkeypatch)
    (template / "project" / "SECURITY.md").write_bytes(b"Report issues privately.\n")
    before = snapshot(project)
    real_replace = os.replace
    calls = []

    def replace(source: str | Path, target: str | Path) -> None:
        calls.append(Path(target).name)
        if calls == ["README.md", "SECURITY.md"]:  # a new file, after a changed one
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr("drgen.project.transaction.os.replace", replace)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == outside_git(project) + (
        f"drgen: error: could not write {str(project)!r}: No space left on device; every file "
        "was put back as it was\n"
    )
    assert calls[:3] == ["README.md", "SECURITY.md", "README.md"]  # the last one puts it back
    assert snapshot(project) == before  # no SECURITY.md, and no .SECURITY.md.drgen-<pid>


def test_a_temporary_file_left_by_a_killed_run_does_not_block_the_next(
    invoke, tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # in a container drgen often gets the same process id again: the name is the same too
    project = tmp_path / "demo"
    shutil.copytree(generated, project)
    stale = project / "infra" / f".compute.py.drgen-{os.getpid()}"
    stale.write_bytes(b"half of an earlier write")
    stale.chmod(0o400)
    derive_template(tmp_path, NEXT, monkeypatch)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert RETENTION_V2 in (project / "infra" / "compute.py").read_text()


def test_a_private_file_is_never_readable_by_others_while_it_is_written(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (project / "README.md").chmod(0o600)  # the user's private file, which the template changes
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    real_fdopen = os.fdopen
    modes: list[int] = []

    def fdopen(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))  # the new file, before any byte
        return real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("drgen.project.transaction.os.fdopen", fdopen)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    # README.md, infra/compute.py, requirements-dev.txt (its pin) and the two record files
    assert len(modes) == 5
    assert [mode & 0o077 for mode in modes] == [0, 0, 0, 0, 0]
    assert mode(project / "README.md") == 0o600
