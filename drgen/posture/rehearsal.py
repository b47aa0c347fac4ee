"""What a project gives its operators to act and to rehearse: the drain switch, the drill, FIS.

Read from the project's own files (`ops/drain.py`, `ops/drill.py`) and the FIS experiment
templates its program declares, in the words of the generated README's runbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drgen.posture.model import Posture
from drgen.posture.resource_types import (
    FIS_TEMPLATE,
    HEALTH_CHECK,
    RECORD,
    action_minutes,
    of,
    slowest_timing,
)
from drgen.posture.survival import ALIAS_TTL_SECONDS

DRAIN_SCRIPT = Path("ops/drain.py")
DRILL_SCRIPT = Path("ops/drill.py")


def _detect_seconds(res: list[dict[str, Any]]) -> int | None:
    """How long Route 53 takes to call a region unhealthy, or None without DNS failover."""
    checks = of(res, HEALTH_CHECK)
    if not checks or not any(r["inputs"].get("failoverRoutingPolicies") for r in of(res, RECORD)):
        return None
    interval, threshold = slowest_timing(checks)
    return interval * threshold


def add_rehearsal(posture: Posture, res: list[dict[str, Any]], path: Path) -> None:
    """The gray-failure lever (a survived failure) and what the drill rehearses."""
    detect = _detect_seconds(res)
    if (path / DRAIN_SCRIPT).is_file():
        lever = (
            "`python -m ops.drain REGION` (data plane only: a flag item in the global table) "
            "makes the region's /health answer 503"
        )
        posture.survives["gray failure"] = (
            f"yes, by an operator: {lever}; Route 53 moves traffic in about "
            f"{detect + ALIAS_TTL_SECONDS + 1} s"
            if detect is not None
            else f"partly, by an operator: {lever} and marks its answers `x-region-drained: "
            "true`; clients must move on themselves"
        )
    if not (path / DRILL_SCRIPT).is_file():
        return
    measured = (
        "the zone's authoritative DNS answer moving to the next region, and a write and a read "
        "through the service name"
        if detect is not None
        else "its answers marked `x-region-drained`, and a write and a read at the next "
        "region's URL"
    )
    posture.rehearsed.append(
        f"`python -m ops.drill` (game days): drains the primary and measures its /health "
        f"answering 503, {measured}; then undrains it and measures the way back; every way "
        "out undrains"
    )
    templates = of(res, FIS_TEMPLATE)
    if templates:
        minutes = sorted({m for template in templates for m in action_minutes(template)})
        pause = f" for {', '.join(map(str, minutes))} min" if minutes else ""
        posture.rehearsed.append(
            f"`python -m ops.drill --replication`: {len(templates)} AWS FIS experiment "
            f"templates (a DynamoDB replica pause and an S3 replication pause per region) "
            f"pause replication{pause}; the drill pauses the last region in failover order "
            "and waits for its /health to answer 503 lagging and the other regions' probe "
            "alarms on it, then for an object it writes to be late everywhere else, and for "
            "all of it to clear; FIS bills the action-minutes of a run, nothing while idle"
        )
