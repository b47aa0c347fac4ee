"""The reports pytest writes for drgen: JUnit (tests and their failures) and coverage JSON.

Both files lie in a directory the project's tests can reach, so they are read as untrusted:
a damaged one is a ReportDamagedError, never a traceback.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drgen.text import plural
from drgen.verification.result import MissedBranch

#: How many lines of an assertion message a failing test shows.
MESSAGE_LINES = 6


class ReportDamagedError(Exception):
    """A report of the test run is unreadable: a full disk, or tests that touched it."""


@dataclass(frozen=True)
class JunitReport:
    """What the JUnit report counts, and each failing test's first lines."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failing: list[str] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)


def read_junit(path: Path, skip: set[str]) -> JunitReport:
    """Counts and failure messages of the JUnit report, without the entries in `skip`."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - our own pytest run wrote it
    except FileNotFoundError:
        return JunitReport()
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
    return JunitReport(**counts, failing=failing, messages=messages)


def _first_lines(message: str) -> str:
    lines = [line.rstrip() for line in message.strip().splitlines() if line.strip()]
    kept = lines[:MESSAGE_LINES]
    if len(lines) > MESSAGE_LINES:
        kept.append(f"... ({plural(len(lines) - MESSAGE_LINES, 'more line')})")
    return "\n".join(kept)


#: Statements, covered, branches, covered, percent, uncovered lines by file, branches measured,
#: missed branches (of lines that ran) by file.
Coverage = tuple[
    int, int, int, int, float, dict[str, list[int]], bool, dict[str, list[MissedBranch]]
]
NO_COVERAGE: Coverage = (0, 0, 0, 0, 0.0, {}, False, {})


def read_coverage(path: Path) -> Coverage:
    """The coverage report's numbers (a file the project's tests could damage: untrusted)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _coverage_of(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise ReportDamagedError(f"its coverage report cannot be read ({_why(error)})") from None


def _why(error: Exception) -> str:
    """What is wrong with the report, in words (an exception's repr is Python's, not a user's)."""
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, KeyError):
        return f"no {error.args[0]!r} in it"
    if isinstance(error, ValueError):  # the JSON parser's own words: where it stopped
        return str(error)
    return "not the layout coverage.py writes"


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
    missed = {
        name: [
            MissedBranch(int(start), int(end) if int(end) > 0 else None)
            for start, end in sorted(info.get("missing_branches", []))
            if start not in info.get("missing_lines", [])
        ]
        for name, info in data["files"].items()
    }
    return (
        totals["num_statements"],
        totals["covered_lines"],
        totals.get("num_branches", 0),
        totals.get("covered_branches", 0),
        totals["percent_covered"],
        uncovered,
        bool(data["meta"].get("branch_coverage")),
        {name: branches for name, branches in missed.items() if branches},
    )
