"""What a verification proves: counts, coverage, failures as shown, and every way it proves nothing.

Each test builds a small real project (tests/verification/projects.py) and runs the real
command, so the child pytest, its JUnit and coverage reports are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drgen import __version__
from drgen.errors import EXIT_VERIFY_FAILED
from tests.conftest import tree
from tests.verification.projects import BROKEN_FIXTURE, mini, summary

pytestmark = pytest.mark.integration


def test_a_project_at_full_coverage_is_verified(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # drgen itself must keep bytecode and reports out of the project, whatever the caller's env
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    project = mini(tmp_path)
    before = tree(project)
    result = invoke("verify", str(project))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Running the project's tests in {project} ..."
    assert [summary(line) for line in lines[1:]] == [
        "  collected 2 tests",
        "Verified: 2 passed, 0 failed; coverage 100.0% (6/6 statements, 2/2 branches) in Ns",
    ]
    assert result.stderr == ""
    assert tree(project) == before, "reports and caches are written outside the project"


def test_failing_tests_and_uncovered_lines_are_listed(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tests = (
        "from calc import add, sign\n\n\ndef test_add():\n    assert add(1, 1) == 2\n\n\n"
        "def test_wrong():\n    assert add(1, 1) == 3\n\n\n"
        "def test_positive():\n    assert sign(5) == 1\n"
    )
    project = mini(tmp_path, tests=tests)
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert [summary(line) for line in result.stderr.splitlines()] == [
        "Verification failed: 2 passed, 1 failed; coverage 75.0% (5/6 statements, 1/2 branches)"
        " in Ns",
        "  failed: tests/test_calc.py::test_wrong",
        "    assert 2 == 3",
        "     +  where 2 = add(1, 1)",
        f"    rerun: cd {project} && python -m pytest tests/test_calc.py::test_wrong",
        "  not covered: calc.py line 7; branch 6->7",
        f"drgen: error: verification of {str(project)!r} failed: 1 test failed",
    ]


def test_uncovered_lines_alone_fail_verification(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tests = "from calc import add\n\n\ndef test_add():\n    assert add(1, 1) == 2\n"
    project = mini(tmp_path, tests=tests)
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert [summary(line) for line in result.stderr.splitlines()] == [
        "Verification failed: 1 passed, 0 failed; coverage 37.5% (3/6 statements, 0/2 branches)"
        " in Ns",
        "  not covered: calc.py lines 6, 7, 8",
        f"drgen: error: verification of {str(project)!r} failed: coverage is 3/6 statements "
        "and 0/2 branches; 100% of both is required",
    ]


def test_a_missed_branch_alone_fails_verification(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every line ran; what is missed are branches: each named, from where to where."""
    calc = (
        "def clamp(x):\n    if x < 0:\n        x = 0\n    return x\n\n\n"
        "def first_negative(xs):\n    for x in xs:\n        if x < 0:\n            return x\n"
    )
    tests = (
        "from calc import clamp, first_negative\n\n\ndef test_clamp():\n"
        "    assert clamp(-1) == 0\n    assert first_negative([-1]) == -1\n"
    )
    project = mini(tmp_path, tests=tests, extra={"calc.py": calc})
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    verification = json.loads(result.stdout)["verification"]
    assert (verification["statements"], verification["covered_statements"]) == (8, 8)
    assert (verification["branches"], verification["covered_branches"]) == (6, 3)
    assert verification["uncovered"] == {"calc.py": [2, 8, 9]}
    assert verification["missed_branches"] == {
        "calc.py": [{"line": 2, "to": 4}, {"line": 8, "to": None}, {"line": 9, "to": 8}]
    }
    assert verification["failure"] == (
        "coverage is 8/8 statements and 3/6 branches; 100% of both is required"
    )
    shown = invoke("verify", str(project))
    assert shown.exit_code == EXIT_VERIFY_FAILED, shown.output
    assert "  not covered: calc.py branches 2->4, 8->exit, 9->8\n" in shown.stderr


def test_lines_not_run_and_branches_not_taken_are_told_apart(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Line 6 ran and never took its branch to 7: line 7 is not run, branch 6->7 not taken."""
    tests = "from calc import add, sign\n\n\ndef test_sign():\n    assert sign(5) == 1\n"
    project = mini(tmp_path, tests=tests)
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    verification = json.loads(result.stdout)["verification"]
    assert verification["uncovered"] == {"calc.py": [2, 6, 7]}
    assert verification["missed_branches"] == {"calc.py": [{"line": 6, "to": 7}]}
    shown = invoke("verify", str(project))
    assert "  not covered: calc.py lines 2, 7; branch 6->7\n" in shown.stderr


def test_errors_and_failures_are_both_counted_as_failed(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tests = BROKEN_FIXTURE + "\n\ndef test_wrong():\n    assert sign(1) == -1\n"
    project = mini(tmp_path, tests=tests)
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert [summary(line) for line in result.stderr.splitlines()] == [
        "Verification failed: 1 passed, 2 failed; coverage 87.5% (5/6 statements, 2/2 branches)"
        " in Ns",
        "  failed: tests/test_calc.py::test_add",
        '    failed on setup with "RuntimeError: boom"',
        f"    rerun: cd {project} && python -m pytest tests/test_calc.py::test_add",
        "  failed: tests/test_calc.py::test_wrong",
        "    assert 1 == -1",
        "     +  where 1 = sign(1)",
        f"    rerun: cd {project} && python -m pytest tests/test_calc.py::test_wrong",
        "  not covered: calc.py line 2",
        f"drgen: error: verification of {str(project)!r} failed: 2 tests failed",
    ]


NO_TESTS = "def helper():\n    return 1\n"
SKIPPED = "import pytest\n\n\n@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n"
EXIT_7 = "def pytest_sessionfinish(session):\n    session.exitstatus = 7\n"


@pytest.mark.parametrize(
    ("options", "failure", "counts"),
    [
        (
            {"tests": NO_TESTS},
            "no test ran (pytest exit code 5)",
            (0, 0, 0, 0),
        ),
        (
            {"addopts": '["--no-such-option"]'},
            "no test ran (pytest exit code 4)",
            (0, 0, 0, 0),
        ),
        (
            {"tests": SKIPPED},
            "no test ran (pytest exit code 0)",
            (0, 0, 0, 1),
        ),
        (
            {"addopts": "[]"},
            "no coverage report was written: the tests must run with pytest-cov (--cov)",
            (2, 0, 0, 0),
        ),
        (
            {"omit": '"tests/*", "calc.py"', "extra": {"pkg/__init__.py": ""}, "tests": (
                "import pkg\n\n\ndef test_import():\n    assert pkg.__name__ == 'pkg'\n"
            )},
            "no statement was measured: the coverage report is empty",
            (1, 0, 0, 0),
        ),
        (
            {"addopts": '["--cov"]'},
            "branch coverage was not measured: the tests must run with --cov-branch",
            (2, 0, 0, 0),
        ),
        (
            {"tests": BROKEN_FIXTURE},
            "1 test failed",
            (1, 0, 1, 0),
        ),
        (
            {"extra": {"conftest.py": EXIT_7}, "omit": '"tests/*", "conftest.py"'},
            "pytest exited with code 7",
            (2, 0, 0, 0),
        ),
    ],
    ids=["no-test", "pytest-usage", "all-skipped", "no-cov", "no-statement", "no-branch", "error",
         "exit-code"],
)  # fmt: skip
def test_a_run_that_proves_nothing_fails_with_its_reason(
    invoke, tmp_path: Path, options: dict[str, object], failure: str, counts: tuple[int, ...]
) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path, **options)  # type: ignore[arg-type]
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == [f"verification of {str(project)!r} failed: {failure}"]
    verification = doc["verification"]
    assert verification["failure"] == failure and verification["ok"] is False
    found = tuple(verification[k] for k in ("passed", "failed", "errors", "skipped"))
    assert found == counts
    if failure.startswith("branch coverage"):  # statements measured, branches not
        measured = tuple(verification[k] for k in ("statements", "branches", "covered_branches"))
        assert measured == (6, 0, 0)


def test_uncovered_lines_are_listed_even_when_no_test_ran(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path, tests=NO_TESTS)
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    assert [summary(line) for line in result.stderr.splitlines()] == [
        "Verification failed: 0 passed, 0 failed; coverage 0.0% (0/6 statements, 0/0 branches)"
        " in Ns",
        "  not covered: calc.py lines 1, 2, 5, 6, 7, 8",
        f"drgen: error: verification of {str(project)!r} failed: no test ran (pytest exit code 5)",
    ]


def test_a_run_without_details_shows_the_end_of_its_output(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path, addopts='["--no-such-option"]')
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    lines = result.stderr.splitlines()
    assert [summary(lines[0]), *lines[1:3], lines[-1]] == [
        "Verification failed: 0 passed, 0 failed; coverage 0.0% (0/0 statements, 0/0 branches)"
        " in Ns",
        "ERROR: usage: python -m pytest [options] [file_or_dir] [file_or_dir] [...]",
        "python -m pytest: error: unrecognized arguments: --no-such-option",
        f"drgen: error: verification of {str(project)!r} failed: no test ran (pytest exit code 4)",
    ]


def test_the_output_shown_is_its_last_2000_characters(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # no coverage report and no failing test: the end of pytest's own output is the only clue
    loud = "def pytest_unconfigure(config):\n    print('x' * 100 + 'y' * 2000)\n"
    project = mini(tmp_path, addopts="[]", extra={"conftest.py": loud})
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == EXIT_VERIFY_FAILED, result.output
    doc = json.loads(result.stdout)
    verification = doc["verification"]
    assert (verification["coverage_report"], verification["branch_coverage"]) == (False, False)
    assert doc["errors"] == [
        f"verification of {str(project)!r} failed: no coverage report was written: the tests "
        "must run with pytest-cov (--cov)"
    ]
    lines = result.stderr.splitlines()
    assert [summary(line) for line in lines[1:]] == [
        "  collected 2 tests",
        "Verification failed: 2 passed, 0 failed; coverage 0.0% (0/0 statements, 0/0 branches)"
        " in Ns",
        "y" * 2000,
        f"drgen: error: verification of {str(project)!r} failed: no coverage report was "
        "written: the tests must run with pytest-cov (--cov)",
    ]


def test_the_json_document_of_a_verified_project(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = mini(tmp_path)
    result = invoke("verify", str(project), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    seconds = doc["verification"].pop("seconds")
    assert isinstance(seconds, float) and 0 < seconds < 600
    assert doc == {
        "command": "verify",
        "result": "ok",
        "exit_code": 0,
        "drgen_version": __version__,
        "errors": [],
        "project": str(project),
        "verification": {
            "passed": 2,
            "failed": 0,
            "errors": 0,
            "skipped": 0,
            "statements": 6,
            "covered_statements": 6,
            "branches": 2,
            "covered_branches": 2,
            "percent": 100.0,
            "returncode": 0,
            "failing_tests": [],
            "uncovered": {},
            "missed_branches": {},
            "failures": [],
            "collection_errors": [],
            "coverage_report": True,
            "branch_coverage": True,
            "ok": True,
            "failure": None,
        },
    }
    assert [summary(line) for line in result.stderr.splitlines()] == [
        f"Running the project's tests in {project} ...",
        "  collected 2 tests",
        "Verified: 2 passed, 0 failed; coverage 100.0% (6/6 statements, 2/2 branches) in Ns",
    ]
