"""Every region's loss pages someone from every other region (infra/probes.py, app/probe.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi

from infra.probes import ALARM_EVALUATION_PERIODS, PROBE_INTERVAL_SECONDS
from tests.harness import ACCOUNT_ID, PROJECT_DIR, StackRun

FUNCTION = "aws:lambda/function:Function"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def stack_namespace(stack: StackRun) -> str:
    """The probes' namespace: this stack's own, so no other stack's probe writes into it."""
    return f"drgen/{stack.project}-{stack.setting('envSuffix')}"


def health_url(stack: StackRun, region: str) -> str:
    """What a client of `region` reaches: the regional API behind the custom domain with
    Route 53, else the region's Function URL."""
    if "regionalApiEndpoints" in stack.exports:
        return f"{stack.exports['regionalApiEndpoints'][region]}/health"
    return f"{stack.exports['urls'][region]}health"


def targets(stack: StackRun, region: str) -> dict[str, str]:
    probe = stack.named(FUNCTION, f"probe-{region}")
    return dict(json.loads(probe.inputs["environment"]["variables"]["TARGETS"]))


def test_every_regions_loss_is_alarmed_from_every_other_region_into_its_topic(
    stack: StackRun,
) -> None:
    topics = stack.exports["alarmTopicArns"]
    probe_alarms = {a.name: a for a in stack.of_type(ALARM) if a.name.startswith("probe-")}
    expected = set()
    for region in stack.regions:
        others = [r for r in stack.regions if r != region]
        assert targets(stack, region) == {r: health_url(stack, r) for r in others}, (
            f"probe-{region} does not call every other region's /health"
        )
        for probed in others:
            name = f"probe-{probed}-alarm-{region}"
            expected.add(name)
            assert name in probe_alarms, f"the loss of {probed} is not alarmed from {region}"
            alarm = probe_alarms[name]
            inputs = alarm.inputs
            assert alarm.region == region, f"{name} lives in {alarm.region}, not in {region}"
            assert inputs["alarmActions"] == [topics[region]], f"{name} notifies another topic"
            assert inputs["namespace"] == stack_namespace(stack), name
            assert (inputs["metricName"], inputs["dimensions"]) == (
                "Healthy",
                {"ProbedRegion": probed},
            ), name
            assert inputs["treatMissingData"] == "breaching", f"{name}: a stopped probe is silent"
            assert inputs["comparisonOperator"] == "LessThanThreshold" and inputs["threshold"] == 1
            assert inputs["statistic"] == "Minimum", name
            assert inputs["period"] == PROBE_INTERVAL_SECONDS, name
            assert inputs["evaluationPeriods"] == ALARM_EVALUATION_PERIODS, name
    assert set(probe_alarms) == expected, f"unexpected: {sorted(set(probe_alarms) - expected)}"


def test_probes_run_outside_any_vpc_on_their_own_code(stack: StackRun) -> None:
    for region in stack.regions:
        probe = stack.named(FUNCTION, f"probe-{region}")
        assert probe.region == region
        assert "vpcConfig" not in probe.inputs, f"{probe.name} is in a VPC: it cannot call out"
        assert probe.inputs["handler"] == "probe.handler"
        code = probe.inputs["code"]
        assert isinstance(code, pulumi.AssetArchive) and list(code.assets) == ["probe.py"]
        asset = code.assets["probe.py"]
        assert isinstance(asset, pulumi.FileAsset)
        assert Path(asset.path) == PROJECT_DIR / "app" / "probe.py"
        assert "def handler(" in (PROJECT_DIR / "app" / "probe.py").read_text()
        assert probe.inputs["timeout"] < PROBE_INTERVAL_SECONDS, f"{probe.name}: runs overlap"
        variables = probe.inputs["environment"]["variables"]
        assert variables["NAMESPACE"] == stack_namespace(stack)
        table = stack.named("aws:dynamodb/table:Table", f"table-{stack.regions[0]}")
        assert variables["TABLE_NAME"] == table.inputs["name"]
        assert f"probe-logs-{region}" in probe.dependencies, f"{probe.name} logs elsewhere"
        logs = stack.named("aws:cloudwatch/logGroup:LogGroup", f"probe-logs-{region}")
        assert logs.inputs["name"] == f"/aws/lambda/{probe.inputs['name']}"
        assert logs.inputs["retentionInDays"] > 0
        handler = stack.named(FUNCTION, f"function-{region}")
        regions = handler.inputs["environment"]["variables"]["REGIONS"]
        assert regions == ",".join(stack.regions), f"{handler.name} cannot read every heartbeat"


def test_probe_roles_allow_only_what_the_probe_calls(stack: StackRun) -> None:
    table = stack.named("aws:dynamodb/table:Table", f"table-{stack.regions[0]}")
    for region in stack.regions:
        policy = stack.named("aws:iam/rolePolicy:RolePolicy", f"probe-policy-{region}")
        assert policy.inputs["role"] == f"probe-role-{region}-id"
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        assert set(statements) == {"HeartbeatAndSightings", "Metrics", "Logs"}, policy.name
        items = statements["HeartbeatAndSightings"]
        assert items["Action"] == ["dynamodb:PutItem"], policy.name
        assert items["Resource"] == [
            f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{table.inputs['name']}"
        ], f"{policy.name} writes beyond its own replica"
        assert items["Condition"] == {
            "ForAllValues:StringEquals": {
                "dynamodb:LeadingKeys": [f"__heartbeat__#{region}", f"__seen__#{region}"]
            }
        }, f"{policy.name} may write any item"
        metrics = statements["Metrics"]
        assert metrics["Action"] == ["cloudwatch:PutMetricData"], policy.name
        # PutMetricData takes no resource: the namespace condition is the only scope
        assert metrics["Condition"] == {
            "StringEquals": {"cloudwatch:namespace": stack_namespace(stack)}
        }, f"{policy.name} may publish into any namespace"
        logs = statements["Logs"]
        assert logs["Resource"] == [
            f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:/aws/lambda/"
            f"{stack.project}-probe-{stack.setting('envSuffix')}:log-stream:*"
        ], f"{policy.name} writes other logs"


def test_only_the_probes_own_schedule_may_invoke_it(stack: StackRun) -> None:
    for region in stack.regions:
        rule = stack.named("aws:cloudwatch/eventRule:EventRule", f"probe-schedule-{region}")
        assert rule.region == region
        assert rule.inputs["scheduleExpression"] == "rate(1 minute)"
        probe = stack.named(FUNCTION, f"probe-{region}")
        rule_arn = f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule.inputs['name']}"
        permission = stack.named("aws:lambda/permission:Permission", f"probe-invoke-{region}")
        assert permission.inputs["function"] == probe.inputs["name"]
        assert permission.inputs["principal"] == "events.amazonaws.com"
        assert permission.inputs["action"] == "lambda:InvokeFunction"
        assert permission.inputs.get("sourceArn") == rule_arn, (
            f"{permission.name}: any rule of any account may invoke the probe"
        )
        target = stack.named("aws:cloudwatch/eventTarget:EventTarget", f"probe-target-{region}")
        assert target.inputs["rule"] == rule.inputs["name"]
        assert target.inputs["arn"] == (
            f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{probe.inputs['name']}"
        )
        assert f"probe-invoke-{region}" in target.dependencies, target.name
        retries = stack.named(
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            f"probe-invoke-config-{region}",
        )
        assert retries.inputs["maximumRetryAttempts"] == 0, "a late retry reports old news"
