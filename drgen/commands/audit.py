"""`drgen audit`: run a Pulumi Python program under mocks and judge what it declares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drgen.audit import DEFAULT_TIMEOUT, FindingsError, audit
from drgen.audit import output as audit_report
from drgen.commands.messages import Messages, time_limit
from drgen.text import plural


@dataclass(frozen=True)
class AuditOptions:
    """Which rules judge the program, what fails the command, and how the program runs."""

    stack: str | None = None
    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    #: Findings of this severity or worse fail the command.
    fail_on: str = "error"
    sarif_file: Path | None = None
    sarif_root: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    python: str | None = None
    pass_env: Sequence[str] = ()


def run_audit(out: Messages, path: Path, options: AuditOptions) -> None:
    """Audit the program at `path`; raise `FindingsError` on findings at `fail_on` or worse."""
    time_limit(options.timeout, "--timeout")
    result = audit(
        path,
        stack=options.stack,
        select=list(options.select) if options.select is not None else None,
        ignore=list(options.ignore) if options.ignore is not None else None,
        timeout=options.timeout,
        python=options.python,
        pass_env=list(options.pass_env),
    )
    failing = result.failing(options.fail_on)
    out.doc["audit"] = audit_report.document(result)
    if out.json_mode:  # the document has every finding: stderr gets the notes and the summary
        for note in audit_report.notes(result):
            out.say(f"note: {note}")
        out.say(audit_report.summary(result))
    else:
        out.say(audit_report.text(result), nl=False)
    if options.sarif_file is not None:
        audit_report.write_sarif(result, options.sarif_file, options.sarif_root)
        out.say(f"SARIF written to {options.sarif_file}")
    if failing:
        raise FindingsError(f"{plural(len(failing), 'finding')} at or above {options.fail_on}")
