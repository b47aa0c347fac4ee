"""R11: Region not reachable through health-checked DNS."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import FRONTS, HEALTH_CHECK, RECORD, ROUTING
from drgen.audit.rules.values import REGION_RE, as_list, plain, truthy


@rule(
    "R11",
    "error",
    "Region not reachable through health-checked DNS",
    fix=(
        "Give every region's front a health-checked DNS record (a failover chain: each "
        "SECONDARY aliases the next pair with evaluate_target_health, or latency records with "
        "health checks)."
    ),
    scope=(
        "Route 53 records with a routing policy, followed through alias chains and "
        "health-check targets, against the regions that have a front (function URL, HTTP or "
        "REST API, load balancer)."
    ),
    blind_spots=(
        "Fronts of other kinds (CloudFront, EC2 hosts, Global Accelerator) are not recognised; "
        "a region is matched by its name in the target host."
    ),
    url=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html"
    ),
)
def every_region_reachable(ctx: Context) -> Iterator[Hit]:
    """With routing records, every region with a front is behind a health check."""
    records = [r for r in ctx.of(RECORD) if any(plain(r["inputs"].get(k)) for k in ROUTING)]
    if not records:
        return
    health = {plain(h["outputs"].get("id")): h for h in ctx.of(HEALTH_CHECK)}
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_name[str(plain(record["inputs"].get("name")) or "").rstrip(".")].append(record)

    def targets(record: dict[str, Any]) -> list[str]:
        found = [str(plain(a.get("name")) or "") for a in as_list(record["inputs"].get("aliases"))]
        found += [str(v) for v in as_list(record["inputs"].get("records"))]
        check = health.get(plain(record["inputs"].get("healthCheckId")))
        if check is not None:
            found.append(str(plain(check["inputs"].get("fqdn")) or ""))
        return found

    def regions(record: dict[str, Any], seen: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for target in targets(record):
            found |= set(REGION_RE.findall(target))
            name = target.rstrip(".")
            if name in by_name and name not in seen:
                for nested in by_name[name]:
                    found |= regions(nested, seen | {name})
        return found

    reached: set[str] = set()
    for record in records:
        reached |= regions(record, frozenset())
        failover = [
            plain(p).get("type") for p in as_list(record["inputs"].get("failoverRoutingPolicies"))
        ]
        checked = plain(record["inputs"].get("healthCheckId")) or any(
            truthy(plain(a).get("evaluateTargetHealth"))
            for a in as_list(record["inputs"].get("aliases"))
        )
        if not checked and "SECONDARY" not in failover:
            yield Hit(
                "a routing record with no health check: it is answered even when down", record
            )
    for region in ctx.regions:
        fronts = [f for f in ctx.of(*FRONTS) if f["region"] == region]
        if fronts and region not in reached:
            yield Hit(
                f"{region} serves users but no health-checked DNS record leads to it: "
                "traffic reaches it only after a deploy",
                fronts[0],
            )
