"""An audit's findings for people (text), for scripts (JSON) and for code scanning (SARIF)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from drgen import __version__
from drgen.audit.auditing import AuditResult
from drgen.audit.program import SECRET_PLACEHOLDER, AuditError, Program
from drgen.audit.rules.base import SEVERITIES
from drgen.audit.rules.registry import RULES_BY_ID
from drgen.text import plural

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The `uriBaseId` of every location: paths are relative to the Pulumi project.
PROJECT_ROOT = "PROJECTROOT"


def summary(result: AuditResult) -> str:
    """One line: the project, the stack, what was checked and what was found."""
    program = result.program
    checked = (
        f"{plural(len(result.record.resources), 'resource')} and "
        f"{plural(len(result.record.invokes), 'lookup')} against "
        f"{plural(len(result.rules), 'rule')}"
    )
    head = f"{program.project} (stack {program.stack})"
    if not result.findings:
        return f"{head}: clean: {checked}"
    counts = Counter(f.severity for f in result.findings)
    by_severity = ", ".join(plural(counts[s], s) for s in SEVERITIES if counts[s])
    rules = len({f.rule for f in result.findings})
    return (
        f"{head}: {plural(len(result.findings), 'finding')} ({by_severity}) "
        f"from {plural(rules, 'rule')}; checked {checked}"
    )


def placeholders(program: Program) -> list[str]:
    """The `secure:` keys whose values the audit replaced (it cannot decrypt them)."""
    return [key for key in program.secret_keys if program.config.get(key) == SECRET_PLACEHOLDER]


def isolation(result: AuditResult) -> dict[str, object] | None:
    """What the audited program could see and reach (docs/audit.md, "Trust")."""
    applied = result.record.isolation
    return applied.as_dict() if applied is not None else None


def notes(result: AuditResult) -> list[str]:
    """What the reader must know about how the program was run."""
    found = list(result.program.notes)
    applied = result.record.isolation
    if applied is not None and not applied.network_cut:
        found.append(f"the program ran with network access ({applied.network})")
    if applied is not None and applied.requested:
        found.append(f"passed to the program: {', '.join(applied.requested)} (--pass-env)")
    replaced = placeholders(result.program)
    if replaced:
        found.append(
            f"secure config values replaced by placeholders (the audit cannot decrypt them): "
            f"{', '.join(replaced)}"
        )
    return found


def text(result: AuditResult) -> str:
    """Findings grouped by rule, each with its place and what to change, then the summary."""
    lines: list[str] = [f"note: {note}" for note in notes(result)]
    for rule_id in result.rules:
        found = [f for f in result.findings if f.rule == rule_id]
        if not found:
            continue
        rule = RULES_BY_ID[rule_id]
        lines.append(f"{rule.id} {rule.severity}: {rule.title} ({len(found)})")
        for f in found:
            place = f"{f.file}:{f.line}" if f.file else "(no source line)"
            what = f"{f.resource_type} {f.resource_name}" if f.resource_type else "program"
            level = "" if f.severity == rule.severity else f"[{f.severity}] "
            lines.append(f"  {place}: {level}{what}: {f.message}")
        lines.append(f"  fix: {rule.fix}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def document(result: AuditResult) -> dict[str, Any]:
    """The `--json` document."""
    program = result.program
    counts = Counter(f.severity for f in result.findings)
    return {
        "project": program.project,
        "path": str(program.root),
        "stack": program.stack,
        "entry": program.entry.relative_to(program.root).as_posix(),
        "placeholders": placeholders(program),
        "notes": notes(result),
        "rules": list(result.rules),
        "resources": len(result.record.resources),
        "lookups": len(result.record.invokes),
        "counts": {s: counts[s] for s in SEVERITIES},
        "findings": [asdict(f) for f in result.findings],
        "summary": summary(result),
        "isolation": isolation(result),
        "record": {
            "resources": result.record.resources,
            "lookups": result.record.invokes,
            "exports": result.record.exports,
        },
    }


def _artifact(result: AuditResult, file: str, root: Path) -> dict[str, Any]:
    """A file's location relative to `root`, or its absolute URI when it lies outside."""
    path = result.program.root / file
    if path.is_relative_to(root):
        return {"uri": path.relative_to(root).as_posix(), "uriBaseId": PROJECT_ROOT}
    return {"uri": path.as_uri()}


def sarif(result: AuditResult, root: Path | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, the chosen rules' metadata, one result per finding.

    Locations are relative to `root` (default: the project); GitHub code scanning wants
    them relative to the repository, so a project in a subdirectory passes the checkout.
    """
    base = (root or result.program.root).resolve()
    index = {rule_id: n for n, rule_id in enumerate(result.rules)}
    rules = [
        {
            "id": rule.id,
            "name": "".join(word.capitalize() for word in rule.title.split()),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.scope},
            "help": {"text": rule.fix},
            "helpUri": rule.url,
            "defaultConfiguration": {"level": rule.severity},
        }
        for rule in (RULES_BY_ID[r] for r in result.rules)
    ]
    results = []
    for f in result.findings:
        location: dict[str, Any] = {}
        if f.file:
            physical: dict[str, Any] = {"artifactLocation": _artifact(result, f.file, base)}
            if f.line:
                physical["region"] = {"startLine": f.line}
            location["physicalLocation"] = physical
        if f.resource_type:
            location["logicalLocations"] = [
                {
                    "name": f.resource_name,
                    "fullyQualifiedName": f"{f.resource_type}::{f.resource_name}",
                    "kind": "resource",
                }
            ]
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": f.severity,
            "message": {"text": f"{f.message}. Fix: {f.fix}"},
        }
        if location:
            entry["locations"] = [location]
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "drgen-audit",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "properties": {"isolation": isolation(result)}}
                ],
                "originalUriBaseIds": {PROJECT_ROOT: {"uri": base.as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def write_sarif(result: AuditResult, path: Path, root: Path | None = None) -> None:
    """Write the SARIF log whole, or nothing (a half-written log would fail an upload)."""
    staging = path.with_name(f".{path.name}.tmp")
    try:
        staging.write_text(json.dumps(sarif(result, root), indent=2) + "\n", encoding="utf-8")
        staging.replace(path)
    except OSError as error:
        staging.unlink(missing_ok=True)
        raise AuditError(f"cannot write the SARIF file {path}: {error.strerror}") from None
