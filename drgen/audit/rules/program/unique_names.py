"""R19: Physical name used twice in one scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import physical_name
from drgen.audit.rules.values import service_of

#: Names unique per account (or worldwide), not per region.
GLOBAL_SERVICES = ("iam", "s3", "route53", "cloudfront")


@rule(
    "R19",
    "error",
    "Physical name used twice in one scope",
    fix="Put the region (for regional services) or a unique part into each physical name.",
    scope=(
        "Explicit physical names of one type: IAM, S3, Route 53 and CloudFront per account, "
        "the others per region."
    ),
    blind_spots=(
        "Names already taken outside the stack (another stack, another account for S3) are not "
        "known."
    ),
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
)
def unique_names(ctx: Context) -> Iterator[Hit]:
    """No two resources of a type share a physical name in one scope."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in sorted(ctx.resources, key=lambda r: (r["file"] or "", r["line"] or 0, r["name"])):
        name = physical_name(r)
        if name is None:
            continue
        scope = "global" if service_of(r["type"]) in GLOBAL_SERVICES else str(r["region"])
        key = (r["type"], name, scope)
        if key in seen:
            where = "account-wide" if scope == "global" else f"in {scope}"
            yield Hit(f"physical name {name!r} is also used by {seen[key]['name']} ({where})", r)
        else:
            seen[key] = r
