"""`--set`: the recorded answers changed, validated as `drgen new` validates them.

A change that would rebuild a live stack's regional core is refused unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import yaml

from drgen.answers.model import Answers
from drgen.answers.questions import QUESTIONS
from drgen.answers.rules import build_answers
from drgen.answers.sources import fill_defaults
from drgen.errors import AnswerError


def parse_sets(items: Iterable[str]) -> dict[str, object]:
    """`key=value` pairs; values are YAML scalars (`true`, `[a, b]`, `vpc`)."""
    changes: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AnswerError(f"--set {item!r} is not KEY=VALUE (e.g. --set route53=true)")
        try:
            changes[key.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            raise AnswerError(f"--set {item!r}: the value is not valid YAML") from None
    return changes


def check_region_order(before: Answers, after: Answers) -> None:
    """Refuse what rebuilds a live stack's regional core.

    A new primary, regions that swap places, or (with VPCs) a region moved to another position
    and so another /16; adding or removing secondaries is fine.
    """
    old, new = before.regions, after.regions
    given = f"--set regions={','.join(new)}"
    consequence = (
        "on a live stack that replaces the global table, the secret and the replication "
        "(and moves the failover order); give --allow-region-reorder to do it anyway"
    )
    if new[0] != old[0]:
        raise AnswerError(
            f"{given} changes the primary region from {old[0]} to {new[0]}: {consequence}"
        )
    kept = [region for region in new if region in old]
    if kept != [region for region in old if region in new]:
        raise AnswerError(
            f"{given} reorders the regions {', '.join(old)}: on a live stack that moves the "
            "failover order (which region takes over first) and rewrites the buckets' "
            "replication rules (`pulumi preview` shows what else); give --allow-region-reorder "
            "to do it anyway"
        )
    if after.network == "vpc":
        moved = [r for r in kept if old.index(r) != new.index(r)]
        if moved:
            raise AnswerError(
                f"{given} moves {', '.join(moved)} to another position: each region's /16 "
                "follows its position, so its VPC and subnets would be replaced; add regions "
                "at the end and remove them from the end, or give --allow-region-reorder"
            )


def changed_answers(
    recorded: Answers, changes: Mapping[str, object], *, allow_region_reorder: bool = False
) -> Answers:
    """The recorded answers with these changes, validated exactly as `drgen new` does.

    Answers of a feature being turned off are dropped with it; a feature turned on takes the
    defaults `drgen new --defaults` would give for whatever `--set` does not say. An answer
    set for a feature that stays off is refused, not dropped.
    """
    if "project_name" in changes:
        raise AnswerError("project_name cannot change: it names the Pulumi project and its config")
    raw: dict[str, object] = {**recorded.to_data(), **changes}
    name = str(raw.pop("project_name"))
    for question in QUESTIONS:
        if question.key in raw and question.key not in changes and not question.applies(raw):
            del raw[question.key]
    given = set(raw)
    fill_defaults(name, raw)
    answers = build_answers(
        name,
        raw,
        sources={key: f"--set {key}" for key in changes},
        with_set=True,
        defaulted=set(raw) - given,
    )
    if not allow_region_reorder:
        check_region_order(recorded, answers)
    return answers
