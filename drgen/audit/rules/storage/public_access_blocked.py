"""R16: Bucket public access not blocked."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import BUCKETS
from drgen.audit.rules.values import truthy


@rule(
    "R16",
    "error",
    "Bucket public access not blocked",
    fix="Add a BucketPublicAccessBlock with all four settings true.",
    scope="Every bucket: a BucketPublicAccessBlock with all four settings true.",
    blind_spots="An account-level public access block is not seen.",
    url=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
    ),
)
def public_access_blocked(ctx: Context) -> Iterator[Hit]:
    """Every bucket blocks public access, all four ways."""
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in ctx.of(*BUCKETS):
        blocks = ctx.refers_back(
            bucket, ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
        )
        if not blocks:
            yield Hit("no public access block", bucket)
            continue
        off = [f for f in flags if not any(truthy(b["inputs"].get(f)) for b in blocks)]
        if off:
            yield Hit(f"public access block leaves {', '.join(off)} off", bucket)
