"""`build`: run the project's program under the audit's mocks and derive its posture from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from drgen.audit.program import AuditError, load_program
from drgen.audit.records import run_programs
from drgen.errors import DrgenError
from drgen.posture.costs import add_costs, load_prices
from drgen.posture.model import Posture
from drgen.posture.survival import add_not_covered, add_survival, paged


class ReportError(DrgenError):
    """The project cannot be reported on."""


def _recorded(path: Path) -> dict[str, Any]:
    record = path / ".drgen" / "answers.yml"
    try:
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise ReportError(
            f"{str(path)!r} holds no readable .drgen/answers.yml: is it a drgen project?"
        ) from None
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict) or not isinstance(answers.get("regions"), list):
        raise ReportError(f"{str(record)!r} is damaged: answers with regions are required")
    return answers


def build(path: Path, stack: str | None = None, timeout: float = 120.0) -> Posture:
    """Run the project's program under mocks and derive its posture and idle cost."""
    answers = _recorded(path)
    program = load_program(path, stack)
    record = run_programs([program], timeout)[0]
    if isinstance(record, AuditError):
        raise record
    res = record.resources
    regions = [str(r) for r in answers["regions"]]
    posture = Posture(project=program.project, stack=program.stack, regions=regions)
    add_survival(posture, res, answers)
    add_not_covered(posture, res, record.invokes, path)
    posture.paged = paged(res)
    add_costs(posture, res, load_prices())
    return posture
