"""The replication drills' FIS templates, their role and stop conditions (infra/fis.py).

What FIS enforces and the mocks do not, from the FIS actions reference
(https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html): each action's
resource type, target key and parameters; that the S3 action finds its buckets by tags only;
that DynamoDB may go on replicating for 5 minutes into a pause; and the permissions each
action needs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.handler import MAX_LAG_SECONDS
from infra.fis import (
    DYNAMODB_PAUSE_DELAY_MINUTES,
    MAX_STOP_CONDITIONS,
    PAUSE_MINUTES,
    stop_alarms,
)
from infra.probes import PROBE_INTERVAL_SECONDS
from tests.harness import ACCOUNT_ID, PROJECT_DIR, Resource, StackRun

TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BUCKET = "aws:s3/bucket:Bucket"
#: FIS's price outside GovCloud (https://aws.amazon.com/fis/pricing/).
USD_PER_ACTION_MINUTE = 0.10


def template(stack: StackRun, kind: str, region: str) -> Resource:
    found = stack.named(TEMPLATE, f"fis-{kind}-{region}")
    assert found.region == region, f"{found.name} lives in {found.region}"
    return found


def parameters(action: dict[str, Any]) -> dict[str, str]:
    return {p["key"]: p["value"] for p in action.get("parameters", [])}


def minutes(iso: str) -> int:
    """`PT20M` -> 20: the only form these templates use."""
    match = re.fullmatch(r"PT(\d+)M", iso)
    assert match, f"duration {iso!r} is not whole minutes"
    return int(match.group(1))


def alarm_arn(alarm: Resource) -> str:
    return f"arn:aws:cloudwatch:{alarm.region}:{ACCOUNT_ID}:alarm:{alarm.inputs['name']}"


def table_arn(stack: StackRun, region: str) -> str:
    name = stack.exports["tableName"]
    return f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"


def test_every_region_has_both_templates_and_the_output_names_them(stack: StackRun) -> None:
    expected = {
        region: {"dynamodb": f"fis-dynamodb-{region}-id", "s3": f"fis-s3-{region}-id"}
        for region in stack.regions
    }
    assert stack.exports["fisTemplates"] == expected, "the drill reads fisTemplates"
    names = {t.name for t in stack.of_type(TEMPLATE)}
    assert names == {f"fis-{kind}-{r}" for r in stack.regions for kind in ("dynamodb", "s3")}
    for region in stack.regions:
        for kind in ("dynamodb", "s3"):
            found = template(stack, kind, region)
            assert found.inputs["roleArn"] == (
                f"arn:aws:iam::{ACCOUNT_ID}:role/{stack.project}-fis-{region}-"
                f"{stack.setting('envSuffix')}"
            ), f"{found.name} runs as another role"
            # a drill that resolved no target must fail rather than report a pause
            assert found.inputs["experimentOptions"] == {
                "accountTargeting": "single-account",
                "emptyTargetResolutionMode": "fail",
            }, found.name
            assert f"fis-policy-{region}" in found.dependencies, (
                f"{found.name} may exist before its role may act"
            )


def test_the_dynamodb_template_pauses_this_regions_replica(stack: StackRun) -> None:
    for region in stack.regions:
        found = template(stack, "dynamodb", region)
        (target,) = found.inputs["targets"]
        assert target == {
            "name": "replica",
            "resourceType": "aws:dynamodb:global-table",
            "resourceArns": [table_arn(stack, region)],
            "selectionMode": "ALL",
        }, f"{found.name} targets {target}"
        (action,) = found.inputs["actions"]
        assert action["actionId"] == "aws:dynamodb:global-table-pause-replication"
        assert action["target"] == {"key": "Tables", "value": "replica"}, found.name
        assert set(parameters(action)) == {"duration"}, found.name


def test_the_s3_template_pauses_this_buckets_replication_to_every_other_bucket(
    stack: StackRun,
) -> None:
    buckets = stack.exports["bucketNames"]
    for region in stack.regions:
        found = template(stack, "s3", region)
        (target,) = found.inputs["targets"]
        # "This action only supports targeting by tags"
        assert "resourceArns" not in target, f"{found.name}: S3's pause targets by tags only"
        assert (target["resourceType"], target["selectionMode"]) == ("aws:s3:bucket", "ALL")
        wanted = {tag["key"]: tag["value"] for tag in target["resourceTags"]}
        tagged = [
            b.name
            for b in stack.of_type(BUCKET)
            if wanted.items() <= (b.inputs.get("tags") or {}).items()
        ]
        assert tagged == [f"bucket-{region}"], f"{found.name}'s tags select {tagged}"
        others = [r for r in stack.regions if r != region]
        actions = found.inputs["actions"]
        assert [a["actionId"] for a in actions] == ["aws:s3:bucket-pause-replication"] * len(
            others
        ), found.name
        # one action per destination: an action's `region` is where its destinations are
        assert sorted(
            (parameters(a)["region"], parameters(a)["destinationBuckets"]) for a in actions
        ) == sorted((other, buckets[other]) for other in others), (
            f"{found.name} does not pause replication to every other bucket"
        )
        for action in actions:
            assert action["target"] == {"key": "Buckets", "value": "bucket"}, found.name
            assert "startAfters" not in action, f"{found.name}: pauses run together"


def test_pauses_last_long_enough_for_the_alarms_a_drill_waits_for(stack: StackRun) -> None:
    alarms = {a.name: a.inputs for a in stack.of_type(ALARM)}
    first, second = stack.regions[:2]
    probe = alarms[f"probe-{first}-alarm-{second}"]
    # a paused replica is seen lagging, then every other region's probe alarm fires
    lagging = DYNAMODB_PAUSE_DELAY_MINUTES * 60 + MAX_LAG_SECONDS + PROBE_INTERVAL_SECONDS
    dynamodb = lagging + probe["period"] * probe["evaluationPeriods"]
    # S3's replication latency passes the alarm's threshold, reported per period
    latency = alarms[f"bucket-latency-{first}-alarm-{second}"]
    s3 = latency["threshold"] + latency["period"] * latency["evaluationPeriods"]
    for found in stack.of_type(TEMPLATE):
        needed = dynamodb if found.name.startswith("fis-dynamodb-") else s3
        for action in found.inputs["actions"]:
            duration = minutes(parameters(action)["duration"])
            assert duration * 60 >= needed, (
                f"{found.name} pauses for {duration} minutes; its alarms need {needed / 60:.0f}"
            )


def test_fis_roles_trust_only_experiments_of_this_account_in_their_region(
    stack: StackRun,
) -> None:
    for region in stack.regions:
        role = stack.named("aws:iam/role:Role", f"fis-role-{region}")
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": "fis.amazonaws.com"}, role.name
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
            "ArnLike": {"aws:SourceArn": f"arn:aws:fis:{region}:{ACCOUNT_ID}:experiment/*"},
        }, f"{role.name} may be assumed for other experiments"


def test_fis_roles_allow_what_the_actions_need_on_their_regions_table_and_bucket(
    stack: StackRun,
) -> None:
    for region in stack.regions:
        policy = stack.named("aws:iam/rolePolicy:RolePolicy", f"fis-policy-{region}")
        assert policy.inputs["role"] == f"fis-role-{region}-id", policy.name
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        bucket = f"arn:aws:s3:::{stack.exports['bucketNames'][region]}"
        replica = table_arn(stack, region)
        assert statements == {
            "PauseTableReplication": {
                "Sid": "PauseTableReplication",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:PutResourcePolicy",
                    "dynamodb:DeleteResourcePolicy",
                    "dynamodb:GetResourcePolicy",
                    "dynamodb:DescribeTable",
                ],
                "Resource": [replica, f"{replica}/stream/*"],
            },
            "PauseBucketReplication": {
                "Sid": "PauseBucketReplication",
                "Effect": "Allow",
                "Action": ["s3:PauseReplication"],
                "Resource": [bucket],
                "Condition": {
                    "StringEquals": {
                        "s3:DestinationRegion": [r for r in stack.regions if r != region]
                    }
                },
            },
            "WriteReplicationConfiguration": {
                "Sid": "WriteReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:PutReplicationConfiguration"],
                "Resource": [bucket],
                "Condition": {"BoolIfExists": {"s3:IsReplicationPauseRequest": "true"}},
            },
            "ReadReplicationConfiguration": {
                "Sid": "ReadReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration"],
                "Resource": [bucket],
            },
            "ResolveTargets": {
                "Sid": "ResolveTargets",
                "Effect": "Allow",
                "Action": ["s3:ListAllMyBuckets", "tag:GetResources"],
                "Resource": "*",
            },
        }, f"{policy.name} grants more, less or elsewhere than the actions need"


def test_drills_stop_on_this_regions_alarms_for_the_other_regions_and_errors(
    stack: StackRun,
) -> None:
    alarms = {a.name: a for a in stack.of_type(ALARM)}
    for region in stack.regions:
        expected = [
            *(f"probe-{other}-alarm-{region}" for other in stack.regions if other != region),
            f"function-errors-{region}",
        ][:MAX_STOP_CONDITIONS]
        arns = [alarm_arn(alarms[name]) for name in expected]
        for kind in ("dynamodb", "s3"):
            found = template(stack, kind, region)
            conditions = found.inputs["stopConditions"]
            assert len(conditions) <= MAX_STOP_CONDITIONS, f"{found.name}: over FIS's quota"
            assert {c["source"] for c in conditions} == {"aws:cloudwatch:alarm"}, found.name
            assert [c["value"] for c in conditions] == arns, (
                f"{found.name} stops on {[c['value'] for c in conditions]}, not {expected}"
            )
            for name in expected:
                assert alarms[name].region == region, f"{found.name}: {name} is elsewhere"


def test_the_nearest_regions_are_stop_conditions_when_the_quota_leaves_no_room() -> None:
    probes: dict[str, Any] = {f"region-{n}": f"probe-{n}" for n in range(MAX_STOP_CONDITIONS + 1)}
    chosen = stop_alarms(probes, "errors")  # type: ignore[arg-type]
    assert chosen == [f"probe-{n}" for n in range(MAX_STOP_CONDITIONS)]


def test_the_readme_states_the_pause_and_what_a_run_costs(default_stack: StackRun) -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    assert f"**{PAUSE_MINUTES} minutes** (`PAUSE_MINUTES`" in readme
    for kind in ("dynamodb", "s3"):
        actions = template(default_stack, kind, default_stack.regions[0]).inputs["actions"]
        cost = len(actions) * PAUSE_MINUTES * USD_PER_ACTION_MINUTE
        assert f"${cost:.2f} a run" in readme, f"the README misstates a {kind} drill's cost"
