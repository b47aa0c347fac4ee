"""Auditing programs: choosing the rules, running the programs, checking what they recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drgen.audit.program import AuditError, Program, load_program
from drgen.audit.records import Record, run_programs
from drgen.audit.rules.base import SEVERITIES
from drgen.audit.rules.findings import Finding, check
from drgen.audit.rules.registry import RULES, RULES_BY_ID

#: Seconds a program may run under mocks before it is stopped.
DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class AuditResult:
    """The findings of one audited program and what the run recorded."""

    program: Program
    record: Record
    rules: list[str]
    findings: list[Finding] = field(default_factory=list)

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings at or above a severity."""
        if fail_on not in SEVERITIES:
            raise AuditError(f"--fail-on {fail_on!r}: expected one of {', '.join(SEVERITIES)}")
        limit = SEVERITIES.index(fail_on)
        return [f for f in self.findings if SEVERITIES.index(f.severity) <= limit]


def _ids(values: list[str] | None, origin: str) -> list[str]:
    ids = []
    for value in values or []:
        for part in str(value).split(","):
            rule_id = part.strip().upper()
            if not rule_id:
                continue
            if rule_id not in RULES_BY_ID:
                known = ", ".join(RULES_BY_ID)
                raise AuditError(f"{origin}: unknown rule {part.strip()!r} (rules: {known})")
            ids.append(rule_id)
    return ids


def choose_rules(
    program: Program, select: list[str] | None = None, ignore: list[str] | None = None
) -> list[str]:
    """The rules to check: `--select` or the pyproject table's select (else all), minus ignores."""
    table = program.pyproject.get("tool", {}).get("drgen", {}).get("audit", {})
    if not isinstance(table, dict):
        raise AuditError("pyproject.toml: [tool.drgen.audit] must be a table")
    where = "pyproject.toml [tool.drgen.audit]"
    chosen = _ids(select, "--select") or _ids(table.get("select"), f"{where} select")
    ignored = set(_ids(ignore, "--ignore")) | set(_ids(table.get("ignore"), f"{where} ignore"))
    return [r.id for r in RULES if (not chosen or r.id in chosen) and r.id not in ignored]


def audit_many(
    programs: list[Program],
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    pass_env: Sequence[str] = (),
) -> list[AuditResult | AuditError]:
    """Audit several programs in one child process (they share its interpreter)."""
    results: list[AuditResult | AuditError] = []
    records = run_programs(programs, timeout, pass_env)
    for program, record in zip(programs, records, strict=True):
        if isinstance(record, AuditError):
            results.append(record)
            continue
        rules = choose_rules(program, select, ignore)
        results.append(AuditResult(program, record, rules, check(program, record, rules)))
    return results


def audit(
    path: Path,
    stack: str | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    python: str | None = None,
    pass_env: Sequence[str] = (),
) -> AuditResult:
    """Run the program at `path` offline under mocks and check every chosen rule.

    The program is code that runs: `sandbox.py` says what it sees (`pass_env` names the only
    variables of drgen's environment it gets beyond Python's own).
    """
    program = load_program(path, stack, python)
    choose_rules(program, select, ignore)  # refuse unknown rules before running anything
    result = audit_many([program], select, ignore, timeout, pass_env)[0]
    if isinstance(result, AuditError):
        raise result
    return result
