"""Alarms that make a regional failure or a replication lag visible, per region."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from infra.config import StackConfig
from infra.storage import REPLICATION_MINUTES, RegionalBucket

CW = aws.cloudwatch


def create_alarm_topic(
    config: StackConfig, region: str, provider: pulumi.ProviderResource
) -> aws.sns.Topic:
    """The topic this region's alarms notify; subscribe your on-call to it."""
    return aws.sns.Topic(
        f"alarms-{region}",
        name=config.name("alarms"),
        opts=pulumi.ResourceOptions(provider=provider),
    )


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


def function_errors_alarm(
    config: StackConfig,
    region: str,
    function: aws.lambda_.Function,
    topic: aws.sns.Topic,
    provider: pulumi.ProviderResource,
) -> CW.MetricAlarm:
    """Any function error in a minute raises the alarm."""
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
    topic: aws.sns.Topic,
    provider: pulumi.ProviderResource,
) -> list[CW.MetricAlarm]:
    """Per destination: objects that failed to replicate, from the rule's RTC metrics."""
    return [
        alarm(
            f"bucket-replication-{dest.region}-alarm-{source.region}",
            config.name("replication-failed", dest.region),
            topic,
            pulumi.ResourceOptions(provider=provider, depends_on=[replication]),
            namespace="AWS/S3",
            metric_name="OperationsFailedReplication",
            dimensions={
                "SourceBucket": source.bucket.bucket,
                "DestinationBucket": dest.bucket.bucket,
                "RuleId": f"to-{dest.region}",
            },
            statistic="Sum",
            period=300,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
        )
        for dest in destinations
    ]


def table_replication_alarms(
    config: StackConfig,
    table: aws.dynamodb.Table,
    topic: aws.sns.Topic,
    provider: pulumi.ProviderResource,
) -> list[CW.MetricAlarm]:
    """Per replica: replication latency above the RPO that S3 RTC also promises."""
    return [
        alarm(
            f"table-replication-{region}-alarm-{config.primary_region}",
            config.name("table-latency", region),
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
        for region in config.secondary_regions
    ]
