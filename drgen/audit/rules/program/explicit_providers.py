"""R10: Resource not pinned to a region."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.values import plain, service_of

#: Services without regions: their resources land in the same place from any provider.
REGIONLESS_SERVICES = ("iam", "route53", "cloudfront")


@rule(
    "R10",
    "error",
    "Resource not pinned to a region",
    fix=(
        "Create one aws.Provider per region and pass provider= to every AWS resource; spread "
        "the stack over at least two regions."
    ),
    scope=(
        "Every AWS resource: an explicit provider or a v7 region input. IAM, Route 53 and "
        "CloudFront are global: on the default provider they are reported only when the "
        "explicit providers' credentials, profile, assume_role or endpoints differ from the "
        "default's (stack config). Also: regional resources in fewer than two regions."
    ),
    blind_spots=(
        "The ambient credentials and AWS_REGION of the machine that deploys are not known; a "
        "provider built from another provider's settings at run time is compared by its inputs "
        "only."
    ),
    url="https://www.pulumi.com/registry/packages/aws/api-docs/provider/",
)
def explicit_providers(ctx: Context) -> Iterator[Hit]:
    """Every AWS resource names its provider, and the stack spans two regions."""
    aws = [r for r in ctx.resources if r["type"].startswith("aws:") and r["custom"]]
    for r in aws:
        if r["provider"] is None and plain(r["inputs"].get("region")) is None:
            if service_of(r["type"]) in REGIONLESS_SERVICES:
                if ctx.identity_differs:
                    yield Hit(
                        "uses the default provider, whose credentials or endpoints differ from "
                        f"provider {ctx.identity_differs[0]}'s: it may land in another account",
                        r,
                    )
                continue
            where = ctx.program.default_region or "the ambient AWS_REGION"
            yield Hit(f"uses the default provider: it lands in {where}", r)
    regional = [r for r in aws if service_of(r["type"]) not in REGIONLESS_SERVICES]
    regions = sorted({r["region"] for r in regional if r["region"]})
    if regional and len(regions) < 2:
        yield Hit(
            f"every regional AWS resource is in {regions[0] if regions else 'one region'}: "
            "there is no copy in another region",
            file=ctx.program.entry.relative_to(ctx.program.root).as_posix(),
            line=1,
        )
