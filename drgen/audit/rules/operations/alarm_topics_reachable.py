"""R12: Alarm topic nobody can hear."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import ALARM, SUBSCRIPTION, TOPIC
from drgen.audit.rules.values import as_list, plain, strings


@rule(
    "R12",
    "error",
    "Alarm topic nobody can hear",
    fix="Export every alarm topic's ARN (pulumi.export) or subscribe the on-call address to it.",
    scope="SNS topics that alarms notify: exported or subscribed in the stack.",
    blind_spots=(
        "Subscriptions made outside the stack (another stack, the console, an email confirmed "
        "later) are not seen."
    ),
    url="https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html",
)
def alarm_topics_reachable(ctx: Context) -> Iterator[Hit]:
    """Alarm topics must be exported or subscribed."""
    exported = set(strings(ctx.record.exports))
    subscribed = {plain(s["inputs"].get("topic")) for s in ctx.of(SUBSCRIPTION)}
    seen: set[str] = set()
    for alarm in ctx.of(ALARM):
        for action in as_list(alarm["inputs"].get("alarmActions")):
            for topic in ctx.refers(action, TOPIC):
                handles = {plain(topic["outputs"].get(k)) for k in ("id", "arn", "name")} - {None}
                if topic["urn"] in seen or handles & (exported | subscribed):
                    continue
                seen.add(topic["urn"])
                yield Hit("alarms notify it, but it is neither exported nor subscribed", topic)
