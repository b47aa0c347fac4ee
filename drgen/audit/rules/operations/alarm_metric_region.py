"""R21: Alarm on a metric of another region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import ALARM, TABLE, TABLE_REPLICA
from drgen.audit.rules.values import as_list, plain, service_of

#: Dimensions that name the resource a metric belongs to.
METRIC_DIMENSIONS = (
    "FunctionName",
    "TableName",
    "BucketName",
    "QueueName",
    "TopicName",
    "ApiId",
    "ApiName",
    "LoadBalancer",
    "TargetGroup",
    "DBInstanceIdentifier",
    "DBClusterIdentifier",
    "StreamName",
    "ClusterName",
    "DistributionId",
    "SourceBucket",
)
#: The bucket whose region an S3 Replication metric is published in ("Which Region is this
#: metric published in?"): https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
S3_REPLICATION_METRIC_BUCKET = {
    "BytesPendingReplication": "DestinationBucket",
    "ReplicationLatency": "DestinationBucket",
    "OperationsPendingReplication": "DestinationBucket",
    "OperationsFailedReplication": "SourceBucket",
}


@rule(
    "R21",
    "error",
    "Alarm on a metric of another region",
    fix=(
        "Create each alarm through the provider of the region its resource is in "
        "(CloudFront and Route 53 metrics: us-east-1)."
    ),
    scope=(
        "MetricAlarm dimensions (and metric_queries) that name a resource of the stack "
        "(FunctionName, TableName, BucketName, ApiId, LoadBalancer, ...): the alarm's region "
        "must be one the resource publishes metrics in (a global table's replicas count). "
        "S3 Replication metrics are judged by the bucket whose region publishes them: "
        "DestinationBucket for ReplicationLatency and the pending ones, SourceBucket for "
        "OperationsFailedReplication."
    ),
    blind_spots=(
        "Dimensions naming resources outside the stack, and custom metrics published "
        "elsewhere, are not judged; Route 53 health-check alarms are R13's."
    ),
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html",
)
def alarm_metric_region(ctx: Context) -> Iterator[Hit]:
    """An alarm lives in the region of the metric it watches (Route 53 is R13's).

    Metrics exist only in the region they are published in:
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html
    """
    for alarm in ctx.of(ALARM):
        inputs = alarm["inputs"]
        metrics = [
            (
                plain(inputs.get("dimensions")) or {},
                _metric_keys(plain(inputs.get("namespace")), plain(inputs.get("metricName"))),
            )
        ]
        for query in as_list(inputs.get("metricQueries")):
            metric = (plain(query) or {}).get("metric") if isinstance(plain(query), dict) else None
            if isinstance(metric, dict):
                keys = _metric_keys(plain(metric.get("namespace")), plain(metric.get("metricName")))
                metrics.append((plain(metric.get("dimensions")) or {}, keys))
        for found, keys in metrics:
            if not isinstance(found, dict):
                continue
            for key in keys:
                value = plain(found.get(key))
                if not isinstance(value, str) or not value:
                    continue
                targets = [
                    t
                    for t in ctx.handles.get(value, [])
                    if service_of(t["type"]) not in ("iam", "route53")
                ]
                regions = set().union(*(_metric_regions(ctx, t) for t in targets))
                if targets and regions and alarm["region"] not in regions:
                    yield Hit(
                        f"watches {key}={value} of {targets[0]['name']}, whose metrics are in "
                        f"{', '.join(sorted(regions))}, from {alarm['region']}: it never fires",
                        alarm,
                    )


def _metric_regions(ctx: Context, resource: dict[str, Any]) -> set[str]:
    """Where a resource's metrics are published: its region (and its replicas')."""
    if service_of(resource["type"]) == "cloudfront":
        return {"us-east-1"}  # CloudFront publishes its metrics in us-east-1 only
    found = {resource["region"]} if resource["region"] else set()
    if resource["type"] == TABLE:
        found |= {
            str(plain(r).get("regionName"))
            for r in as_list(resource["inputs"].get("replicas"))
            if isinstance(plain(r), dict)
        }
        arn = plain(resource["outputs"].get("arn"))
        found |= {
            r["region"]
            for r in ctx.of(TABLE_REPLICA)
            if plain(r["inputs"].get("globalTableArn")) == arn and r["region"]
        }
    return found


def _metric_keys(namespace: Any, metric_name: Any) -> tuple[str, ...]:
    """The dimensions that say where this metric is published."""
    if namespace == "AWS/S3" and metric_name in S3_REPLICATION_METRIC_BUCKET:
        return (S3_REPLICATION_METRIC_BUCKET[metric_name],)
    return METRIC_DIMENSIONS
