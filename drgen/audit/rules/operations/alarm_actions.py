"""R20: Alarm that acts on nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import ALARM
from drgen.audit.rules.values import as_list, plain

ALARM_ACTION_KEYS = ("alarmActions", "okActions", "insufficientDataActions")
#: Services whose ARNs CloudWatch takes as alarm actions (SNS, Lambda, EC2 and Auto Scaling,
#: Systems Manager OpsCenter and Incident Manager, investigations):
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html
ALARM_ACTION_SERVICES = (
    "sns",
    "lambda",
    "autoscaling",
    "automate",
    "ssm",
    "ssm-incidents",
    "aiops",
)
ARN_SERVICE_RE = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):")


@rule(
    "R20",
    "error",
    "Alarm that acts on nothing",
    fix=(
        "Give every MetricAlarm alarm_actions (an SNS topic, Lambda function, Auto Scaling, "
        "EC2 or Systems Manager ARN) and keep actions_enabled on."
    ),
    scope=(
        "Every MetricAlarm: alarm, OK and insufficient-data actions, actions_enabled, and "
        "whether each action is an ARN of a service CloudWatch can act through."
    ),
    blind_spots=(
        "Composite alarms and EventBridge rules on alarm state changes are not counted as "
        "actions; whether a topic has subscribers is R12's."
    ),
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html",
)
def alarm_actions(ctx: Context) -> Iterator[Hit]:
    """An alarm must act on something CloudWatch can act on."""
    for alarm in ctx.of(ALARM):
        actions = [
            str(plain(a)) for key in ALARM_ACTION_KEYS for a in as_list(alarm["inputs"].get(key))
        ]
        enabled = plain(alarm["inputs"].get("actionsEnabled"))
        if enabled is False or str(enabled).lower() == "false":
            yield Hit("actions_enabled is False: it changes state and nobody hears of it", alarm)
        elif not actions:
            yield Hit("has no alarm, OK or insufficient-data action: it notifies nobody", alarm)
        else:
            for action in actions:
                match = ARN_SERVICE_RE.match(action)
                if match is None or match.group(1) not in ALARM_ACTION_SERVICES:
                    yield Hit(
                        f"action {action!r} is not an SNS topic, Lambda function, Auto Scaling, "
                        "EC2 or Systems Manager action: CloudWatch rejects it",
                        alarm,
                    )
                    break
