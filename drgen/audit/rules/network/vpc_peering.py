"""R9: VPC peering without accepter or routes."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import ACCEPTER, PEERING, ROUTE
from drgen.audit.rules.values import plain, truthy


@rule(
    "R9",
    "error",
    "VPC peering without accepter or routes",
    fix=(
        "Request with auto_accept=False, accept with a VpcPeeringConnectionAccepter through "
        "the peer region's provider, and add routes to the peer CIDR on both sides."
    ),
    scope="VpcPeeringConnection, its accepters and the routes through it.",
    blind_spots=(
        "Whether the route tables carrying the routes are the ones the subnets use, and CIDR "
        "overlap, are not checked."
    ),
    url="https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html",
)
def vpc_peering(ctx: Context) -> Iterator[Hit]:
    """Cross-region peering needs an accepter in the peer region and routes both ways."""
    for peering in ctx.of(PEERING):
        peer_region = plain(peering["inputs"].get("peerRegion")) or peering["region"]
        cross = peer_region != peering["region"]
        handles = {plain(peering["outputs"].get("id"))}
        accepters = [
            a
            for a in ctx.of(ACCEPTER)
            if plain(a["inputs"].get("vpcPeeringConnectionId")) in handles
        ]
        if cross and truthy(peering["inputs"].get("autoAccept")):
            yield Hit("auto_accept on a cross-region request: AWS rejects it", peering)
        if not accepters and (cross or not truthy(peering["inputs"].get("autoAccept"))):
            yield Hit(f"nobody accepts it in the peer region {peer_region}", peering)
        elif accepters and all(a["region"] != peer_region for a in accepters):
            yield Hit(f"the accepter is not in the peer region {peer_region}", peering)
        routes = [
            r for r in ctx.of(ROUTE) if plain(r["inputs"].get("vpcPeeringConnectionId")) in handles
        ]
        for side in sorted({peering["region"], peer_region}):
            if not any(r["region"] == side for r in routes):
                yield Hit(f"no route through it in {side}: traffic does not cross", peering)
