"""R23: Reference by constructed name without a dependency."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import (
    PHYSICAL_NAMES,
    RECORD,
    USER_CHOSEN_NAMES,
    physical_name,
)
from drgen.audit.rules.values import plain

#: Inputs that name things without needing them to exist (metric dimensions, labels).
NOT_REFERENCES = frozenset({"tags", "tagsAll", "dimensions", "description", "comment"})


@rule(
    "R23",
    "error",
    "Reference by constructed name without a dependency",
    fix=(
        "Pass the other resource's output (record.name, topic.arn, bucket.id) instead of a "
        "string built by hand, or add depends_on=[...] on it."
    ),
    scope=(
        "Every input string equal to the ARN or explicit physical name of another resource "
        "of the stack (or, for Route 53 aliases, to another record's name), when the "
        "resource does not wait for it."
    ),
    blind_spots=(
        "Names inside JSON documents (policies), metric dimensions and tags are not taken "
        "as references; a name that differs by case or a trailing part is not matched."
    ),
    url="https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html",
)
def create_order(ctx: Context) -> Iterator[Hit]:
    """A resource that names another of the stack by constructed ARN or name waits for it.

    The engine orders creates only by dependencies: a string built by hand carries none, so
    the referring resource can be created first, and AWS rejects it (Route 53: an alias to a
    record set that does not exist yet;
    https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html).
    """
    by_handle: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in ctx.resources:
        arn = plain(r["outputs"].get("arn"))
        if isinstance(arn, str) and arn.startswith("arn:"):
            by_handle[arn].append(r)
        name = physical_name(r)
        if name and r["type"] not in USER_CHOSEN_NAMES:
            by_handle[name].append(r)
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in ctx.of(RECORD):
        name = str(plain(record["inputs"].get("name")) or "").rstrip(".").lower()
        records[name].append(record)
    for r in ctx.resources:
        found: list[tuple[str, list[dict[str, Any]]]] = []
        for path, value in _reference_strings(r["inputs"], ""):
            if path == PHYSICAL_NAMES.get(r["type"], "name"):
                continue  # its own name
            if r["type"] == RECORD and re.fullmatch(r"aliases\[\d+\]\.name", path):
                targets = records.get(value.rstrip(".").lower(), [])
            else:
                targets = by_handle.get(value, [])
            targets = [t for t in targets if t is not r]
            if targets:
                # the same string may be another resource's id that this one waits for
                found.append((path, targets + ctx.handles.get(value, [])))
        for path, targets in found:
            if not any(ctx.waits_for(r, t) for t in targets):
                target = targets[0]
                yield Hit(
                    f"{path} names {target['type'].rsplit(':', 1)[-1]} {target['name']} by a "
                    "constructed string, without a dependency on it: the first deploy can "
                    "create this first, and AWS rejects it (pass the output, or depends_on)",
                    r,
                )
                break


def _reference_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, string) of every direct string input, documents and labels left out."""
    value = plain(value)
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_REFERENCES:
                yield from _reference_strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _reference_strings(item, f"{path}[{index}]")
    elif isinstance(value, str) and value:
        yield path, value
