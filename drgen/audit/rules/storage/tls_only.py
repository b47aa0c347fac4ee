"""R15: Bucket accepts requests without TLS."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import BUCKETS
from drgen.audit.rules.values import parse_json, statements


@rule(
    "R15",
    "error",
    "Bucket accepts requests without TLS",
    fix="Add a BucketPolicy denying s3:* when aws:SecureTransport is false.",
    scope="Every bucket: a BucketPolicy on it denying requests with aws:SecureTransport false.",
    blind_spots="A deny through an organisation SCP or another stack's policy is not seen.",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
)
def tls_only(ctx: Context) -> Iterator[Hit]:
    """Every bucket refuses requests without TLS."""
    for bucket in ctx.of(*BUCKETS):
        policies = ctx.refers_back(bucket, ("aws:s3/bucketPolicy:BucketPolicy",))
        denies = [
            st
            for p in policies
            for st in statements(parse_json(p["inputs"].get("policy")))
            if st.get("Effect") == "Deny"
            and str(
                ((st.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
            ).lower()
            == "false"
        ]
        if not denies:
            yield Hit("no bucket policy denies requests without TLS (aws:SecureTransport)", bucket)
