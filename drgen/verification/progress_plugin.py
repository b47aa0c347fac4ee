"""A pytest plugin drgen loads into the project's test run: its progress and collection errors.

Loaded with `-p drgen.verification.progress_plugin`, it appends one JSON object per line to
the file named by `DRGEN_PROGRESS_FILE`, so drgen can show progress while the child runs and
name collection errors with their cause. It only observes: it asserts nothing, changes no
outcome, and lives outside the project, so the project's coverage measures exactly what it
measured without it.
"""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path
from typing import Any

import pytest

from drgen.verification.runner import PROGRESS_ENV_VAR as ENV_VAR


def _junit_name(nodeid: str) -> str | None:
    """The `classname::name` the JUnit report gives this test, to match its entries."""
    try:  # private, but the same pytest writes the JUnit report in this process
        from _pytest.junitxml import mangle_test_address
    except ImportError:  # pragma: no cover - a pytest without it: the parent falls back
        return None
    names = mangle_test_address(nodeid)
    return f"{'.'.join(names[:-1])}::{names[-1]}"


def _cause(excinfo: Any, project: Path) -> dict[str, object]:
    """Where a collection error comes from: file, line and the error, as a person reads it."""
    error: BaseException = excinfo.value
    cause = error.__cause__ or error
    if isinstance(cause, SyntaxError) and cause.filename:
        return {
            "file": _relative(cause.filename, project),
            "line": cause.lineno,
            "error": f"SyntaxError: {cause.msg}",
        }
    frames = traceback.extract_tb(cause.__traceback__)
    inside = [f for f in frames if _relative(f.filename, project) != f.filename]
    frame = inside[-1] if inside else (frames[-1] if frames else None)
    return {
        "file": _relative(frame.filename, project) if frame else None,
        "line": frame.lineno if frame else None,
        "error": "".join(traceback.format_exception_only(type(cause), cause)).strip(),
    }


def _relative(filename: str, project: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(project).as_posix()
    except ValueError:
        return filename


class _Progress:
    def __init__(self, path: str, project: Path) -> None:
        self.stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the run
        self.project = project
        self.outcomes: dict[str, str] = {}

    def write(self, **event: object) -> None:
        self.stream.write(json.dumps(event) + "\n")
        self.stream.flush()

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.write(event="collected", total=len(session.items))

    def pytest_exception_interact(self, node: Any, call: Any, report: Any) -> None:
        if isinstance(node, pytest.Collector):
            self.write(
                event="collect_error",
                nodeid=report.nodeid,
                junit=_junit_name(report.nodeid),
                **_cause(call.excinfo, self.project),
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        worst = self.outcomes.get(report.nodeid, "passed")
        if report.failed:
            worst = "failed" if report.when == "call" else "error"
        elif report.skipped and worst == "passed":
            worst = "skipped"
        self.outcomes[report.nodeid] = worst

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.write(
            event="done",
            nodeid=nodeid,
            outcome=self.outcomes.pop(nodeid, "passed"),
            junit=_junit_name(nodeid),
        )

    def pytest_unconfigure(self) -> None:
        self.stream.close()


def pytest_configure(config: pytest.Config) -> None:
    """Register the writer when drgen asked for events (the variable names the file)."""
    path = os.environ.get(ENV_VAR)
    if path:
        config.pluginmanager.register(
            _Progress(path, Path(config.rootpath).resolve()), "drgen-progress"
        )
