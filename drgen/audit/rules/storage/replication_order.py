"""R4: S3 replication before versioning."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import BUCKETS, REPLICATIONS, VERSIONINGS
from drgen.audit.rules.values import as_list, plain, truthy


@rule(
    "R4",
    "error",
    "S3 replication before versioning",
    fix=(
        "Enable BucketVersioning on the source and every destination and give the "
        "BucketReplicationConfig depends_on=[...all versionings, destination buckets]."
    ),
    scope=(
        "BucketReplicationConfig: versioning of the source and every destination, and "
        "dependencies on them and on the destination buckets."
    ),
    blind_spots=(
        "Replication configured inline on a bucket (deprecated) or through another stack's "
        "buckets is not followed."
    ),
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html",
)
def replication_order(ctx: Context) -> Iterator[Hit]:
    """Replication waits for versioning on both sides and for its destinations."""
    for config in ctx.of(*REPLICATIONS):
        buckets = ctx.refers(config["inputs"].get("bucket"), *BUCKETS)[:1]
        for replication in as_list(config["inputs"].get("rules")):
            destination = (
                plain(replication).get("destination")
                if isinstance(plain(replication), dict)
                else None
            )
            if isinstance(destination, dict):
                buckets += ctx.refers(destination.get("bucket"), *BUCKETS)[:1]
        for bucket in buckets:
            versionings = [
                v
                for v in ctx.refers_back(bucket, VERSIONINGS)
                if str(
                    plain((plain(v["inputs"].get("versioningConfiguration")) or {}).get("status"))
                )
                == "Enabled"
            ]
            if not versionings and not truthy(
                (plain(bucket["inputs"].get("versioning")) or {}).get("enabled")
            ):
                yield Hit(
                    f"bucket {bucket['name']} is replicated but has no versioning enabled", config
                )
            elif versionings and not any(ctx.waits_for(config, v) for v in versionings):
                yield Hit(
                    f"does not wait for {versionings[0]['name']}, the versioning of bucket "
                    f"{bucket['name']}: S3 rejects replication until it is enabled",
                    config,
                )
            if bucket is not buckets[0] and not ctx.waits_for(config, bucket):
                yield Hit(f"does not wait for the destination bucket {bucket['name']}", config)
