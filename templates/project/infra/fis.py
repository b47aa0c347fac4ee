"""Replication drills: AWS FIS experiment templates that pause replication in one region.

`python -m ops.drill --replication` starts them (stack output `fisTemplates`). A template
costs nothing until it runs; a run is billed per action-minute
(https://aws.amazon.com/fis/pricing/). An experiment runs in its template's region, on
targets there, with stop conditions there, so every region gets its own pair and role:

- `dynamodb`: `aws:dynamodb:global-table-pause-replication` on this region's replica. FIS
  denies DynamoDB's replication service this replica and its stream, so the replica
  neither receives nor sends writes. The denial expires by itself (an `aws:CurrentTime`
  condition), far inside the 20 hours after which DynamoDB turns a replica it may not
  replicate into a single-Region table
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2gt_IAM.html).
- `s3`: `aws:s3:bucket-pause-replication` on this region's bucket, one action per other
  region (the action's `region` is the destination's): the bucket's replication to every
  other bucket stops; replication into it from the others goes on.

Actions, targets and permissions: https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.config import StackConfig
from infra.database import arn_in_region
from infra.storage import FIS_TARGET_TAG, RegionalBucket, fis_target

FIS = aws.fis

#: DynamoDB may go on replicating for up to this long after the pause starts (FIS actions
#: reference, aws:dynamodb:global-table-pause-replication).
DYNAMODB_PAUSE_DELAY_MINUTES = 5
#: How long each pause lasts: long enough for the alarms a drill waits for. A paused replica
#: is seen lagging after DYNAMODB_PAUSE_DELAY_MINUTES, MAX_LAG_SECONDS (app/handler.py) and
#: a probe run, and the other regions' probe alarms fire 3 one-minute periods later (about
#: 11 minutes); S3 reports ReplicationLatency past RTC's 15 minutes in 5-minute periods.
PAUSE_MINUTES = 20
#: FIS accepts at most 5 stop conditions per template, a quota that cannot be raised
#: (https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html).
MAX_STOP_CONDITIONS = 5
DYNAMODB_ACTION = "aws:dynamodb:global-table-pause-replication"
S3_ACTION = "aws:s3:bucket-pause-replication"


@dataclass(frozen=True)
class ReplicationDrill:
    """One region's experiment templates and the role FIS assumes to run them."""

    region: str
    role: aws.iam.Role
    dynamodb: FIS.ExperimentTemplate
    s3: FIS.ExperimentTemplate


def stop_alarms(
    probe_alarms: dict[str, aws.cloudwatch.MetricAlarm],
    errors: aws.cloudwatch.MetricAlarm,
) -> list[aws.cloudwatch.MetricAlarm]:
    """What stops a drill in this region: another region unreachable from here (a real
    outage, or the pause spreading: the survivors then need every write), then this
    region's function errors. The replication, 5xx and lag alarms are what a drill expects
    to fire, so they do not stop it. The nearest regions in failover order come first when
    the FIS quota leaves no room for all."""
    return [*probe_alarms.values(), errors][:MAX_STOP_CONDITIONS]


def fis_policy(
    region: str,
    table: aws.dynamodb.Table,
    bucket: RegionalBucket,
    destinations: Sequence[RegionalBucket],
) -> pulumi.Output[str]:
    """Exactly the permissions the two actions list, on this region's replica, its stream
    and this region's bucket."""
    table_arn = table.arn.apply(lambda arn: arn_in_region(arn, region))
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    # FIS adds (and later removes) deny statements to the replica's and its
                    # stream's resource policies
                    "Sid": "PauseTableReplication",
                    "Effect": "Allow",
                    "Action": [
                        "dynamodb:PutResourcePolicy",
                        "dynamodb:DeleteResourcePolicy",
                        "dynamodb:GetResourcePolicy",
                        "dynamodb:DescribeTable",
                    ],
                    "Resource": [table_arn, pulumi.Output.concat(table_arn, "/stream/*")],
                },
                {
                    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
                    "Sid": "PauseBucketReplication",
                    "Effect": "Allow",
                    "Action": ["s3:PauseReplication"],
                    "Resource": [bucket.bucket.arn],
                    "Condition": {
                        "StringEquals": {
                            "s3:DestinationRegion": [dest.region for dest in destinations]
                        }
                    },
                },
                {
                    # with the condition of FIS's example policy for this action (BoolIfExists:
                    # the bucket ARN is the real limit)
                    # (https://docs.aws.amazon.com/fis/latest/userguide/security_iam_id-based-policy-examples.html)
                    "Sid": "WriteReplicationConfiguration",
                    "Effect": "Allow",
                    "Action": ["s3:PutReplicationConfiguration"],
                    "Resource": [bucket.bucket.arn],
                    "Condition": {"BoolIfExists": {"s3:IsReplicationPauseRequest": "true"}},
                },
                {
                    # S3 defines no such condition key for the read (service authorization
                    # reference, list_amazons3.html)
                    "Sid": "ReadReplicationConfiguration",
                    "Effect": "Allow",
                    "Action": ["s3:GetReplicationConfiguration"],
                    "Resource": [bucket.bucket.arn],
                },
                {
                    # how FIS finds the targets; neither action takes a resource
                    "Sid": "ResolveTargets",
                    "Effect": "Allow",
                    "Action": ["s3:ListAllMyBuckets", "tag:GetResources"],
                    "Resource": "*",
                },
            ],
        }
    )


def fis_role(
    config: StackConfig,
    region: str,
    provider: pulumi.ProviderResource,
    account_id: pulumi.Input[str],
    policy: pulumi.Input[str],
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """A role only FIS running an experiment of this account in this region may assume
    (https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html)."""
    role = aws.iam.Role(
        f"fis-role-{region}",
        name=config.name("fis", region),
        assume_role_policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "fis.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": account_id},
                            "ArnLike": {
                                "aws:SourceArn": pulumi.Output.concat(
                                    "arn:aws:fis:", region, ":", account_id, ":experiment/*"
                                )
                            },
                        },
                    }
                ],
            }
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    role_policy = aws.iam.RolePolicy(
        f"fis-policy-{region}",
        role=role.id,
        policy=policy,
        opts=pulumi.ResourceOptions(provider=provider),
    )
    return role, role_policy


def duration() -> str:
    """PAUSE_MINUTES as FIS takes it (ISO 8601)."""
    return f"PT{PAUSE_MINUTES}M"


def parameter(key: str, value: pulumi.Input[str]) -> FIS.ExperimentTemplateActionParameterArgs:
    """One action parameter."""
    return FIS.ExperimentTemplateActionParameterArgs(key=key, value=value)


def experiment_template(
    logical_name: str,
    name_tag: str,
    description: str,
    target: FIS.ExperimentTemplateTargetArgs,
    actions: list[FIS.ExperimentTemplateActionArgs],
    role: aws.iam.Role,
    role_policy: aws.iam.RolePolicy,
    alarms: Sequence[aws.cloudwatch.MetricAlarm],
    provider: pulumi.ProviderResource,
) -> FIS.ExperimentTemplate:
    """A template running `actions` on `target` as `role`, stopped by any of `alarms`."""
    return FIS.ExperimentTemplate(
        logical_name,
        description=description,
        role_arn=role.arn,
        targets=[target],
        actions=actions,
        stop_conditions=[
            FIS.ExperimentTemplateStopConditionArgs(source="aws:cloudwatch:alarm", value=a.arn)
            for a in alarms
        ],
        # a drill that found nothing to pause must fail, not pass
        experiment_options=FIS.ExperimentTemplateExperimentOptionsArgs(
            account_targeting="single-account", empty_target_resolution_mode="fail"
        ),
        tags={"Name": name_tag},
        # a template never exists without the permissions its experiments need
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[role_policy]),
    )


def create_replication_drill(
    config: StackConfig,
    region: str,
    provider: pulumi.ProviderResource,
    account_id: pulumi.Input[str],
    table: aws.dynamodb.Table,
    bucket: RegionalBucket,
    destinations: Sequence[RegionalBucket],
    alarms: Sequence[aws.cloudwatch.MetricAlarm],
) -> ReplicationDrill:
    """The region's two templates (DynamoDB, S3), stopped by `alarms`, and their role."""
    role, role_policy = fis_role(
        config, region, provider, account_id, fis_policy(region, table, bucket, destinations)
    )
    table_arn = table.arn.apply(lambda arn: arn_in_region(arn, region))
    dynamodb = experiment_template(
        f"fis-dynamodb-{region}",
        config.name("pause-dynamodb", region),
        f"Pause the global table's replication to and from {region} for {PAUSE_MINUTES} "
        "minutes (ops.drill --replication)",
        FIS.ExperimentTemplateTargetArgs(
            name="replica",
            resource_type="aws:dynamodb:global-table",
            resource_arns=[table_arn],
            selection_mode="ALL",
        ),
        [
            FIS.ExperimentTemplateActionArgs(
                name="pause-replication",
                action_id=DYNAMODB_ACTION,
                parameters=[parameter("duration", duration())],
                target=FIS.ExperimentTemplateActionTargetArgs(key="Tables", value="replica"),
            )
        ],
        role,
        role_policy,
        alarms,
        provider,
    )
    s3 = experiment_template(
        f"fis-s3-{region}",
        config.name("pause-s3", region),
        f"Pause S3 replication from the {region} bucket to every other region for "
        f"{PAUSE_MINUTES} minutes (ops.drill --replication)",
        # "This action only supports targeting by tags" (FIS actions reference)
        FIS.ExperimentTemplateTargetArgs(
            name="bucket",
            resource_type="aws:s3:bucket",
            resource_tags=[
                FIS.ExperimentTemplateTargetResourceTagArgs(
                    key=FIS_TARGET_TAG, value=fis_target(config, region)
                )
            ],
            selection_mode="ALL",
        ),
        [
            FIS.ExperimentTemplateActionArgs(
                name=f"pause-to-{dest.region}",
                action_id=S3_ACTION,
                parameters=[
                    parameter("duration", duration()),
                    parameter("region", dest.region),
                    parameter("destinationBuckets", dest.bucket.bucket),
                ],
                target=FIS.ExperimentTemplateActionTargetArgs(key="Buckets", value="bucket"),
            )
            for dest in destinations
        ],
        role,
        role_policy,
        alarms,
        provider,
    )
    return ReplicationDrill(region=region, role=role, dynamodb=dynamodb, s3=s3)
