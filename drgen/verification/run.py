"""Verification: run a generated project's own test suite and read what it proved."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from drgen.errors import TargetError, VerificationError
from drgen.project.record import RECORD_DIR
from drgen.verification.events import Events
from drgen.verification.reports import (
    NO_COVERAGE,
    ReportDamagedError,
    read_coverage,
    read_junit,
)
from drgen.verification.result import CollectionError, FailingTest, Progress, VerifyResult
from drgen.verification.runner import PROGRESS_ENV_VAR, SUITE_MODULES, run_pytest

#: How long a verification may run: generous (the largest generated suite takes about 15 s).
DEFAULT_TIMEOUT = 1800.0


def rerun_command(project: Path, nodeid: str) -> str:
    """The shell command that runs one test of the project on its own."""
    return f"cd {shlex.quote(str(project))} && python -m pytest {shlex.quote(nodeid)}"


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
            "drgen.verification.progress_plugin",
            f"--junitxml={reports / 'junit.xml'}",
            f"--cov-report=json:{reports / 'coverage.json'}",
            *(["-x"] if fail_fast else []),
        ]
        output_log = reports / "output.log"
        # what a generated suite imports, imported before coverage starts; a project drgen did
        # not generate may import none of it (and would see the imports' warnings replayed)
        preload = SUITE_MODULES if (project / RECORD_DIR).is_dir() else ()
        events = Events(reports / "events.jsonl", on_progress, output_log, on_output)
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
            collected = {str(e["junit"]) for e in events.collect_errors}
            junit = read_junit(reports / "junit.xml", collected)
            coverage_json = reports / "coverage.json"
            coverage_report = coverage_json.is_file()
            (
                statements,
                covered,
                branches,
                covered_branches,
                percent,
                uncovered,
                branch,
                missed,
            ) = read_coverage(coverage_json) if coverage_report else NO_COVERAGE
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
        missed_branches=missed,
        output=output_text,
        failures=failures,
        collection_errors=collection_errors,
    )
