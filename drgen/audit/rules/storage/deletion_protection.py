"""R14: Stateful data without deletion protection."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import TABLE, TABLE_REPLICA
from drgen.audit.rules.values import as_list, plain, truthy


@rule(
    "R14",
    "error",
    "Stateful data without deletion protection",
    fix=(
        "Set deletion_protection_enabled=True on the table and every TableReplicaArgs "
        "(deletion_protection=True on databases)."
    ),
    scope=(
        "DynamoDB tables and their inline replicas, TableReplica resources, RDS instances and "
        "clusters."
    ),
    blind_spots=(
        "Other stateful services (S3 object lock, EFS, ElastiCache) are not judged; Pulumi's "
        "protect= is not counted as deletion protection."
    ),
    url=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html"
    ),
)
def deletion_protection(ctx: Context) -> Iterator[Hit]:
    """Tables, replicas and databases carry deletion protection."""
    for table in ctx.of(TABLE):
        if not truthy(table["inputs"].get("deletionProtectionEnabled")):
            yield Hit("the table has no deletion protection", table)
        for replica in as_list(table["inputs"].get("replicas")):
            replica = plain(replica)
            if isinstance(replica, dict) and not truthy(replica.get("deletionProtectionEnabled")):
                yield Hit(
                    f"the replica in {replica.get('regionName')} has no deletion protection", table
                )
    for replica in ctx.of(TABLE_REPLICA):
        if not truthy(replica["inputs"].get("deletionProtectionEnabled")):
            yield Hit(f"the replica in {replica['region']} has no deletion protection", replica)
    for db in ctx.of("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        if not truthy(db["inputs"].get("deletionProtection")):
            yield Hit("the database has no deletion protection", db)
