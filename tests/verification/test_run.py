"""How a verification runs: which project, Ctrl-C and SIGTERM, time limits, damaged reports.

Each test builds a small real project (tests/verification/projects.py) and runs it for real.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drgen.errors import EXIT_INTERRUPTED, EXIT_USAGE, EXIT_VERIFY_FAILED
from drgen.verification.run import verify_project
from tests.conftest import tree
from tests.verification.projects import mini


@pytest.mark.integration
def test_the_default_path_is_the_current_directory(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    run = invoke  # chdir to tmp_path first, then into the project
    monkeypatch.chdir(project)
    result = run("verify", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["project"] == str(project)


@pytest.mark.parametrize("missing", ["Pulumi.yaml", "tests"])
def test_a_directory_that_is_no_project_is_refused(invoke, tmp_path: Path, missing: str) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    path = project / missing
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    else:
        path.unlink()
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: {str(project)!r} is not a drgen project: it needs Pulumi.yaml and tests/\n"
    )
    assert result.stdout == "", "nothing is said to run before the project is checked"


def test_ctrl_c_during_verify_exits_130(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    before = tree(project)

    children: list[subprocess.Popen[str]] = []
    communicate = subprocess.Popen.communicate

    def ctrl_c(
        self: subprocess.Popen[str], request: str | None = None, timeout: float | None = None
    ) -> tuple[str, str]:
        if request is None:  # the cleanup after the interrupt
            return communicate(self)
        children.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr("drgen.verification.runner.subprocess.Popen.communicate", ctrl_c)
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_INTERRUPTED
    # the child waiting for its run was killed, not left behind
    assert [child.returncode for child in children] == [-signal.SIGKILL]
    assert result.stdout == f"Running the project's tests in {project} ...\n"
    assert result.stderr == "drgen: error: interrupted; nothing was left half-written\n"
    assert tree(project) == before

    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_INTERRUPTED
    doc = json.loads(result.stdout)
    assert (doc["result"], doc["exit_code"]) == ("interrupted", EXIT_INTERRUPTED)
    assert doc["errors"] == ["interrupted; nothing was left half-written"]


@pytest.mark.integration
def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    tests = (
        "def test_one():\n    assert False\n\n\ndef test_two():\n    assert False\n\n\n"
        "def test_three():\n    assert True\n"
    )
    project = mini(tmp_path, tests=tests)
    full = verify_project(project)
    assert (full.failed, full.passed) == (2, 1)
    fast = verify_project(project, fail_fast=True)
    assert (fast.failed, fast.passed, fast.failing_tests) == (1, 0, ["tests.test_calc::test_one"])


@pytest.mark.integration
def test_sigterm_during_verify_ends_the_test_process_and_says_so(tmp_path: Path) -> None:
    """A CI cancel sends SIGTERM to drgen alone: the hanging test process must end with it."""
    marker = tmp_path / "running"
    hang = (
        "import os, time\n\n\ndef test_hangs():\n"
        f"    open({str(marker)!r}, 'w').write(str(os.getpid()))\n    time.sleep(600)\n"
    )
    project = mini(tmp_path, tests=hang)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    drgen = subprocess.Popen(
        [sys.executable, "-m", "drgen", "verify", str(project)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (marker.is_file() and marker.read_text()):
        assert drgen.poll() is None and time.monotonic() < deadline, drgen.communicate()
        time.sleep(0.1)
    test_process = int(marker.read_text())
    drgen.send_signal(signal.SIGTERM)
    stdout, stderr = drgen.communicate(timeout=60)
    assert drgen.returncode == EXIT_INTERRUPTED, stdout + stderr
    assert stderr.splitlines()[-1] == "drgen: error: interrupted; nothing was left half-written"
    assert not Path(f"/proc/{test_process}").exists(), "the test process outlived drgen"
    assert not list(temporary.glob("drgen-verify-*")), "its reports directory was left behind"


@pytest.mark.integration
def test_a_truncated_junit_report_is_one_line_not_a_traceback(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What a full temporary directory does to the report pytest writes last."""
    truncate = (
        "def pytest_unconfigure(config):\n"
        "    path = config.option.xmlpath\n"
        "    data = open(path, 'rb').read()\n"
        "    open(path, 'wb').write(data[: len(data) // 2])\n"
    )
    project = mini(tmp_path, extra={"tests/conftest.py": truncate})
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"drgen: error: verification of {str(project)!r} proved nothing: its JUnit report "
        "cannot be read ("
    ), line
    assert line.endswith(" full?"), line


@pytest.mark.integration
def test_a_truncated_coverage_report_is_one_line_not_a_traceback(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The coverage report, cut short after pytest-cov wrote it: drgen's error, not a crash."""
    truncate = (
        "def pytest_unconfigure(config):\n"
        "    path = config.option.cov_report['json']\n"
        "    data = open(path, 'rb').read()\n"
        "    open(path, 'wb').write(data[: len(data) // 2])\n"
    )
    project = mini(tmp_path, extra={"tests/conftest.py": truncate})
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"drgen: error: verification of {str(project)!r} proved nothing: its coverage report "
        "cannot be read ("
    ), line
    assert line.endswith(" full?"), line


@pytest.mark.integration
def test_tests_that_remove_the_report_directory_cannot_crash_drgen(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    removing = (
        "import os, shutil\nfrom pathlib import Path\n\nfrom calc import add, sign\n\n\n"
        "def test_removes_the_reports():\n"
        "    shutil.rmtree(Path(os.environ['COVERAGE_FILE']).parent)\n"
        "    assert add(1, 1) == 2 and sign(-1) == -1 and sign(1) == 1\n"
    )
    project = mini(tmp_path, tests=removing)
    result = invoke("verify", str(project))
    assert result.exit_code in (0, EXIT_VERIFY_FAILED), result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("drgen: error:") <= 1, result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-5"])
@pytest.mark.parametrize("command", ["verify", "audit"])
def test_a_time_limit_that_is_no_limit_is_refused(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, command: str, value: str
) -> None:
    project = mini(tmp_path)
    result = invoke(command, str(project), "--timeout", value)
    assert result.exit_code == EXIT_USAGE, result.output
    shown = f"{float(value):g}"
    assert result.stderr == (
        f"drgen: error: --timeout {shown} is not a time limit: give seconds above 0, e.g. 600\n"
    )


@pytest.mark.integration
def test_a_hanging_suite_ends_at_the_time_limit(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "running"
    hang = (
        "import os, time\n\n\ndef test_hangs():\n"
        f"    open({str(marker)!r}, 'w').write(str(os.getpid()))\n    time.sleep(600)\n"
    )
    project = mini(tmp_path, tests=hang)
    result = invoke("verify", str(project), "--timeout", "5")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert result.stderr.splitlines()[-1] == (
        f"drgen: error: verification of {str(project)!r} did not finish within 5 s (--timeout); "
        "its test process was ended"
    )
    assert not Path(f"/proc/{int(marker.read_text())}").exists(), "the test process still runs"
