"""R8: Physical name without the environment suffix."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import USER_CHOSEN_NAMES, physical_name


@rule(
    "R8",
    "error",
    "Physical name without the environment suffix",
    fix=(
        "Put the stack's environment suffix into every explicit physical name (or leave the "
        "name out and let Pulumi autoname it)."
    ),
    scope=(
        "Explicit physical names of the types in PHYSICAL_NAMES; the suffix is the stack name "
        "or the value of a suffix-like config key (envSuffix, environment_suffix, env, stage, "
        "suffix, ... in any case, with _ or -), matched as a whole name token."
    ),
    blind_spots=(
        "Types outside the list, and names that are unique for another reason (a region or "
        "account in them) without the suffix, are judged by the list only."
    ),
    url="https://www.pulumi.com/docs/concepts/resources/names/#autonaming",
)
def env_suffix(ctx: Context) -> Iterator[Hit]:
    """Explicit physical names carry the environment suffix as a whole name token."""
    suffixes = ctx.env_suffixes
    patterns = [re.compile(rf"(?<![a-z0-9]){re.escape(s)}(?![a-z0-9])") for s in suffixes]
    wanted = " or ".join(f"{s!r} ({where})" for s, where in suffixes.items())
    for r in ctx.resources:
        if r["type"] in USER_CHOSEN_NAMES:
            continue
        name = physical_name(r)
        if name is not None and not any(p.search(name.lower()) for p in patterns):
            yield Hit(f"physical name {name!r} lacks the environment suffix {wanted}", r)
