"""What `new`, `verify` and `update` show: progress, --quiet/--verbose, failures, next steps.

The projects are real (tests/verification/projects.py's `mini`, or generated ones for the slow
tests), so the child pytest, the progress plugin and the reports are the real ones.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from drgen import __version__
from drgen.answers.rules import build_answers
from drgen.cli.output import Report
from drgen.cli.terminal import Display
from drgen.commands.new import created_lines, next_steps
from drgen.errors import EXIT_INTERRUPTED, EXIT_USAGE, EXIT_VERIFY_FAILED
from drgen.verification.reports import _first_lines
from drgen.verification.result import CollectionError, Progress
from drgen.verification.run import rerun_command, verify_project
from tests.update.repository import commit_all, git
from tests.verification.projects import BROKEN_FIXTURE, TEST_ALL, mini, summary

SYNTAX_ERROR = "def test_bad(:\n    pass\n"
WRONG = "from calc import add\n\n\ndef test_wrong():\n    assert add(1, 1) == 3\n"


@pytest.mark.integration
def test_a_syntax_error_in_a_test_file_is_named_as_a_collection_error(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path, extra={"tests/test_broken.py": "\n\n" + SYNTAX_ERROR})
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert [summary(line) for line in result.stderr.splitlines()] == [
        "Verification failed: 0 passed, 0 failed; coverage 0.0% (0/0 statements, 0/0 branches)"
        " in Ns",
        "  could not collect tests/test_broken.py, line 3: SyntaxError: invalid syntax",
        f"drgen: error: verification of {str(project)!r} failed: 1 test file could not be "
        "collected",
    ]

    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    verification = json.loads(result.stdout)["verification"]
    assert verification["collection_errors"] == [
        {
            "test_file": "tests/test_broken.py",
            "file": "tests/test_broken.py",
            "line": 3,
            "error": "SyntaxError: invalid syntax",
        }
    ]
    # the collection error is not counted as a failed test too
    assert (verification["errors"], verification["failing_tests"]) == (0, [])
    assert verification["failure"] == "1 test file could not be collected"


@pytest.mark.integration
def test_a_collection_error_raised_elsewhere_names_both_files(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    helper = "VALUE = 1\n\n\ndef boom():\n    raise ValueError('no config')\n\n\nboom()\n"
    project = mini(
        tmp_path,
        extra={"tests/helper.py": helper, "tests/test_uses.py": "from tests import helper\n"},
    )
    (project / "tests" / "__init__.py").write_text("")
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    doc = json.loads(result.stdout)
    assert doc["verification"]["collection_errors"] == [
        {
            "test_file": "tests/test_uses.py",
            "file": "tests/helper.py",
            "line": 5,
            "error": "ValueError: no config",
        }
    ]
    assert [summary(line) for line in result.stderr.splitlines()[1:]] == [
        "  collected 2 tests",  # pytest counts the other file's tests, then stops
        "Verification failed: 0 passed, 0 failed; coverage 0.0% (0/0 statements, 0/0 branches)"
        " in Ns",
        "  could not collect tests/test_uses.py: ValueError: no config (tests/helper.py, line 5)",
        # with --json too, the error line is on stderr beside the document's `errors`
        f"drgen: error: verification of {str(project)!r} failed: 1 test file could not be "
        "collected",
    ]


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (CollectionError("tests/t.py", None, None, "E: x"), "tests/t.py: E: x"),
        (CollectionError("tests/t.py", "lib.py", None, "E: x"), "tests/t.py: E: x (lib.py)"),
        (CollectionError("tests/t.py", "lib.py", 4, "E: x"), "tests/t.py: E: x (lib.py, line 4)"),
        (CollectionError("tests/t.py", "tests/t.py", 4, "E: x"), "tests/t.py, line 4: E: x"),
    ],
)  # fmt: skip
def test_a_collection_error_reads_as_one_line(error: CollectionError, line: str) -> None:
    assert error.describe() == line


@pytest.mark.integration
def test_a_failing_test_shows_its_message_and_the_command_that_reruns_it(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # pytest prints whole diffs when it sees a CI system (CI or BUILD_NUMBER set): the message
    # expected below is the one a user's terminal shows
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)
    tests = TEST_ALL + (
        "\n\nclass TestMore:\n    @pytest.mark.parametrize('n', [1, 2])\n"
        "    def test_lists(self, n):\n        assert [1, 2, n] == [1, 2, 1]\n"
    )
    project = mini(tmp_path, tests="import pytest\n" + tests)
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    verification = json.loads(result.stdout)["verification"]
    nodeid = "tests/test_calc.py::TestMore::test_lists[2]"
    assert verification["failures"] == [
        {
            "test": nodeid,
            "message": "assert [1, 2, 2] == [1, 2, 1]\n  At index 2 diff: 2 != 1\n"
            "  Use -v to get more diff",
            "rerun": f"cd {project} && python -m pytest '{nodeid}'",
        }
    ]
    assert verification["failing_tests"] == ["tests.test_calc.TestMore::test_lists[2]"]
    text = invoke("verify", str(project))
    assert [summary(line) for line in text.stderr.splitlines()] == [
        "Verification failed: 3 passed, 1 failed; coverage 100.0% (6/6 statements, 2/2 branches)"
        " in Ns",
        f"  failed: {nodeid}",
        "    assert [1, 2, 2] == [1, 2, 1]",
        "      At index 2 diff: 2 != 1",
        "      Use -v to get more diff",
        f"    rerun: cd {project} && python -m pytest '{nodeid}'",
        f"drgen: error: verification of {str(project)!r} failed: 1 test failed",
    ]
    # the command runs that one test, and it fails the same way
    rerun = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", nodeid, "--no-cov"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 1
    assert re.search(r"^1 failed in ", rerun.stdout.splitlines()[-1].strip("= "))


@pytest.mark.integration
def test_a_long_message_keeps_its_first_lines(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    long = "def test_long():\n    assert False, '\\n'.join(f'line {i}' for i in range(1, 10))\n"
    project = mini(tmp_path, tests=TEST_ALL + "\n\n" + long)
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    (failure,) = json.loads(result.stdout)["verification"]["failures"]
    assert failure["message"].splitlines() == [
        "AssertionError: line 1",
        "  line 2",
        "  line 3",
        "  line 4",
        "  line 5",
        "  line 6",
        "... (4 more lines)",  # lines 7 to 9 and pytest's "assert False"
    ]


SIX = [f"l{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("one\n\n  two  \n", ["one", "  two"]),  # blank lines and trailing blanks go
        ("\n".join(SIX), SIX),
        ("\n".join([*SIX, "l6"]), [*SIX, "... (1 more line)"]),
    ],
)  # fmt: skip
def test_a_message_keeps_at_most_six_lines(message: str, shown: list[str]) -> None:
    assert _first_lines(message).splitlines() == shown


@pytest.mark.integration
def test_progress_counts_failures_and_errors(tmp_path: Path) -> None:
    project = mini(
        tmp_path, tests=BROKEN_FIXTURE + "\n\ndef test_wrong():\n    assert sign(1) == -1\n"
    )
    seen: list[Progress] = []
    result = verify_project(project, on_progress=seen.append)
    assert (result.passed, result.failed, result.errors) == (1, 1, 1)
    assert seen[-1] == Progress(3, 3, 2)


@pytest.mark.parametrize(
    ("project", "nodeid", "command"),
    [
        ("/p/mini", "tests/test_a.py::test_b",
         "cd /p/mini && python -m pytest tests/test_a.py::test_b"),
        ("/p/my app", "tests/test_a.py::test_b[x y]",
         "cd '/p/my app' && python -m pytest 'tests/test_a.py::test_b[x y]'"),
    ],
)  # fmt: skip
def test_the_rerun_command_is_quoted_for_a_shell(project: str, nodeid: str, command: str) -> None:
    assert rerun_command(Path(project), nodeid) == command


@pytest.mark.integration
def test_quiet_prints_only_the_result_line(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    result = invoke("verify", str(project), "--quiet")
    assert result.exit_code == 0, result.output
    assert [summary(line) for line in result.stdout.splitlines()] == [
        "Verified: 2 passed, 0 failed; coverage 100.0% (6/6 statements, 2/2 branches) in Ns"
    ]
    assert result.stderr == ""


@pytest.mark.integration
def test_quiet_still_prints_every_error(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path, tests=WRONG)
    result = invoke("verify", str(project), "-q")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert result.stdout == ""
    assert [summary(line) for line in result.stderr.splitlines()] == [
        "Verification failed: 0 passed, 1 failed; coverage 37.5% (3/6 statements, 0/2 branches)"
        " in Ns",
        "  failed: tests/test_calc.py::test_wrong",
        "    assert 2 == 3",
        "     +  where 2 = add(1, 1)",
        f"    rerun: cd {project} && python -m pytest tests/test_calc.py::test_wrong",
        "  not covered: calc.py lines 6, 7, 8",
        f"drgen: error: verification of {str(project)!r} failed: 1 test failed",
    ]


@pytest.mark.integration
def test_new_quiet_prints_only_the_result_line(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Skipped verification (--no-verify); run `drgen verify demo` to prove it.\n"
    )
    assert result.stderr == ""
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


@pytest.mark.integration
def test_verbose_streams_pytest_s_own_lines(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    result = invoke("verify", str(project), "--verbose")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Running the project's tests in {project} ..."
    assert [line for line in lines if line.startswith("tests/")] == [
        "tests/test_calc.py::test_add PASSED                                      [ 50%]",
        "tests/test_calc.py::test_sign PASSED                                     [100%]",
    ]
    assert re.fullmatch(r"=+ 2 passed in [\d.]+s =+", lines[-2])
    assert summary(lines[-1]) == (
        "Verified: 2 passed, 0 failed; coverage 100.0% (6/6 statements, 2/2 branches) in Ns"
    )
    assert "  collected 2 tests" not in lines  # pytest's own lines replace drgen's
    assert result.stderr == ""


@pytest.mark.integration
def test_verbose_with_json_keeps_stdout_one_document(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    result = invoke("verify", str(project), "--verbose", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verification"]["ok"] is True
    assert (
        "tests/test_calc.py::test_add PASSED                                      [ 50%]"
        in result.stderr.splitlines()
    )


@pytest.mark.parametrize("command", ["new", "verify", "update"])
def test_quiet_and_verbose_together_are_refused(invoke, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    args = ["demo", "--defaults", "--alarm-email", "none"] if command == "new" else [str(tmp_path)]
    result = invoke(command, *args, "--quiet", "--verbose")
    assert result.exit_code == EXIT_USAGE
    assert (
        result.stderr == "drgen: error: --quiet and --verbose cannot be used together; choose one\n"
    )
    assert result.stdout == ""
    assert not (tmp_path / "demo").exists()


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_is_one_line_then_at_most_one_every_ten_seconds(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    clock = _Clock()
    monkeypatch.setattr("drgen.cli.terminal.time.monotonic", clock)
    monkeypatch.setattr("drgen.cli.terminal.stderr_is_terminal", lambda: False)
    display = Display(Report("verify", json_mode=False))
    with display:
        for done, total, later in [
            (0, None, 0.5),  # still collecting: nothing to say
            (0, 40, 1.0),
            (5, 40, 9.9),  # 9.9 s after the collected line: too soon
            (12, 40, 0.1),
            (13, 40, 5.0),
            (20, 40, 5.0),
            (40, 40, 20.0),  # the result line says it
        ]:
            clock.now += later
            display.progress(Progress(done, total, 0))
    assert capsys.readouterr().out.splitlines() == [
        "  collected 40 tests",
        "  12/40 tests done (12s)",
        "  20/40 tests done (22s)",
    ]


def test_a_terminal_gets_a_rich_bar_that_follows_the_events(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("drgen.cli.terminal.stderr_is_terminal", lambda: True)
    display = Display(Report("verify", json_mode=False))
    with display:
        display.progress(Progress(3, 7, 1))
        task = display.bar.tasks[0]
        assert (task.completed, task.total, task.fields["failed"]) == (3, 7, "1 failed")
    out = capsys.readouterr()
    assert out.out == ""


def test_no_terminal_no_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drgen.cli.terminal.stderr_is_terminal", lambda: True)
    for quiet, verbose in [(True, False), (False, True)]:
        display = Display(Report("verify", json_mode=False, quiet=quiet, verbose=verbose))
        with display:
            assert display.bar is None


def test_the_created_files_are_collapsed_by_folder(tmp_path: Path) -> None:
    for name in ["b/one.py", "b/deep/two.py", "a/only.txt", ".hidden/x", "z.md", "A.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "empty").mkdir()
    many = [f"file{i:02}.txt" for i in range(12)]
    for name in many:
        (tmp_path / name).write_text("")
    assert created_lines(tmp_path) == [
        "  .hidden/         1 file",
        "  a/               1 file",
        "  b/               2 files",
        "  empty/           0 files",
        "  A.txt, file00.txt, file01.txt, file02.txt, file03.txt, file04.txt, file05.txt,"
        " file06.txt,",
        "  file07.txt, file08.txt, file09.txt, file10.txt, file11.txt, z.md",
    ]


def test_next_steps_follow_the_answers(tmp_path: Path) -> None:
    raw = {"regions": ["eu-west-1", "eu-central-1"], "env_suffix": "prod", "route53": False}
    plain = build_answers("shop", raw | {"network": "none", "ci": "none"})
    assert next_steps(plain, Path("my dir/shop")) == [
        "cd 'my dir/shop'",
        "# pulumi needs the Pulumi CLI (pulumi version prints its version)",
        "# pulumi needs a backend for the stack's state, logged in: pulumi login (Pulumi Cloud) "
        "or pulumi login s3://BUCKET",
        "# pulumi needs AWS credentials for the account (aws sts get-caller-identity names it)",
        "python -m venv venv && venv/bin/pip install -r requirements.txt",
        "pulumi stack init prod",
        "pulumi config set --secret appSecret   # optional: otherwise a random secret is made",
        "pulumi up",
        "pulumi stack output urls   # each region's Function URL",
    ]
    dns = build_answers(
        "shop",
        raw
        | {
            "route53": True,
            "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
            "domain": "example.com",
            "record_name": "api",
            "network": "none",
            "ci": "none",
        },
    )
    # no Function URL with Route 53: the regional APIs are the endpoints
    assert next_steps(dns, Path("shop"))[-3:] == [
        "pulumi up",
        "pulumi stack output regionalApiEndpoints   # each region's API",
        "curl https://api.example.com/health",
    ]


@pytest.mark.integration
def test_new_json_carries_the_next_steps(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--json", "-o", "out"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["next_steps"][0] == "cd out"
    assert doc["next_steps"][5] == "pulumi stack init dev"
    assert "Next steps:" in result.stderr.splitlines()


@pytest.mark.integration
def test_the_plugin_changes_no_coverage_number(tmp_path: Path) -> None:
    # the same project measured by plain pytest and by drgen (with its plugin): equal
    project = mini(tmp_path)
    report = tmp_path / "plain.json"
    plain = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--cov-report=json:{report}"],
        cwd=project, capture_output=True, text=True, check=False,
        env={**os.environ, "COVERAGE_FILE": str(tmp_path / ".coverage")},
    )  # fmt: skip
    assert plain.returncode == 0, plain.stdout
    totals = json.loads(report.read_text())["totals"]
    result = verify_project(project)
    assert (result.statements, result.covered_statements, result.branches) == (
        totals["num_statements"],
        totals["covered_lines"],
        totals["num_branches"],
    )
    assert result.covered_branches == totals["covered_branches"]


@pytest.mark.integration
def test_progress_events_arrive_while_the_tests_run(tmp_path: Path) -> None:
    slow = "import time\n\n\n" + "".join(
        f"def test_{i}():\n    time.sleep(0.3)\n\n\n" for i in range(4)
    )
    project = mini(tmp_path, extra={"tests/test_slow.py": slow})
    seen: list[Progress] = []
    result = verify_project(project, on_progress=seen.append)
    assert result.passed == 6
    assert seen[0] == Progress(0, 6, 0) or seen[0].total == 6
    assert seen[-1] == Progress(6, 6, 0)
    assert len({p.done for p in seen}) >= 3, seen  # read while running, not once at the end
    assert [p.done for p in seen] == sorted(p.done for p in seen)


@pytest.mark.integration
def test_no_terminal_means_no_carriage_returns_or_colours(tmp_path: Path) -> None:
    project = mini(tmp_path, tests=TEST_ALL + "\n\n" + WRONG.split("\n\n\n", 1)[1])
    run = subprocess.run(
        [sys.executable, "-m", "drgen", "verify", str(project)],
        capture_output=True,
        check=False,
    )
    assert run.returncode == EXIT_VERIFY_FAILED
    assert run.stdout.decode().splitlines() == [
        f"Running the project's tests in {project} ...",
        "  collected 3 tests",
    ]
    for stream in (run.stdout, run.stderr):
        assert b"\r" not in stream and b"\x1b" not in stream


# Slow: real generated projects.


def _pexpect():  # type: ignore[no-untyped-def]
    return pytest.importorskip("pexpect")


def _new_demo_in_a_terminal(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A verified `drgen new demo --defaults` in a 120-column pseudo-terminal."""
    return _pexpect().spawn(
        sys.executable,
        ["-m", "drgen", "new", "demo", "--defaults", "--alarm-email", "none"],
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=300,
        dimensions=(24, 120),
    )


@pytest.mark.slow
def test_in_a_terminal_the_progress_line_moves(tmp_path: Path) -> None:
    pexpect = _pexpect()
    child = _new_demo_in_a_terminal(tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    screen = child.before
    running = screen.split("Running the project's tests in")[1].split("Verified:")[0]
    readings = re.findall(r"(\d+)/(\d+)", running)
    (total,) = {int(t) for _, t in readings}
    done = [int(d) for d, _ in readings]
    assert len(set(done)) >= 2, readings  # at least two different readings...
    assert done == sorted(done) and max(done) <= total  # ...moving forward
    tail = screen.split("\x1b[2K")[-1]  # what stays once the line is erased
    last = [line for line in tail.splitlines() if line.startswith("Verified:")]
    assert last and f"{total} passed, 0 failed; coverage 100.0%" in last[0]
    assert "1355/1355 statements, 246/246 branches" in last[0]  # the plugin changes no number


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_during_verification_is_one_line(tmp_path: Path) -> None:
    pexpect = _pexpect()
    child = _new_demo_in_a_terminal(tmp_path)
    child.expect(r"\d+/\d+")  # the progress line is up: the tests are running
    child.kill(signal.SIGINT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == EXIT_INTERRUPTED
    after = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before).splitlines()
    assert after[-1] == (
        f"drgen: error: verification interrupted; the project in {tmp_path / 'demo'} is "
        "complete: run `drgen verify demo` to prove it"
    )


@pytest.mark.slow
def test_a_planted_failure_in_a_generated_project_is_shown_with_its_rerun(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    project = tmp_path / "demo"
    tests = project / "tests" / "test_handler.py"
    tests.write_text(
        tests.read_text() + "\n\ndef test_planted():\n    assert len('us-east-1') == 10\n"
    )
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    verification = json.loads(result.stdout)["verification"]
    nodeid = "tests/test_handler.py::test_planted"
    assert verification["failures"] == [
        {
            "test": nodeid,
            # the JUnit message exactly as pytest writes it for this project
            "message": "AssertionError: assert 9 == 10\n +  where 9 = len('us-east-1')",
            "rerun": f"cd {project} && python -m pytest {nodeid}",
        }
    ]
    assert verification["failed"] == 1 and verification["collection_errors"] == []
    text = result.stderr.splitlines()
    start = text.index(f"  failed: {nodeid}")
    assert text[start + 1 : start + 4] == [
        "    AssertionError: assert 9 == 10",
        "     +  where 9 = len('us-east-1')",
        f"    rerun: cd {project} && python -m pytest {nodeid}",
    ]


@pytest.mark.integration
def test_update_quiet_prints_only_its_result_line(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (
        invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify").exit_code == 0
    )
    project = tmp_path / "demo"
    git(project, "init", "-q", "-b", "main")  # outside git, an update warns on stderr
    commit_all(project, "generated")
    result = invoke("update", str(project), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{project} is already up to date with drgen {__version__}\n"
    loud = invoke("update", str(project), "--set", "network=vpc", "--no-verify", "--pretend")
    assert loud.exit_code == 0, loud.output
    assert len(loud.stdout.splitlines()) > 1  # the changes, the diff, the count...
    result = invoke("update", str(project), "--set", "network=vpc", "--no-verify", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Updated {project}: answers changed (base_cidr, network), same template "
        f"(drgen {__version__})\n"
    )
    assert result.stderr == ""


@pytest.mark.integration
def test_events_are_read_once_more_after_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a watcher that never gets to read (a busy machine): the read after the run finds it all
    monkeypatch.setattr("drgen.verification.events.Events._follow", lambda self: None)
    project = mini(tmp_path, tests=WRONG, extra={"tests/test_broken.py": SYNTAX_ERROR})
    seen: list[Progress] = []
    result = verify_project(project, on_progress=seen.append)
    assert seen == [Progress(0, 1, 0)]
    assert [error.test_file for error in result.collection_errors] == ["tests/test_broken.py"]
    project.joinpath("tests", "test_broken.py").unlink()
    result = verify_project(project, on_progress=seen.append)
    assert seen[1:] == [Progress(1, 1, 1)]
    assert [failure.test for failure in result.failures] == ["tests/test_calc.py::test_wrong"]
