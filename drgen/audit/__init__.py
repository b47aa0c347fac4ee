"""`drgen audit`: check any Pulumi Python program for the known multi-region DR failures.

`program` loads a project (Pulumi.yaml, its stack config, its interpreter); `records` runs
it in a child process (`child/`, isolated by `sandbox`) under recording mocks; the rules
(`rules/`, one file per rule) read the record; `auditing` ties those together and `output`
renders the findings for people, JSON and SARIF.
"""

from __future__ import annotations

from drgen.audit.auditing import DEFAULT_TIMEOUT, AuditResult, audit, audit_many, choose_rules
from drgen.audit.program import AuditError, FindingsError
from drgen.audit.rules.base import SEVERITIES
from drgen.audit.rules.findings import Finding
from drgen.audit.rules.registry import RULES

__all__ = [
    "DEFAULT_TIMEOUT",
    "RULES",
    "SEVERITIES",
    "AuditError",
    "AuditResult",
    "Finding",
    "FindingsError",
    "audit",
    "audit_many",
    "choose_rules",
]
