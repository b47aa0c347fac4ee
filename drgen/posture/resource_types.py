"""The Pulumi resource types the posture reads, and the lookups over a program's resources.

Each resource is the audit's record of it: `type`, `name`, `region`, `inputs`, `outputs`.
"""

from __future__ import annotations

import re
from typing import Any

DYNAMODB_TABLE = "aws:dynamodb/table:Table"
SECRET = "aws:secretsmanager/secret:Secret"  # noqa: S105 (a resource type)
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SUBNET = "aws:ec2/subnet:Subnet"
KMS_KEY = "aws:kms/key:Key"
DOMAIN = "aws:apigatewayv2/domainName:DomainName"
FUNCTION = "aws:lambda/function:Function"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
BUCKET = "aws:s3/bucket:Bucket"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
FIS_TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"
#: Types that are Pulumi's own, not resources anyone pays for.
NOT_BILLED = ("pulumi:providers:",)


#: What Route 53 uses for a health check that leaves them out: "If you don't specify a value
#: for RequestInterval, the default value is 30 seconds", and three checks for FailureThreshold
#: (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
DEFAULT_REQUEST_INTERVAL = 30
DEFAULT_FAILURE_THRESHOLD = 3


def check_timing(check: dict[str, Any]) -> tuple[int, int]:
    """A health check's seconds between requests and failures to unhealthy, AWS's if unset."""
    inputs = check["inputs"]
    interval = inputs.get("requestInterval")
    threshold = inputs.get("failureThreshold")
    return (
        int(interval) if interval is not None else DEFAULT_REQUEST_INTERVAL,
        int(threshold) if threshold is not None else DEFAULT_FAILURE_THRESHOLD,
    )


def slowest_timing(checks: list[dict[str, Any]]) -> tuple[int, int]:
    """The longest interval and the highest threshold of some health checks (at least one).

    Their product is how long the slowest check takes to call its region unhealthy.
    """
    timings = [check_timing(check) for check in checks]
    return max(t[0] for t in timings), max(t[1] for t in timings)


def of(res: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The resources of one type."""
    return [r for r in res if r["type"] == kind]


def by_arn(res: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The resources of one type that have an ARN, by that ARN."""
    return {str(r["outputs"]["arn"]): r for r in of(res, kind) if r.get("outputs", {}).get("arn")}


#: FIS takes an action's duration in ISO 8601 (`PT20M`).
FIS_DURATION = re.compile(r"PT(\d+)M")


def action_minutes(template: dict[str, Any]) -> list[int]:
    """Each action's `duration` in minutes, of an FIS experiment template's record."""
    return [
        int(found.group(1))
        for action in template["inputs"].get("actions", [])
        for parameter in action.get("parameters", [])
        if parameter.get("key") == "duration"
        and (found := FIS_DURATION.fullmatch(str(parameter.get("value"))))
    ]
