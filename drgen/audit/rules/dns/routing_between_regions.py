"""R25: Regions without a routing record to steer between them."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import FRONTS, HEALTH_CHECK, RECORD, ROUTING
from drgen.audit.rules.values import REGION_RE, plain


@rule(
    "R25",
    "error",
    "Regions without a routing record to steer between them",
    fix=(
        "Add failover (PRIMARY/SECONDARY, chained for more regions) or latency records with "
        "health checks over the regional fronts."
    ),
    scope=(
        "Programs whose fronts (function URLs, APIs, load balancers) or health-check targets "
        "span two or more regions and that manage DNS (health checks or records), but have "
        "no failover, latency, weighted or geolocation record."
    ),
    blind_spots=(
        "A program with no DNS at all (clients, Global Accelerator or another stack steer) "
        "is not reported; records in another stack are not seen."
    ),
    url="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html",
)
def routing_between_regions(ctx: Context) -> Iterator[Hit]:
    """Health checks or DNS over several regional fronts need a routing record to steer.

    Only failover, latency, weighted or geolocation records act on health:
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html
    """
    if any(any(plain(r["inputs"].get(k)) for k in ROUTING) for r in ctx.of(RECORD)):
        return
    checks = ctx.of(HEALTH_CHECK)
    records = ctx.of(RECORD)
    if not checks and not records:
        return  # no DNS at all: failing over is the clients' business (docs/audit.md)
    regions = {f["region"] for f in ctx.of(*FRONTS) if f["region"]}
    for hc in checks:
        regions |= set(REGION_RE.findall(str(plain(hc["inputs"].get("fqdn")) or "")))
    if len(regions) < 2:
        return
    yield Hit(
        f"endpoints in {', '.join(sorted(regions))} and "
        f"{'health checks' if checks else 'DNS records'}, but no failover, latency, weighted or "
        "geolocation record: nothing steers traffic away from a failed region",
        (records or checks)[0],  # a plain record is where the routing policy is missing
    )
