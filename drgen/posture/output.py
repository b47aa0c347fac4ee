"""The posture for people (`drgen report`) and as plain data (`--json`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drgen.posture.model import Posture


def document(posture: Posture) -> dict[str, Any]:
    """The posture as plain data (for --json)."""
    return asdict(posture)


def text(posture: Posture) -> str:
    """The posture for people."""
    out = [
        f"DR posture of {posture.project} (stack {posture.stack}), "
        f"regions in failover order: {', '.join(posture.regions)}",
        "",
        "Survives:",
    ]
    out += [f"  {failure}: {how}" for failure, how in posture.survives.items()]
    out += ["", "Recovery objectives:"]
    for store, value in posture.objectives.items():
        out.append(f"  {store}: RPO {value['rpo']}; RTO {value['rto']} [{value['from']}]")
    out += ["", "Not covered:"]
    out += [f"  - {gap}" for gap in posture.not_covered]
    out += ["", f"Alarms reach: {posture.paged}"]
    if posture.rehearsed:
        out += ["", "Rehearsed by:"]
        out += [f"  - {line}" for line in posture.rehearsed]
    out += [
        "",
        f"Estimated fixed monthly cost of the idle stack (USD, prices of {posture.prices_date}, "
        f"{posture.prices_basis}; an estimate, not a quote):",
    ]
    for region in posture.cost_by_region:
        out.append(f"  {region}: ${posture.cost_by_region[region]:.2f}")
        for line in posture.cost:
            if line.region == region:
                each = f"{line.quantity:g} x ${line.unit_price:g}"
                out.append(f"    {line.item}: {each} = ${line.monthly:.2f}")
    out.append(f"  total: ${posture.cost_total:.2f}")
    if posture.usage:
        out += ["", "Per use, on top (not idle):"]
        out += [
            f"  {line.region}: ${line.price:g} per {line.unit} ({line.detail})"
            for line in posture.usage
        ]
    if posture.unpriced:
        out += [
            "",
            f"Not priced (types drgen's price table does not know): {', '.join(posture.unpriced)}",
        ]
    return "\n".join(out) + "\n"
