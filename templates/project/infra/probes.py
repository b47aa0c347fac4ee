"""Each region watches every other region from outside it, and pages through its own topic.

A region that is down cannot raise its own alarms, and its topic is down with it. So in
every region an EventBridge rule runs `app/probe.py` every minute, outside any VPC (it calls
the other regions' public `/health`, which a VPC without a NAT gateway cannot reach). It
publishes `Healthy` (1 or 0) per probed region to CloudWatch in its own region, and an alarm
per probed region lives there too, notifying that region's topic. Missing data breaches: a
probe that stops running is a failure to hear about, not silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.compute import APP_DIR, LAMBDA_TRUST_POLICY, LOG_RETENTION_DAYS, RUNTIME
from infra.config import StackConfig
from infra.database import arn_in_region
from infra.monitoring import alarm

#: The probe's source: `app/probe.py` alone becomes `probe.handler`.
PROBE_FILE = "probe.py"
#: EventBridge's finest schedule is one minute
#: (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
PROBE_INTERVAL_SECONDS = 60
SCHEDULE = "rate(1 minute)"
#: The probe's calls stop after 10 s (DEADLINE_SECONDS in app/probe.py); it then publishes
#: and writes. Well inside Lambda's 900 s maximum and the interval, so runs do not overlap
#: (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html).
PROBE_TIMEOUT_SECONDS = 30
#: A region is alarmed after this many probe intervals in a row without a healthy answer
#: (or without a datum at all): about 3 minutes, enough to ride out one late schedule.
ALARM_PERIOD_SECONDS = PROBE_INTERVAL_SECONDS
ALARM_EVALUATION_PERIODS = 3
METRIC_NAME = "Healthy"
DIMENSION = "ProbedRegion"


def namespace(config: StackConfig) -> str:
    """The probes' CloudWatch namespace: one per stack, so stacks in one account never mix
    their metrics, and the probe role may publish into this one only."""
    return f"drgen/{config.name()}"


@dataclass(frozen=True)
class RegionalProbe:
    """The probe of one region and its alarm per probed region."""

    region: str
    function: aws.lambda_.Function
    rule: aws.cloudwatch.EventRule
    alarms: dict[str, aws.cloudwatch.MetricAlarm]


def probe_code_asset() -> pulumi.AssetArchive:
    """The probe's code: its file alone, like the handler's."""
    return pulumi.AssetArchive({PROBE_FILE: pulumi.FileAsset(str(APP_DIR / PROBE_FILE))})


def item_keys(region: str) -> list[str]:
    """The only table items a region's probe writes (see app/probe.py)."""
    return [f"__heartbeat__#{region}", f"__seen__#{region}"]


def probe_policy(
    config: StackConfig,
    region: str,
    table: aws.dynamodb.Table,
    log_group_arn: pulumi.Input[str],
) -> pulumi.Output[str]:
    """Exactly what the probe calls: PutItem of its own two items in this region's replica,
    PutMetricData into the stack's namespace, and its log group."""
    table_arn = table.arn.apply(lambda arn: arn_in_region(arn, region))
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "HeartbeatAndSightings",
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem"],
                    "Resource": [table_arn],
                    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
                    "Condition": {
                        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": item_keys(region)}
                    },
                },
                {
                    # PutMetricData has no resource-level permission ("*" is required); the
                    # namespace condition limits it to this stack's metrics:
                    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html
                    "Sid": "Metrics",
                    "Effect": "Allow",
                    "Action": ["cloudwatch:PutMetricData"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"cloudwatch:namespace": namespace(config)}},
                },
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [pulumi.Output.concat(log_group_arn, ":log-stream:*")],
                },
            ],
        }
    )


def create_probe(
    config: StackConfig,
    region: str,
    provider: pulumi.ProviderResource,
    table: aws.dynamodb.Table,
    topic: aws.sns.Topic,
    targets: dict[str, pulumi.Input[str]],
) -> RegionalProbe:
    """The probe of `region` (role, logs, function, schedule) and an alarm per target
    (`targets`: every other region's `/health` URL), all in `region`."""
    opts = pulumi.ResourceOptions(provider=provider)
    function_name = config.name("probe")
    role = aws.iam.Role(
        f"probe-role-{region}",
        name=config.name("probe", region),
        assume_role_policy=LAMBDA_TRUST_POLICY,
        opts=opts,
    )
    log_group = aws.cloudwatch.LogGroup(
        f"probe-logs-{region}",
        name=f"/aws/lambda/{function_name}",
        retention_in_days=LOG_RETENTION_DAYS,
        opts=opts,
    )
    role_policy = aws.iam.RolePolicy(
        f"probe-policy-{region}",
        role=role.id,
        policy=probe_policy(config, region, table, log_group.arn),
        opts=opts,
    )
    # Outside any VPC in every combination: the probe calls public endpoints. No reserved
    # concurrency: only its rule invokes it, once a minute, and a reservation would fail
    # on accounts without 100 spare executions.
    function = aws.lambda_.Function(
        f"probe-{region}",
        name=function_name,
        role=role.arn,
        runtime=RUNTIME,
        architectures=["arm64"],
        handler="probe.handler",
        code=probe_code_asset(),
        memory_size=128,
        timeout=PROBE_TIMEOUT_SECONDS,
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables={
                "TARGETS": pulumi.Output.json_dumps(targets),
                "NAMESPACE": namespace(config),
                "TABLE_NAME": table.name,
            }
        ),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[log_group, role_policy]),
    )
    # A failed run is not worth repeating: the next one is due within the minute
    # (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
    aws.lambda_.FunctionEventInvokeConfig(
        f"probe-invoke-config-{region}",
        function_name=function.name,
        maximum_retry_attempts=0,
        maximum_event_age_in_seconds=PROBE_INTERVAL_SECONDS,
        opts=opts,
    )
    rule = aws.cloudwatch.EventRule(
        f"probe-schedule-{region}",
        name=function_name,
        schedule_expression=SCHEDULE,
        opts=opts,
    )
    # Only this rule may invoke the probe
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
    permission = aws.lambda_.Permission(
        f"probe-invoke-{region}",
        statement_id="AllowProbeSchedule",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="events.amazonaws.com",
        source_arn=rule.arn,
        opts=opts,
    )
    aws.cloudwatch.EventTarget(
        f"probe-target-{region}",
        rule=rule.name,
        arn=function.arn,
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[permission]),
    )
    alarms = {
        probed: alarm(
            f"probe-{probed}-alarm-{region}",
            config.name("unreachable", probed, "from", region),
            topic,
            opts,
            namespace=namespace(config),
            metric_name=METRIC_NAME,
            dimensions={DIMENSION: probed},
            statistic="Minimum",
            period=ALARM_PERIOD_SECONDS,
            evaluation_periods=ALARM_EVALUATION_PERIODS,
            datapoints_to_alarm=ALARM_EVALUATION_PERIODS,
            threshold=1,
            comparison_operator="LessThanThreshold",
            # a probe that stopped is a failure too
            # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data)
            treat_missing_data="breaching",
        )
        for probed in targets
    }
    return RegionalProbe(region=region, function=function, rule=rule, alarms=alarms)
