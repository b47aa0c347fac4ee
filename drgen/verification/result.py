"""What a verification found: the counts, the coverage, and why it proves nothing or fails."""

from __future__ import annotations

from dataclasses import dataclass, field

from drgen.text import plural


@dataclass(frozen=True)
class Progress:
    """Where the run is: tests finished of those collected (None until collection ends)."""

    done: int
    total: int | None
    failed: int


@dataclass(frozen=True)
class FailingTest:
    """A test that failed or errored: its pytest node id, why, and how to run it alone."""

    test: str
    message: str
    rerun: str


@dataclass(frozen=True)
class CollectionError:
    """A test file pytest could not collect (a syntax error, a failing import) and why."""

    test_file: str
    file: str | None
    line: int | None
    error: str

    def describe(self) -> str:
        """One line: the test file, where the error is (if elsewhere) and what it says."""
        line = "" if self.line is None else f", line {self.line}"
        if self.file in (None, self.test_file):
            return f"{self.test_file}{line}: {self.error}"
        return f"{self.test_file}: {self.error} ({self.file}{line})"


@dataclass(frozen=True)
class MissedBranch:
    """A branch whose line ran but which was never taken: from `line` to `to`.

    `to` is None for the exit from the function (which coverage.py writes as a negative line).
    """

    line: int
    to: int | None

    def describe(self) -> str:
        """`2->4`, or `7->exit`."""
        return f"{self.line}->{'exit' if self.to is None else self.to}"


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
    #: Per file, the lines not run and the lines with a missed branch, together.
    uncovered: dict[str, list[int]] = field(default_factory=dict)
    #: Per file, the branches not taken from lines that ran (a line not run misses them all).
    missed_branches: dict[str, list[MissedBranch]] = field(default_factory=dict)
    output: str = ""
    failures: list[FailingTest] = field(default_factory=list)
    collection_errors: list[CollectionError] = field(default_factory=list)

    @property
    def failure(self) -> str | None:
        """Why this run proves nothing or fails, in one line; None when it proves 100%."""
        if self.collection_errors:
            return f"{plural(len(self.collection_errors), 'test file')} could not be collected"
        if self.passed + self.failed + self.errors == 0:
            return f"no test ran (pytest exit code {self.returncode})"
        if self.failed or self.errors:
            return f"{plural(self.failed + self.errors, 'test')} failed"
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


def not_covered(result: VerifyResult, path: str) -> str:
    """`calc.py lines 6, 7; branch 2->4`: the lines not run, then the branches not taken."""
    branches = result.missed_branches.get(path, [])
    partial = {branch.line for branch in branches}
    lines = [line for line in result.uncovered.get(path, []) if line not in partial]
    parts = []
    if lines:
        parts.append(f"{'line' if len(lines) == 1 else 'lines'} {', '.join(map(str, lines))}")
    if branches:
        word = "branch" if len(branches) == 1 else "branches"
        parts.append(f"{word} {', '.join(branch.describe() for branch in branches)}")
    return f"{path} {'; '.join(parts)}"
