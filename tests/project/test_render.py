"""`drgen new` as rendering decides it: the exact refusal lines, quiet output, the record."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from drgen import __version__
from drgen.answers.model import Answers
from drgen.answers.rules import build_answers
from drgen.answers.sources import fill_defaults
from drgen.commands.new import created_lines
from drgen.errors import EXIT_USAGE
from tests.conftest import DEMO_NEXT_STEPS, tree


def test_a_new_project_prints_only_drgen_s_own_lines(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # copier runs quiet: none of its per-file lines reach the user's terminal
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"Created demo in {tmp_path / 'demo'}: primary us-east-1, secondary us-west-2, stack dev",
        *created_lines(tmp_path / "demo"),  # its format: tests/test_show.py
        "Skipped verification (--no-verify); run `drgen verify demo` to prove it.",
        *DEMO_NEXT_STEPS,
    ]


@pytest.mark.parametrize(
    ("setup", "args", "error"),
    [
        (
            "file-parent",
            ("-o", "no/such"),
            "cannot create {tmp}/no/such: {tmp}/no is a file, not a directory",
        ),
        (
            "file",
            (),
            "target {tmp}/demo exists and is not a directory",
        ),
        (
            "not-empty",
            (),
            "target {tmp}/demo exists and is not empty; choose another --output-dir "
            "or pass --force to overwrite the files drgen generates",
        ),
        (
            "project",
            ("--force",),
            "target {tmp}/demo already holds a drgen project; change its answers with "
            "`drgen update {tmp}/demo --set KEY=VALUE` instead of generating over it",
        ),
    ],
)
def test_each_unusable_target_is_refused_with_its_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, setup: str | None, args: tuple[str, ...], error: str
) -> None:
    if setup == "file":
        (tmp_path / "demo").write_bytes(b"a file\n")
    elif setup == "file-parent":
        (tmp_path / "no").write_bytes(b"a file\n")
    elif setup == "not-empty":
        (tmp_path / "demo").mkdir()
        (tmp_path / "demo" / "notes.txt").write_bytes(b"mine\n")
    elif setup == "project":
        (tmp_path / "demo" / ".drgen").mkdir(parents=True)
    before = tree(tmp_path)
    result = invoke("new", "demo", *args, "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    expected = error.replace("{tmp}/no/such", repr(str(tmp_path / "no/such")))
    expected = expected.replace("{tmp}/no", repr(str(tmp_path / "no"))).replace(
        "{tmp}/demo", repr(str(tmp_path / "demo"))
    )
    assert result.stderr == f"drgen: error: {expected}\n"
    assert tree(tmp_path) == before


def test_a_failure_while_moving_into_place_is_one_error_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(Path, "rename", refused)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    target = tmp_path / "demo"
    assert result.stderr == (
        f"drgen: error: could not write the project to {str(target)!r}: "
        f"[Errno 13] Permission denied: {str(target)!r}\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.integration
def test_the_record_holds_every_file_with_its_mode(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    project = tmp_path / "demo"
    record = json.loads((project / ".drgen" / "base.json").read_bytes())
    on_disk = {
        path: {"text": data.decode("utf-8"), "mode": "644"}
        for path, data in tree(project).items()
        if not path.startswith(".drgen/")
    }
    assert record["files"] == on_disk
    assert sorted(p.name for p in (project / ".drgen").iterdir()) == ["answers.yml", "base.json"]
    # committed with the project: one-space indents, keys in order, a final newline
    text = (project / ".drgen" / "base.json").read_text()
    assert text.startswith(
        f'{{\n "format": 2,\n "drgen_version": "{__version__}",\n "files": {{\n  ".gitattributes"'
    )
    assert text.endswith("\n  }\n }\n}\n")


def _default_answers() -> Answers:
    """The answers `drgen new demo --defaults` uses, for calls of drgen as a library."""
    raw: dict[str, object] = {}
    fill_defaults("demo", raw)
    return build_answers("demo", raw)


def test_generate_called_without_force_refuses_a_directory_with_files(tmp_path: Path) -> None:
    # the library call is as careful as `drgen new` without --force
    from drgen.errors import TargetError
    from drgen.project.render import generate

    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_bytes(b"mine\n")
    with pytest.raises(TargetError) as raised:
        generate(_default_answers(), tmp_path / "demo")
    assert str(raised.value) == (
        f"target {str(tmp_path / 'demo')!r} exists and is not empty; choose another "
        "--output-dir or pass --force to overwrite the files drgen generates"
    )
    assert tree(tmp_path) == {"demo/notes.txt": b"mine\n"}


@pytest.mark.integration
def test_an_empty_directory_you_made_is_filled_not_replaced(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # your directory stays yours (its mode, and a shell already inside it still sees the files)
    target = tmp_path / "demo"
    target.mkdir(mode=0o700)
    target.chmod(0o700)
    inode = target.stat().st_ino
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    assert (target.stat().st_ino, stat.S_IMODE(target.stat().st_mode)) == (inode, 0o700)
    assert (target / "Pulumi.yaml").is_file()


def _failing_third_write(monkeypatch: pytest.MonkeyPatch) -> None:
    from drgen.project import transaction
    from drgen.project.blob import Blob

    real = transaction._write_bytes
    calls = []

    def write(target: Path, blob: Blob) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(target, blob)

    monkeypatch.setattr(transaction, "_write_bytes", write)


def _force_into_existing(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    target = tmp_path / "demo"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    (target / "README.md").write_text("my readme\n")
    return target, tree(target)


@pytest.mark.integration
def test_a_failed_force_write_gives_ctrl_c_back_to_its_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a program that calls drgen and survives the failure must still be interruptible
    import signal

    from drgen.errors import TargetError
    from drgen.project.render import generate

    target, before = _force_into_existing(tmp_path)
    _failing_third_write(monkeypatch)

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # the caller's own handler, not whatever this process inherited: started in the background
    # by a shell, SIGINT is ignored already, and a rollback that left it ignored would pass
    previous = signal.signal(signal.SIGINT, handler)
    try:
        with pytest.raises(TargetError, match="No space left on device"):
            generate(_default_answers(), target, force=True)
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert tree(target) == before


@pytest.mark.integration
def test_a_failed_force_write_off_the_main_thread_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # signal handlers exist only on the main thread: a rollback elsewhere must still complete
    import threading

    from drgen.project.render import generate

    target, before = _force_into_existing(tmp_path)
    _failing_third_write(monkeypatch)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            generate(_default_answers(), target, force=True)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert [type(e).__name__ for e in errors] == ["TargetError"], errors
    assert "No space left on device" in str(errors[0])
    assert tree(target) == before


@pytest.mark.parametrize("points_to", ["an-empty-directory", "nothing"])
def test_a_symlinked_target_is_refused_and_nothing_is_written_through_it(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, points_to: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    if points_to == "an-empty-directory":
        elsewhere.mkdir()
    (tmp_path / "demo").symlink_to(elsewhere)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--force")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: target {str(tmp_path / 'demo')!r} exists and is not a directory\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["demo", "elsewhere"] if points_to == "an-empty-directory" else ["demo"]
    )
    assert not elsewhere.exists() or list(elsewhere.iterdir()) == []


@pytest.mark.integration
def test_an_installed_drgen_renders_its_packaged_template(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a wheel puts the template in the package (drgen/templates); it wins over a checkout's
    from drgen.project.render import template_dir

    package = tmp_path / "site-packages" / "drgen"
    shutil.copytree(template_dir(), package / "templates")
    readme = package / "templates" / "project" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nFrom the installed package.\n")
    monkeypatch.setattr("drgen.project.render.resources.files", lambda name: package.parent / name)
    result = invoke(
        "new",
        "demo",
        "-o",
        str(tmp_path / "out"),
        "--defaults",
        "--alarm-email",
        "none",
        "--no-verify",
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "README.md").read_text()
    assert text.endswith("\nFrom the installed package.\n")
