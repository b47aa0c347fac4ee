"""R17: Table without point-in-time recovery."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import TABLE, TABLE_REPLICA
from drgen.audit.rules.values import as_list, plain, truthy


@rule(
    "R17",
    "error",
    "Table without point-in-time recovery",
    fix=(
        "Set point_in_time_recovery=TablePointInTimeRecoveryArgs(enabled=True) and "
        "point_in_time_recovery=True on every replica."
    ),
    scope=(
        "DynamoDB tables, their inline replicas and TableReplica resources: point-in-time "
        "recovery on."
    ),
    blind_spots="Backups by AWS Backup plans instead of PITR are not recognised.",
    url=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"
    ),
)
def point_in_time_recovery(ctx: Context) -> Iterator[Hit]:
    """Tables and replicas keep point-in-time recovery."""
    for table in ctx.of(TABLE):
        if not truthy((plain(table["inputs"].get("pointInTimeRecovery")) or {}).get("enabled")):
            yield Hit("point-in-time recovery is off", table)
        for replica in as_list(table["inputs"].get("replicas")):
            replica = plain(replica)
            if isinstance(replica, dict) and not truthy(replica.get("pointInTimeRecovery")):
                yield Hit(
                    f"point-in-time recovery is off on the replica in {replica.get('regionName')}",
                    table,
                )
    for replica in ctx.of(TABLE_REPLICA):
        if not truthy(replica["inputs"].get("pointInTimeRecovery")):
            yield Hit(
                f"point-in-time recovery is off on the replica in {replica['region']}", replica
            )
