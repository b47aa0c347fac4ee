"""Alarms that make a regional failure or a replication lag visible, in every region.

Each alarm lives in the region its metric is published in and notifies that region's topic.
S3 publishes a replication rule's latency in the destination's region and its failures in
the source's, so S3 replication towards a region that is down raises no alarm in the
surviving regions: its objects stay pending, not failed.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from infra.config import StackConfig
from infra.storage import REPLICATION_MINUTES, RegionalBucket, rule_id

CW = aws.cloudwatch


def create_alarm_topic(
    config: StackConfig,
    region: str,
    provider: pulumi.ProviderResource,
    purpose: str = "alarms",
) -> aws.sns.Topic:
    """The topic alarms in `region` notify, subscribed to the on-call address if configured
    (stack config `alarmEmail`; AWS mails a confirmation link first)."""
    opts = pulumi.ResourceOptions(provider=provider)
    topic = aws.sns.Topic(f"{purpose}-{region}", name=config.name(purpose), opts=opts)
    if config.alarm_email is not None:
        aws.sns.TopicSubscription(
            f"{purpose}-email-{region}",
            topic=topic.arn,
            protocol="email",
            endpoint=config.alarm_email,
            opts=opts,
        )
    return topic


def alarm(
    logical_name: str,
    name: str,
    topic: aws.sns.Topic,
    opts: pulumi.ResourceOptions,
    **metric: Any,
) -> CW.MetricAlarm:
    """An alarm that notifies `topic` when it fires and when it clears; `metric` says what
    it watches. Missing data counts as healthy unless the metric says otherwise."""
    return CW.MetricAlarm(
        logical_name,
        name=name,
        alarm_actions=[topic.arn],
        ok_actions=[topic.arn],
        **{"treat_missing_data": "notBreaching", "evaluation_periods": 1, **metric},
        opts=opts,
    )


def front_5xx_alarm(
    logical_name: str,
    name: str,
    topic: aws.sns.Topic,
    opts: pulumi.ResourceOptions,
    **metric: Any,
) -> CW.MetricAlarm:
    """Any 5xx answer of a public front in a minute: the handler answers 503 without raising
    when a dependency fails, which the function's `Errors` metric never counts."""
    return alarm(
        logical_name,
        name,
        topic,
        opts,
        statistic="Sum",
        period=60,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        **metric,
    )


def function_alarms(
    config: StackConfig,
    region: str,
    function: aws.lambda_.Function,
    topic: aws.sns.Topic,
    provider: pulumi.ProviderResource,
) -> CW.MetricAlarm:
    """Function errors in a minute."""
    return alarm(
        f"function-errors-{region}",
        config.name("api-errors", region),
        topic,
        pulumi.ResourceOptions(provider=provider),
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions={"FunctionName": function.name},
        statistic="Sum",
        period=60,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
    )


def bucket_replication_alarms(
    config: StackConfig,
    source: RegionalBucket,
    destinations: list[RegionalBucket],
    replication: aws.s3.BucketReplicationConfig,
    topics: dict[str, aws.sns.Topic],
    providers: dict[str, aws.Provider],
) -> list[CW.MetricAlarm]:
    """Per destination of one source bucket, from the rule's replication metrics: objects
    that failed to replicate, and replication later than RTC's 15 minutes (a destination
    region that is down leaves objects pending, not failed).

    Each alarm lives, with that region's topic, where S3 publishes its metric ("Which Region
    is this metric published in?"): OperationsFailedReplication in the source bucket's
    region, ReplicationLatency (like the pending metrics) in the destination bucket's.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
    """

    def published_in(region: str) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(provider=providers[region], depends_on=[replication])

    alarms = []
    for dest in destinations:
        dimensions = {
            "SourceBucket": source.bucket.bucket,
            "DestinationBucket": dest.bucket.bucket,
            "RuleId": rule_id(dest.region),
        }
        alarms.append(
            alarm(
                f"bucket-replication-{dest.region}-alarm-{source.region}",
                config.name("replication-failed", source.region, dest.region),
                topics[source.region],
                published_in(source.region),
                namespace="AWS/S3",
                metric_name="OperationsFailedReplication",
                dimensions=dimensions,
                statistic="Sum",
                period=300,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
            )
        )
        alarms.append(
            alarm(
                f"bucket-latency-{source.region}-alarm-{dest.region}",
                config.name("replication-late", source.region, dest.region),
                topics[dest.region],
                published_in(dest.region),
                namespace="AWS/S3",
                metric_name="ReplicationLatency",
                dimensions=dimensions,
                statistic="Maximum",
                period=300,
                threshold=REPLICATION_MINUTES * 60,
                comparison_operator="GreaterThanThreshold",
            )
        )
    return alarms


def table_replication_alarms(
    config: StackConfig,
    table: aws.dynamodb.Table,
    source: str,
    topic: aws.sns.Topic,
    provider: pulumi.ProviderResource,
) -> list[CW.MetricAlarm]:
    """From one replica to each other: replication latency above the RPO that S3 RTC also
    targets (the metric is published in the sending region)."""
    return [
        alarm(
            f"table-replication-{region}-alarm-{source}",
            config.name("table-latency", source, region),
            topic,
            pulumi.ResourceOptions(provider=provider),
            namespace="AWS/DynamoDB",
            metric_name="ReplicationLatency",
            dimensions={"TableName": table.name, "ReceivingRegion": region},
            statistic="Average",
            period=300,
            evaluation_periods=2,
            threshold=REPLICATION_MINUTES * 60 * 1000,
            comparison_operator="GreaterThanThreshold",
        )
        for region in config.regions
        if region != source
    ]
