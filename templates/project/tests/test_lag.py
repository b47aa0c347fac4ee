"""Replication lag across a whole stack: every region's probe and `/health`, run minute by
minute over simulated replicas, with links that a FIS pause, an outage or a backlog breaks.

The handler and probe tests check one region's judgment against moto; this checks that the
judgments of all regions together converge: when one region's replication stops, the regions
app/handler.py's lag_check picks leave and stay out, the others keep serving, nothing flaps,
and the stack is never left with no region at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from app import handler, probe

MINUTE = 60.0
START = 1_800_000_000.0
#: Rounds before anything breaks, while it is broken, and after it is mended.
CALM, BROKEN, MENDED = 4, 12, 6
#: Rounds after the break by which the judgment must have settled: the heartbeat copies
#: fall MAX_LAG_SECONDS behind, then each probe run carries one more view; a link broken only
#: into a region waits CONFIRM_SECONDS more.
SETTLE = int(handler.MAX_LAG_SECONDS // MINUTE) + 3
ONE_WAY_SETTLE = int((handler.MAX_LAG_SECONDS + handler.CONFIRM_SECONDS) // MINUTE) + 1


@dataclass
class Stack:
    """Each region's replica (its items by key) and which replication links are down."""

    regions: list[str]
    replicas: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    broken: set[tuple[str, str]] = field(default_factory=set)
    down: set[str] = field(default_factory=set)
    drained: set[str] = field(default_factory=set)
    #: probes one after the other, each seeing what the previous ones wrote and replicated
    #: (phases apart), instead of all at once
    staggered: bool = False
    now: float = START

    def __post_init__(self) -> None:
        self.replicas = {region: {} for region in self.regions}

    def health(self, region: str) -> tuple[int, dict[str, Any]]:
        """What `/health` of `region` answers now, from what its replica holds."""
        replica = self.replicas[region]
        keys = [handler.SEEN_PREFIX + region, *(handler.HEARTBEAT_PREFIX + r for r in self.regions)]
        items = {key: replica.get(key, {}) for key in keys}
        checks = {"table": True, "bucket": True, "secret": True}
        return handler.judge(items, checks, region in self.drained, self.now, region, self.regions)

    def minute(self) -> dict[str, int]:
        """One probe run in every region that is up (each calls the others' `/health`), and
        replication of the heartbeats over the links that work; the status every region's
        `/health` answers afterwards."""
        answers = self.answers()
        for region in self.regions:
            if region in self.down:
                continue
            if self.staggered:
                answers = self.answers()
            self.probe(region, answers)
            if self.staggered:
                self.replicate()
        self.replicate()
        self.now += MINUTE
        return {r: self.health(r)[0] for r in self.regions if r not in self.down}

    def answers(self) -> dict[str, tuple[int, dict[str, Any]]]:
        return {r: self.health(r) for r in self.regions if r not in self.down}

    def probe(self, region: str, answers: dict[str, tuple[int, dict[str, Any]]]) -> None:
        """What app/probe.py records in `region`'s replica from the answers it got."""
        seen = {}
        for other in self.regions:
            if other == region:
                continue
            if other in answers:
                status, body = answers[other]
                sighting = probe.sighting(status, json.dumps(body).encode())
            else:
                sighting = {"healthy": False, "error": "ConnectionRefusedError"}
            seen[other] = {
                "healthy": sighting["healthy"],
                "serving": sighting.get("serving", False),
                "heartbeat": sighting.get("heartbeat"),
                "inSync": sighting.get("inSync", []),
                "ahead": sighting.get("ahead", []),
                "sees": sighting.get("sees", {}),
                "at": self.now,
            }
        replica = self.replicas[region]
        replica[handler.HEARTBEAT_PREFIX + region] = {"at": {"N": repr(self.now)}}
        replica[handler.SEEN_PREFIX + region] = {"seen": {"S": json.dumps(seen)}}

    def replicate(self) -> None:
        """Each region's own heartbeat to every other replica, over the links that work."""
        for source in self.regions:
            key = handler.HEARTBEAT_PREFIX + source
            for target in self.regions:
                if target == source or (source, target) in self.broken:
                    continue
                if source in self.down or target in self.down:
                    continue
                if key in self.replicas[source]:
                    self.replicas[target][key] = dict(self.replicas[source][key])

    def pause(self, region: str) -> None:
        """FIS's DynamoDB pause: the replica neither receives nor sends."""
        for other in self.regions:
            if other != region:
                self.broken |= {(region, other), (other, region)}


def out(statuses: dict[str, int]) -> set[str]:
    return {region for region, status in statuses.items() if status != 200}


def run(stack: Stack, rounds: int) -> list[set[str]]:
    return [out(stack.minute()) for _ in range(rounds)]


def break_and_mend(stack: Stack, broken: set[tuple[str, str]]) -> list[set[str]]:
    """Calm, then `broken` links for BROKEN minutes, then mended: who was out each minute."""
    calm = run(stack, CALM)
    assert calm[-1] == set(), f"a calm stack keeps {calm[-1]} out"
    stack.broken = set(broken)
    during = run(stack, BROKEN)
    stack.broken = set()
    after = run(stack, MENDED)
    assert after[-1] == set(), f"{after[-1]} still out {MENDED} minutes after the links mended"
    return during


REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]


def paused(regions: list[str], region: str) -> set[tuple[str, str]]:
    stack = Stack(regions)
    stack.pause(region)
    return stack.broken


@pytest.mark.parametrize("staggered", [False, True], ids=["together", "staggered"])
@pytest.mark.parametrize("count", [2, 3, 4])
@pytest.mark.parametrize("which", [0, -1])
def test_a_paused_replica_takes_one_region_out_and_keeps_it_out(
    count: int, which: int, staggered: bool
) -> None:
    """Both ends of a pause see the other ahead. With three regions or more the paused one
    holds fewer regions current and leaves; with two it is a tie, and the later region in
    failover order leaves, whichever replica was paused."""
    regions = REGIONS[:count]
    region = regions[which]
    expected = {region} if count > 2 else {regions[-1]}
    during = break_and_mend(Stack(regions, staggered=staggered), paused(regions, region))
    assert all(minute != set(regions) for minute in during), f"nothing served: {during}"
    assert all(minute <= expected for minute in during), f"{during}: only {expected} may leave"
    settled = during[SETTLE:]
    assert settled == [expected] * len(settled), f"{during}: it must settle on {expected}"


@pytest.mark.parametrize("staggered", [False, True], ids=["together", "staggered"])
@pytest.mark.parametrize("count", [2, 3])
def test_a_replica_that_only_stops_receiving_leaves_alone(count: int, staggered: bool) -> None:
    """The others hold its writes, it misses theirs: it leaves, CONFIRM_SECONDS after it
    would for a link broken both ways, and nobody else does."""
    regions = REGIONS[:count]
    primary = regions[0]
    stack = Stack(regions, staggered=staggered)
    during = break_and_mend(stack, {(other, primary) for other in regions[1:]})
    assert all(minute <= {primary} for minute in during), during
    assert during[ONE_WAY_SETTLE:] == [{primary}] * (BROKEN - ONE_WAY_SETTLE), during


def test_a_region_back_from_an_outage_stays_out_until_it_caught_up() -> None:
    """The survivors served alone; the region back has an empty backlog to receive first.
    Its replica falls behind while it is down and catches up only when the links work."""
    stack = Stack(REGIONS[:2])
    primary, survivor = REGIONS[:2]
    assert run(stack, CALM)[-1] == set()
    stack.down = {primary}
    assert run(stack, 5) == [set()] * 5, "the survivor serves alone"
    stack.down = set()
    stack.broken = {(survivor, primary)}  # the backlog has not arrived yet
    assert run(stack, 6) == [{primary}] * 6, "a stale primary must not take traffic back"
    stack.broken = set()
    assert run(stack, 2)[-1] == set()


def test_draining_the_region_that_stayed_leaves_the_other_serving() -> None:
    """Two regions, paused: the second left. Draining the first must move the service to the
    second, lagging or not: a region is yielded to only while it is healthy."""
    stack = Stack(REGIONS[:2])
    first, second = REGIONS[:2]
    run(stack, CALM)
    stack.pause(first)
    assert run(stack, SETTLE + 1)[-1] == {second}
    stack.drained = {first}
    assert run(stack, 3)[-1] == {first}
