"""Verification: run a generated project's own test suite and read what it proved."""

from __future__ import annotations

import json
import os
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from drgen._runner import run_pytest
from drgen.errors import TargetError


@dataclass(frozen=True)
class VerifyResult:
    """What the project's suite reported: tests, statement and branch coverage, time."""

    passed: int
    failed: int
    errors: int
    skipped: int
    statements: int
    covered_statements: int
    branches: int
    covered_branches: int
    percent: float
    seconds: float
    returncode: int
    #: Whether the run wrote a coverage report, and whether that report measured branches.
    coverage_report: bool
    branch_coverage: bool
    failing_tests: list[str] = field(default_factory=list)
    uncovered: dict[str, list[int]] = field(default_factory=dict)
    output: str = ""

    @property
    def failure(self) -> str | None:
        """Why this run proves nothing or fails, in one line; None when it proves 100%."""
        if self.passed + self.failed + self.errors == 0:
            return f"no test ran (pytest exit code {self.returncode})"
        if self.failed or self.errors:
            return f"{self.failed + self.errors} test(s) failed"
        if not self.coverage_report:
            return "no coverage report was written: the tests must run with pytest-cov (--cov)"
        if self.statements == 0:
            return "no statement was measured: the coverage report is empty"
        if not self.branch_coverage:
            return "branch coverage was not measured: the tests must run with --cov-branch"
        if self.covered_statements < self.statements or self.covered_branches < self.branches:
            return (
                f"coverage is {self.covered_statements}/{self.statements} statements and "
                f"{self.covered_branches}/{self.branches} branches; 100% of both is required"
            )
        if self.returncode != 0:
            return f"pytest exited with code {self.returncode}"
        return None

    @property
    def ok(self) -> bool:
        """Tests ran and all passed, and every measured statement and branch is covered."""
        return self.failure is None

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{self.passed} passed, {self.failed + self.errors} failed; coverage "
            f"{self.percent:.1f}% ({self.covered_statements}/{self.statements} statements, "
            f"{self.covered_branches}/{self.branches} branches) in {self.seconds:.1f}s"
        )


def _junit_counts(path: Path) -> tuple[int, int, int, int, list[str]]:
    if not path.is_file():
        return 0, 0, 0, 0, []
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest run wrote it
    failing: list[str] = []
    passed = failed = errors = skipped = 0
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"  # pytest always writes both
        if case.find("failure") is not None:
            failed += 1
            failing.append(name)
        elif case.find("error") is not None:
            errors += 1
            failing.append(name)
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, errors, skipped, failing


Coverage = tuple[int, int, int, int, float, dict[str, list[int]], bool]
NO_COVERAGE: Coverage = (0, 0, 0, 0, 0.0, {}, False)


def _coverage(path: Path) -> Coverage:
    data = json.loads(path.read_text())
    totals = data["totals"]
    uncovered = {
        name: sorted(
            set(info.get("missing_lines", []))
            | {branch[0] for branch in info.get("missing_branches", [])}
        )
        for name, info in data["files"].items()
        if info.get("missing_lines") or info.get("missing_branches")
    }
    return (
        totals["num_statements"],
        totals["covered_lines"],
        totals.get("num_branches", 0),
        totals.get("covered_branches", 0),
        totals["percent_covered"],
        uncovered,
        bool(data["meta"].get("branch_coverage")),
    )


def verify_project(project: Path, *, fail_fast: bool = False) -> VerifyResult:
    """Run the project's pytest suite in this interpreter, with its own coverage gate.

    Runs in a child process (the same Python and packages) so each project imports its own
    `infra` and `app`, and writes its reports outside the project so it stays clean.
    `fail_fast` stops at the first failure, for callers that only need to know whether it fails.
    """
    project = project.absolute()
    if not (project / "Pulumi.yaml").is_file() or not (project / "tests").is_dir():
        raise TargetError(
            f"{str(project)!r} is not a drgen project: it needs Pulumi.yaml and tests/"
        )
    with tempfile.TemporaryDirectory(prefix="drgen-verify-") as tmp:
        reports = Path(tmp)
        env = {
            **os.environ,
            "COVERAGE_FILE": str(reports / ".coverage"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        arguments = [
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={reports / 'junit.xml'}",
            f"--cov-report=json:{reports / 'coverage.json'}",
            *(["-x"] if fail_fast else []),
        ]
        started = time.perf_counter()
        returncode, output = run_pytest(str(project), arguments, env)
        seconds = time.perf_counter() - started
        passed, failed, errors, skipped, failing = _junit_counts(reports / "junit.xml")
        coverage_json = reports / "coverage.json"
        coverage_report = coverage_json.is_file()
        statements, covered, branches, covered_branches, percent, uncovered, branch = (
            _coverage(coverage_json) if coverage_report else NO_COVERAGE
        )
    return VerifyResult(
        passed=passed,
        failed=failed,
        errors=errors,
        skipped=skipped,
        statements=statements,
        covered_statements=covered,
        branches=branches,
        covered_branches=covered_branches,
        percent=percent,
        seconds=seconds,
        returncode=returncode,
        coverage_report=coverage_report,
        branch_coverage=branch,
        failing_tests=failing,
        uncovered=uncovered,
        output=output,
    )
