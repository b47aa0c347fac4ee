"""Assembles the DR stack from its parts, region by region, with explicit providers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.compute import FunctionInputs, RegionalFunction, create_function
from infra.config import StackConfig
from infra.database import create_table
from infra.monitoring import (
    bucket_replication_alarms,
    create_alarm_topic,
    function_errors_alarm,
    table_replication_alarms,
)
from infra.providers import create_providers
from infra.secret import create_secret
from infra.storage import RegionalBucket, create_bucket, create_replication


@dataclass(frozen=True)
class DrStack:
    """Everything the stack created, for outputs and for `infra.extensions`."""

    config: StackConfig
    providers: dict[str, aws.Provider]
    buckets: dict[str, RegionalBucket]
    table: aws.dynamodb.Table
    secret: aws.secretsmanager.Secret
    functions: dict[str, RegionalFunction]
    alarm_topics: dict[str, aws.sns.Topic]

    def outputs(self) -> dict[str, Any]:
        """What an operator needs after `pulumi up`."""
        return {
            "primaryRegion": self.config.primary_region,
            "urls": {region: fn.url.function_url for region, fn in self.functions.items()},
            "tableName": self.table.name,
            "bucketNames": {region: b.bucket.bucket for region, b in self.buckets.items()},
            "secretName": self.secret.name,
            "alarmTopicArns": {region: topic.arn for region, topic in self.alarm_topics.items()},
        }


def build_stack(config: StackConfig) -> DrStack:
    """Create every resource of the DR stack; the primary region owns the global parts."""
    providers = create_providers(config)
    primary = providers[config.primary_region]
    account_id = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(provider=primary)
    ).account_id

    buckets = {
        region: create_bucket(config, region, providers[region], account_id)
        for region in config.regions
    }
    source = buckets[config.primary_region]
    destinations = [buckets[region] for region in config.secondary_regions]
    replication = create_replication(config, source, destinations, primary)
    table = create_table(config, primary)
    secret = create_secret(config, primary)

    topics = {
        region: create_alarm_topic(config, region, providers[region]) for region in config.regions
    }
    functions: dict[str, RegionalFunction] = {}
    for region in config.regions:
        functions[region] = create_function(
            config,
            region,
            providers[region],
            FunctionInputs(table=table, bucket=buckets[region].bucket, secret=secret),
        )
        function_errors_alarm(
            config, region, functions[region].function, topics[region], providers[region]
        )
    bucket_replication_alarms(
        config, source, destinations, replication, topics[config.primary_region], primary
    )
    table_replication_alarms(config, table, topics[config.primary_region], primary)

    return DrStack(
        config=config,
        providers=providers,
        buckets=buckets,
        table=table,
        secret=secret,
        functions=functions,
        alarm_topics=topics,
    )
