"""R13: Health check without an alarm."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import ALARM, HEALTH_CHECK
from drgen.audit.rules.values import plain


@rule(
    "R13",
    "error",
    "Health check without an alarm",
    fix=(
        "Add a CloudWatch alarm on AWS/Route53 HealthCheckStatus (dimension HealthCheckId) in "
        "us-east-1 for every health check."
    ),
    scope="Every Route 53 health check: an alarm on AWS/Route53 HealthCheckId, in us-east-1.",
    blind_spots="Alarms in metric_queries (math expressions) are not followed.",
    url=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html"
    ),
)
def health_checks_alarmed(ctx: Context) -> Iterator[Hit]:
    """Every health check has an alarm in us-east-1."""
    alarms = ctx.of(ALARM)
    for hc in ctx.of(HEALTH_CHECK):
        ident = plain(hc["outputs"].get("id"))
        watching = [
            a
            for a in alarms
            if plain(a["inputs"].get("namespace")) == "AWS/Route53"
            and plain((plain(a["inputs"].get("dimensions")) or {}).get("HealthCheckId")) == ident
        ]
        if not watching:
            yield Hit("no alarm on its HealthCheckStatus: nobody hears of a failover", hc)
        elif all(a["region"] != "us-east-1" for a in watching):
            yield Hit("its alarm is not in us-east-1, where Route 53 publishes the metric", hc)
