"""Verification: run a generated project's own test suite and read what it proved."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drgen._runner import PROGRESS_ENV_VAR, SUITE_MODULES, run_pytest
from drgen.errors import TargetError, VerificationError
from drgen.render import RECORD_DIR

#: How many lines of an assertion message a failing test shows.
MESSAGE_LINES = 6


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
    failures: list[FailingTest] = field(default_factory=list)
    collection_errors: list[CollectionError] = field(default_factory=list)

    @property
    def failure(self) -> str | None:
        """Why this run proves nothing or fails, in one line; None when it proves 100%."""
        if self.collection_errors:
            return f"{len(self.collection_errors)} test file(s) could not be collected"
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


#: How long a verification may run: generous (the largest generated suite takes about 15 s).
DEFAULT_TIMEOUT = 1800.0


class ReportDamagedError(Exception):
    """A report of the test run is unreadable: a full disk, or tests that touched it."""


@dataclass(frozen=True)
class _Junit:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failing: list[str] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)


def _junit(path: Path, skip: set[str]) -> _Junit:
    """Counts and failure messages of the JUnit report, without the entries in `skip`."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - our own pytest run wrote it
    except FileNotFoundError:
        return _Junit()
    except (OSError, ET.ParseError) as error:
        raise ReportDamagedError(f"its JUnit report cannot be read ({error})") from None
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    failing: list[str] = []
    messages: dict[str, str] = {}
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"  # pytest always writes both
        if name in skip:
            continue
        problem = case.find("failure")
        kind = "failed"
        if problem is None:
            problem, kind = case.find("error"), "errors"
        if problem is not None:
            counts[kind] += 1
            failing.append(name)
            messages[name] = _first_lines(problem.get("message") or problem.text or "")
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return _Junit(**counts, failing=failing, messages=messages)


def _first_lines(message: str) -> str:
    lines = [line.rstrip() for line in message.strip().splitlines() if line.strip()]
    kept = lines[:MESSAGE_LINES]
    if len(lines) > MESSAGE_LINES:
        kept.append(f"... ({len(lines) - MESSAGE_LINES} more lines)")
    return "\n".join(kept)


def rerun_command(project: Path, nodeid: str) -> str:
    """The shell command that runs one test of the project on its own."""
    return f"cd {shlex.quote(str(project))} && python -m pytest {shlex.quote(nodeid)}"


def _new_lines(path: Path, offset: int) -> tuple[list[str], int]:
    """The complete lines written to `path` after `offset`, and the offset after them."""
    if not path.is_file():
        return [], offset
    with path.open("rb") as stream:
        stream.seek(offset)
        chunk = stream.read()
    complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
    return complete.decode("utf-8", "replace").splitlines(), offset + len(complete)


class _Events:
    """Reads the plugin's JSON lines while the child runs (on a thread) and once more after."""

    def __init__(
        self,
        path: Path,
        on_progress: Callable[[Progress], None] | None,
        output: Path,
        on_output: Callable[[str], None] | None,
    ) -> None:
        self.path = path
        self.on_progress = on_progress
        self.output = output
        self.on_output = on_output
        self.offset = 0
        self.output_offset = 0
        self.total: int | None = None
        self.done: list[dict[str, object]] = []
        self.collect_errors: list[dict[str, object]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> _Events:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.read()  # whatever the last poll missed

    def _follow(self) -> None:
        while not self.stop.wait(0.1):
            self.read()

    def read(self) -> None:
        if self.on_output is not None:
            lines, self.output_offset = _new_lines(self.output, self.output_offset)
            for text in lines:
                self.on_output(text)
        lines, self.offset = _new_lines(self.path, self.offset)
        changed = False
        for line in lines:
            try:
                event = json.loads(line)
                kind = event.pop("event")
            except (ValueError, AttributeError, KeyError, TypeError):
                continue  # not the plugin's line: the report directory is the tests' to damage
            if kind == "collected":
                self.total = event["total"]
            elif kind == "done":
                self.done.append(event)
            else:
                self.collect_errors.append(event)
            changed = True
        if changed and self.on_progress is not None:
            failed = sum(1 for e in self.done if e["outcome"] in ("failed", "error"))
            self.on_progress(Progress(len(self.done), self.total, failed))


Coverage = tuple[int, int, int, int, float, dict[str, list[int]], bool]
NO_COVERAGE: Coverage = (0, 0, 0, 0, 0.0, {}, False)


def _coverage(path: Path) -> Coverage:
    """The coverage report's numbers (a file the project's tests could damage: untrusted)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _coverage_of(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise ReportDamagedError(f"its coverage report cannot be read ({error!r})") from None


def _coverage_of(data: dict[str, Any]) -> Coverage:
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


def check_project(project: Path) -> Path:
    """The project's absolute path, or an error when it has nothing to verify."""
    project = project.absolute()
    if not (project / "Pulumi.yaml").is_file() or not (project / "tests").is_dir():
        raise TargetError(
            f"{str(project)!r} is not a drgen project: it needs Pulumi.yaml and tests/"
        )
    return project


def verify_project(
    project: Path,
    *,
    fail_fast: bool = False,
    verbose: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    on_output: Callable[[str], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> VerifyResult:
    """Run the project's pytest suite in this interpreter, with its own coverage gate.

    Runs in a child process (the same Python and packages) so each project imports its own
    `infra` and `app`, and writes its reports outside the project so it stays clean.
    `fail_fast` stops at the first failure, for callers that only need to know whether it fails.
    `on_progress` hears of each finished test and `on_output` gets pytest's own output line by
    line (`verbose` makes it name each test), both while the child runs, on another thread.
    A run past `timeout` seconds is ended, and is a failed verification.
    """
    project = check_project(project)
    with tempfile.TemporaryDirectory(prefix="drgen-verify-") as tmp:
        reports = Path(tmp)
        env = {
            **os.environ,
            "COVERAGE_FILE": str(reports / ".coverage"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",  # pytest's output reaches `on_output` as it is written
            PROGRESS_ENV_VAR: str(reports / "events.jsonl"),
        }
        arguments = [
            "-v" if verbose else "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "drgen._pytest_progress",
            f"--junitxml={reports / 'junit.xml'}",
            f"--cov-report=json:{reports / 'coverage.json'}",
            *(["-x"] if fail_fast else []),
        ]
        output_log = reports / "output.log"
        # what a generated suite imports, imported before coverage starts; a project drgen did
        # not generate may import none of it (and would see the imports' warnings replayed)
        preload = SUITE_MODULES if (project / RECORD_DIR).is_dir() else ()
        events = _Events(reports / "events.jsonl", on_progress, output_log, on_output)
        started = time.perf_counter()
        try:
            with events:
                returncode = run_pytest(
                    str(project), arguments, env, output=output_log, preload=preload,
                    timeout=timeout,
                )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise VerificationError(
                f"verification of {str(project)!r} did not finish within {timeout:g} s "
                "(--timeout); its test process was ended"
            ) from None
        seconds = time.perf_counter() - started
        collection_errors = [
            CollectionError(
                test_file=str(e["nodeid"]),
                file=e["file"],  # type: ignore[arg-type]
                line=e["line"],  # type: ignore[arg-type]
                error=str(e["error"]),
            )
            for e in events.collect_errors
        ]
        try:
            junit = _junit(reports / "junit.xml", {str(e["junit"]) for e in events.collect_errors})
            coverage_json = reports / "coverage.json"
            coverage_report = coverage_json.is_file()
            statements, covered, branches, covered_branches, percent, uncovered, branch = (
                _coverage(coverage_json) if coverage_report else NO_COVERAGE
            )
        except ReportDamagedError as error:
            raise VerificationError(
                f"verification of {str(project)!r} proved nothing: {error}; is the temporary "
                f"directory ({tempfile.gettempdir()}) full?"
            ) from None
        nodeids = {str(e["junit"]): str(e["nodeid"]) for e in events.done}
        failures = [
            FailingTest(
                test=nodeids.get(name, name),
                message=junit.messages[name],
                rerun=rerun_command(project, nodeids.get(name, name)),
            )
            for name in junit.failing
        ]
        try:
            output_text = output_log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            output_text = ""
    return VerifyResult(
        passed=junit.passed,
        failed=junit.failed,
        errors=junit.errors,
        skipped=junit.skipped,
        statements=statements,
        covered_statements=covered,
        branches=branches,
        covered_branches=covered_branches,
        percent=percent,
        seconds=seconds,
        returncode=returncode,
        coverage_report=coverage_report,
        branch_coverage=branch,
        failing_tests=junit.failing,
        uncovered=uncovered,
        output=output_text,
        failures=failures,
        collection_errors=collection_errors,
    )
