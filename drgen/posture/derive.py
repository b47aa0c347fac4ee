"""`build`: run the project's program under the audit's mocks and derive its posture from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.answers.rules import build_answers
from drgen.audit.program import AuditError, load_program
from drgen.audit.records import Record, run_programs
from drgen.errors import AnswerError, DrgenError
from drgen.files import InputError, load_yaml, read_text
from drgen.posture.costs import add_costs, load_prices
from drgen.posture.model import Posture
from drgen.posture.rehearsal import add_rehearsal
from drgen.posture.survival import add_not_covered, add_survival, paged


class ReportError(DrgenError):
    """The project cannot be reported on."""


def _recorded(path: Path) -> dict[str, Any]:
    """The recorded answers, read and checked as `drgen update` reads them: untrusted input."""
    record = path / ".drgen" / "answers.yml"
    try:
        data = load_yaml(read_text(record))
    except InputError as error:  # there, but not text drgen wrote (not UTF-8, too large)
        raise ReportError(f"{str(record)!r} is damaged: it {error}") from None
    except yaml.YAMLError as error:  # a refused alias included
        problem = getattr(error, "problem", None) or "not valid YAML"
        mark = getattr(error, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise ReportError(f"{str(record)!r} is damaged: {problem}{at}") from None
    except OSError:
        raise ReportError(
            f"{str(path)!r} holds no readable .drgen/answers.yml: is it a drgen project?"
        ) from None
    raw = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or not isinstance(raw.get("project_name"), str):
        raise ReportError(
            f"{str(record)!r} is damaged: answers must be a mapping with project_name"
        )
    given = {key: value for key, value in raw.items() if key != "project_name"}
    try:
        answers = build_answers(raw["project_name"], given)
    except AnswerError as error:
        raise ReportError(f"{str(record)!r} is damaged: {error}") from None
    return answers.to_data()


def _check_deployed(record: Record, recorded: list[str], stack_file: Path) -> None:
    """The program deploys to the recorded regions, real codes each, in the recorded order.

    The stack file decides them (`primaryRegion`, `secondaryRegions`), so an edit there that
    `drgen update --set regions=...` did not make would be reported under the record's regions.
    The providers give the set, the `regions` output the failover order.
    """
    deployed = list(
        dict.fromkeys(
            str(r["inputs"]["region"])
            for r in record.resources
            if r["type"] == "pulumi:providers:aws" and r["inputs"].get("region") is not None
        )
    )
    odd = [region for region in deployed if region not in COMMERCIAL_REGIONS]
    if odd:
        raise ReportError(
            f"{str(stack_file)!r} deploys to {', '.join(map(repr, odd))}: not an AWS "
            f"commercial region code (the record names {', '.join(recorded)})"
        )
    order = record.exports.get("regions")
    if isinstance(order, list) and set(deployed) == set(recorded):
        deployed = [str(region) for region in order]
    if deployed != recorded:
        raise ReportError(
            f"{str(stack_file)!r} deploys to {', '.join(deployed)} but the record names "
            f"{', '.join(recorded)}, in failover order: change regions with "
            "`drgen update --set regions=...`"
        )


def build(path: Path, stack: str | None = None, timeout: float = 120.0) -> Posture:
    """Run the project's program under mocks and derive its posture and idle cost."""
    answers = _recorded(path)
    program = load_program(path, stack)
    record = run_programs([program], timeout)[0]
    if isinstance(record, AuditError):
        raise record
    res = record.resources
    regions = [str(r) for r in answers["regions"]]
    _check_deployed(record, regions, program.stack_file or path / "Pulumi.yaml")
    posture = Posture(project=program.project, stack=program.stack, regions=regions)
    add_survival(posture, res, answers)
    add_rehearsal(posture, res, path)
    add_not_covered(posture, res, record.invokes, path)
    posture.paged = paged(res)
    add_costs(posture, res, load_prices())
    return posture
