"""A call run in a forked child: its result, its errors, its imports and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from drgen.errors import EXIT_USAGE, AnswerErrors, TargetError
from drgen.forked import in_child


def test_the_result_comes_back_and_the_call_ran_elsewhere() -> None:
    assert in_child(os.getpid) != os.getpid()
    assert in_child(lambda a, *, b: (a, b), 1, b=[2]) == (1, [2])


@pytest.mark.parametrize("handler", [signal.SIG_DFL, signal.SIG_IGN, signal.default_int_handler])
def test_drgens_own_ctrl_c_handling_is_back_afterwards(handler: object) -> None:
    """While it waits drgen only notes a Ctrl-C; after, Ctrl-C must interrupt it again."""
    previous = signal.signal(signal.SIGINT, handler)  # type: ignore[arg-type]
    try:
        in_child(os.getpid)
        assert signal.getsignal(signal.SIGINT) is handler
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set(), "SIGINT left blocked"
    finally:
        signal.signal(signal.SIGINT, previous)


def stdout_of(code: str, cwd: Path) -> str:
    """What Python code prints with stdout a pipe, block-buffered as a user's usually is
    (this suite's environment may set PYTHONUNBUFFERED, which would hide a buffer)."""
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd,
        env=buffered,
    )  # fmt: skip
    return result.stdout


def test_output_drgen_buffered_before_is_written_once(tmp_path: Path) -> None:
    """The child gets a copy of drgen's unwritten output buffer; it must not write it too."""
    code = (
        "import os, sys\nfrom drgen.forked import in_child\n"
        "sys.stdout.write('Created demo')\nin_child(os.getpid)\nprint(' and verified')\n"
    )
    assert stdout_of(code, tmp_path) == "Created demo and verified\n"


def test_what_the_call_prints_is_written(tmp_path: Path) -> None:
    code = "from drgen.forked import in_child\nin_child(print, 'from the child')\n"
    assert stdout_of(code, tmp_path) == "from the child\n"


def test_a_result_that_cannot_be_pickled_is_an_error_naming_that() -> None:
    with pytest.raises(RuntimeError, match=r"^the result cannot be pickled: "):
        in_child(lambda: lambda: 1)


def test_a_child_that_dies_is_an_error_with_its_exit_status() -> None:
    with pytest.raises(RuntimeError, match=r"ended without a result \(exit status 3\)"):
        in_child(os._exit, 3)


def test_a_fork_that_fails_leaves_ctrl_c_working_and_no_pipe_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    opened = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr("drgen.forked.os.fork", no_fork)
    with pytest.raises(BlockingIOError):
        in_child(os.getpid)
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set(), "SIGINT left blocked"
    assert set(os.listdir("/proc/self/fd")) == opened


def test_the_child_is_reaped_before_the_result_comes_back() -> None:
    pid = in_child(os.getpid)
    with pytest.raises(ChildProcessError):  # no zombie left: already waited for
        os.waitpid(pid, os.WNOHANG)


def test_a_call_from_another_thread_works_without_a_signal_handler() -> None:
    """Only the main thread may set signal handlers; elsewhere no Ctrl-C reaches the call."""
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(in_child(lambda: "done")))
    thread.start()
    thread.join(timeout=30)
    assert results == ["done"]


def test_a_drgen_error_comes_back_as_itself() -> None:
    def refuse() -> None:
        raise TargetError("'/x' is a file")

    with pytest.raises(TargetError) as caught:
        in_child(refuse)
    assert str(caught.value) == "'/x' is a file"
    assert caught.value.exit_code == EXIT_USAGE
    assert not getattr(caught.value, "__notes__", None), "a refusal is its message only"


def test_several_refused_answers_come_back_one_line_each() -> None:
    def refuse() -> None:
        raise AnswerErrors(["suffix 'A' is not valid", "region 'x' is unknown"])

    with pytest.raises(AnswerErrors) as caught:
        in_child(refuse)
    assert caught.value.lines == ["suffix 'A' is not valid", "region 'x' is unknown"]
    assert str(caught.value) == "suffix 'A' is not valid; region 'x' is unknown"


def test_a_bug_comes_back_with_where_it_happened() -> None:
    def broken() -> None:
        {}["missing"]

    with pytest.raises(KeyError) as caught:
        in_child(broken)
    (note,) = caught.value.__notes__
    lines = note.splitlines()
    assert lines[:2] == ["(raised in drgen's child process)", "Traceback (most recent call last):"]
    assert 'in broken\n    {}["missing"]' in note
    assert lines[-1] == "KeyError: 'missing'"


def test_an_error_that_cannot_be_pickled_comes_back_as_its_text() -> None:
    class Local(Exception):  # a local class cannot be pickled
        pass

    def broken() -> None:
        raise Local("the detail")

    with pytest.raises(RuntimeError) as caught:
        in_child(broken)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-2] == f"{Local.__module__}.{Local.__qualname__}: the detail", lines[-2]
    assert lines[-1].startswith("(not picklable: ") and lines[-1].endswith(")"), lines[-1]


class Unbuildable(Exception):
    """Pickles (its class is importable) but cannot be rebuilt from its args."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


def test_an_error_that_pickles_but_cannot_be_rebuilt_comes_back_as_its_text() -> None:
    def broken() -> None:
        raise Unbuildable("render", "disk full")

    with pytest.raises(RuntimeError) as caught:
        in_child(broken)
    assert "Unbuildable: render: disk full" in str(caught.value)


#: Runs in its own interpreter: `in_child(work)`, where work writes `done` after a while.
PROGRAM = """
import sys, time
from pathlib import Path
from drgen.forked import in_child

def work():
    Path(sys.argv[1], "started").touch()
    time.sleep(1.0)
    Path(sys.argv[1], "done").touch()

try:
    in_child(work)
except KeyboardInterrupt:
    print("parent interrupted; child done:", Path(sys.argv[1], "done").exists(), flush=True)
    raise SystemExit(130)
"""


def start(tmp_path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "started").exists():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.01)
    return process


@pytest.mark.integration
def test_ctrl_c_at_a_terminal_stops_the_child_and_drgen_waits_for_it(tmp_path: Path) -> None:
    process = start(tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole group
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stdout == "parent interrupted; child done: False\n"
    time.sleep(1.2)
    assert not (tmp_path / "done").exists(), "the child was stopped, not left running"


@pytest.mark.integration
def test_a_signal_to_drgen_alone_lets_the_child_finish_first(tmp_path: Path) -> None:
    process = start(tmp_path)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stdout == "parent interrupted; child done: True\n", "drgen waited for the child"
    assert time.monotonic() - started >= 0.5


@pytest.mark.integration
def test_new_renders_without_loading_copier_into_drgen(tmp_path: Path) -> None:
    """drgen's process then waits through the verification: copier must not be in it."""
    code = textwrap.dedent(
        """
        import sys
        from drgen.cli.app import main
        sys.argv = ["drgen", "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify"]
        sys.argv.append("-q")
        try:
            main()
        except SystemExit as end:
            assert not end.code, end.code
        print(sorted({"copier", "jinja2"} & set(sys.modules)))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]", result.stdout + result.stderr
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


def test_off_linux_the_call_runs_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drgen.forked.sys.platform", "darwin")
    assert in_child(os.getpid) == os.getpid()
