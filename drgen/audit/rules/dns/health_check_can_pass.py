"""R24: Health check that cannot pass."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import HEALTH_CHECK
from drgen.audit.rules.values import plain, truthy

LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
#: Addresses Route 53's health checkers, on the internet, cannot reach:
#: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


@rule(
    "R24",
    "error",
    "Health check that cannot pass",
    fix=(
        "Probe a public endpoint on a port and protocol it listens on, on a path and method "
        "it serves (GET); never a private address or a private database endpoint."
    ),
    scope=(
        "Route 53 HTTP(S)/TCP health checks against the stack's load balancers (listener "
        "ports and protocols), HTTP APIs (routes and stages, GET), RDS endpoints "
        "(publicly_accessible) and private IP addresses."
    ),
    blind_spots=(
        "REST APIs, CloudFront and custom domains in front of an API are not followed; "
        "whether the endpoint answers 2xx/3xx is only known by a real probe."
    ),
    url=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html"
    ),
)
def health_check_can_pass(ctx: Context) -> Iterator[Hit]:
    """A health check probes something that can answer it: a public endpoint, served.

    Route 53's checkers are on the internet and need a 2xx/3xx answer on the probed port:
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
    """
    for hc in ctx.of(HEALTH_CHECK):
        kind = str(plain(hc["inputs"].get("type")) or "")
        if not kind.startswith(("HTTP", "TCP")):
            continue
        ip = plain(hc["inputs"].get("ipAddress"))
        host = _host(hc["inputs"].get("fqdn"))
        secure = kind.startswith("HTTPS")
        port = plain(hc["inputs"].get("port")) or (443 if secure else 80)
        path = str(plain(hc["inputs"].get("resourcePath")) or "/")
        path = "/" + path.lstrip("/")
        if ip:
            try:
                address = ipaddress.ip_address(str(ip))
            except ValueError:
                continue  # R2's finding
            if any(address in net for net in PRIVATE_NETWORKS):
                yield Hit(f"ip_address {ip} is private: Route 53's checkers cannot reach it", hc)
            continue
        if not host:
            continue
        for db in ctx.of("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
            hosts = {_host(db["outputs"].get(k)) for k in ("address", "endpoint")}
            if host in hosts and not truthy(db["inputs"].get("publiclyAccessible")):
                yield Hit(
                    f"probes the private database endpoint of {db['name']}: Route 53's checkers "
                    "are on the internet and never reach it",
                    hc,
                )
        for lb in ctx.of(*LOAD_BALANCERS):
            if _host(lb["outputs"].get("dnsName")) != host:
                continue
            arn = plain(lb["outputs"].get("arn"))
            listeners = [
                ln for ln in ctx.of(*LISTENERS) if plain(ln["inputs"].get("loadBalancerArn")) == arn
            ]
            on_port = [ln for ln in listeners if plain(ln["inputs"].get("port")) == port]
            if not on_port:
                ports = sorted({str(plain(ln["inputs"].get("port"))) for ln in listeners})
                yield Hit(
                    f"{kind} on port {port}, but {lb['name']} listens on "
                    f"{', '.join(ports) or 'no port'}: the check never passes",
                    hc,
                )
            elif kind.startswith("HTTP") and all(
                str(plain(ln["inputs"].get("protocol")) or "HTTP").upper()
                != ("HTTPS" if secure else "HTTP")
                for ln in on_port
            ):
                yield Hit(
                    f"{kind} on port {port}, but {lb['name']} speaks "
                    f"{plain(on_port[0]['inputs'].get('protocol')) or 'HTTP'} there",
                    hc,
                )
        for api in ctx.of("aws:apigatewayv2/api:Api"):
            if _host(api["outputs"].get("apiEndpoint")) != host or not kind.startswith("HTTP"):
                continue
            api_id = plain(api["outputs"].get("id"))
            routes = [
                str(plain(r["inputs"].get("routeKey")) or "")
                for r in ctx.of("aws:apigatewayv2/route:Route")
                if plain(r["inputs"].get("apiId")) == api_id
            ]
            routes += (
                [str(plain(api["inputs"].get("routeKey")) or "")]
                if plain(api["inputs"].get("target"))
                else []
            )
            stages = [
                str(plain(st["inputs"].get("name")) or "")
                for st in ctx.of("aws:apigatewayv2/stage:Stage")
                if plain(st["inputs"].get("apiId")) == api_id
            ]
            served = path
            named = [st for st in stages if st != "$default"]
            if "$default" not in stages and named:
                prefix = next((f"/{st}" for st in named if path.startswith(f"/{st}/")), None)
                served = path[len(prefix) :] if prefix else ""
            if not served or not any(_route_serves(key, "GET", served) for key in routes):
                yield Hit(
                    f"GET {path} on {api['name']}, which has no route for it "
                    f"({', '.join(sorted(routes)) or 'no routes'}): every probe fails",
                    hc,
                )


def _host(value: Any) -> str:
    text = str(plain(value) or "")
    return re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split(":", 1)[0].lower()


def _route_serves(route_key: str, method: str, path: str) -> bool:
    """Whether an HTTP API route key (`GET /health`, `ANY /{proxy+}`, `$default`) takes it."""
    if route_key == "$default":
        return True
    verb, _, pattern = route_key.partition(" ")
    if verb not in (method, "ANY"):
        return False
    regex = "".join(
        ".+" if part.endswith("+}") else "[^/]+" if part.startswith("{") else re.escape(part)
        for part in re.split(r"(\{[^}]+\})", pattern)
        if part
    )
    return re.fullmatch(regex, path) is not None
