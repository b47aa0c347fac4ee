"""R2: Route 53 health check or zone that cannot work."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import HEALTH_CHECK
from drgen.audit.rules.values import plain


@rule(
    "R2",
    "error",
    "Route 53 health check or zone that cannot work",
    fix=(
        "Health checks: fqdn=<host> (no scheme or path) or a real ip_address; use an existing "
        "hosted zone from stack config instead of creating one."
    ),
    scope=(
        "Route 53 health checks (ip_address, fqdn) and hosted zones the program creates "
        "(a public zone is a warning)."
    ),
    blind_spots=(
        "Whether the domain is really delegated to a created zone, or an fqdn resolves at all, "
        "needs the real DNS."
    ),
    url=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html"
    ),
)
def health_check_targets(ctx: Context) -> Iterator[Hit]:
    """Health checks must probe a host or an IP; a created public zone answers nothing."""
    for hc in ctx.of(HEALTH_CHECK):
        kind = str(plain(hc["inputs"].get("type")) or "")
        ip = plain(hc["inputs"].get("ipAddress"))
        fqdn = plain(hc["inputs"].get("fqdn"))
        if ip is not None:
            try:
                ipaddress.ip_address(str(ip))
            except ValueError:
                yield Hit(f"ip_address is {ip!r}, not an IP address: the check never passes", hc)
                continue
        if isinstance(fqdn, str) and ("/" in fqdn or ":" in fqdn):
            yield Hit(f"fqdn is {fqdn!r}: a host name is expected, not a URL", hc)
        elif kind.startswith(("HTTP", "TCP")) and not ip and not fqdn:
            yield Hit("has neither fqdn nor ip_address: it probes nothing", hc)
    for zone in ctx.of("aws:route53/zone:Zone"):
        if not plain(zone["inputs"].get("vpcs")):
            yield Hit(
                f"creates a public hosted zone for {plain(zone['inputs'].get('name'))!r}: it "
                "answers nothing until the domain's registrar delegates to it",
                zone,
                severity="warning",
            )
