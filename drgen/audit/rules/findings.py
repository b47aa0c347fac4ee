"""The chosen rules run over a record: their hits as findings, minus inline waivers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drgen.audit.program import Program
from drgen.audit.records import Record
from drgen.audit.rules.context import Context
from drgen.audit.rules.registry import RULES_BY_ID


@dataclass(frozen=True)
class Finding:
    """One rule broken by one resource, with where it was declared and what to change."""

    rule: str
    severity: str
    title: str
    message: str
    fix: str
    resource_type: str | None
    resource_name: str | None
    file: str | None
    line: int | None


def check(program: Program, record: Record, rule_ids: Iterable[str]) -> list[Finding]:
    """Every finding of the chosen rules, minus those waived inline on the declaring line."""
    ctx = Context(program, record)
    findings = []
    for rule_id in rule_ids:
        rule = RULES_BY_ID[rule_id]
        hits = sorted(
            rule.check(ctx),
            key=lambda h: (
                h.file or (h.resource or {}).get("file") or "",
                h.line or (h.resource or {}).get("line") or 0,
            ),
        )
        for hit in hits:
            file = hit.file or (hit.resource or {}).get("file")
            line = hit.line or (hit.resource or {}).get("line")
            if file and line and waived(program.root / file, line, rule.id):
                continue
            findings.append(
                Finding(
                    rule=rule.id,
                    severity=hit.severity or rule.severity,
                    title=rule.title,
                    message=hit.message,
                    fix=rule.fix,
                    resource_type=(hit.resource or {}).get("type"),
                    resource_name=(hit.resource or {}).get("name"),
                    file=file,
                    line=line,
                )
            )
    return findings


WAIVER_RE = re.compile(r"#\s*drgen:\s*ignore\[([A-Za-z0-9,\s]+)\]")


def waived(path: Path, line: int, rule_id: str) -> bool:
    """Whether the declaring line carries `# drgen: ignore[R5]` for this rule."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()[line - 1]
    except (OSError, IndexError):
        return False
    match = WAIVER_RE.search(text)
    if match is None:
        return False
    return rule_id in {part.strip().upper() for part in match.group(1).split(",")}
