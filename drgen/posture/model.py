"""The posture as data: what `drgen report` prints and `--json` documents."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CostLine:
    """One priced item: how many, at what unit price, where the price comes from."""

    item: str
    region: str
    quantity: float
    unit_price: float
    monthly: float
    source: str


@dataclass(frozen=True)
class UsageLine:
    """A price per unit of use (not idle): what each GB written to a region's bucket costs."""

    item: str
    region: str
    unit: str
    price: float
    detail: str
    source: str


@dataclass
class Posture:
    """What the project survives, its recovery objectives, what it does not cover, its cost."""

    project: str
    stack: str
    regions: list[str]
    survives: dict[str, str] = field(default_factory=dict)
    objectives: dict[str, dict[str, str]] = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)
    #: Who the alarm topics reach, in words; says plainly when nobody is subscribed.
    paged: str = ""
    #: What the project rehearses its failover with (the drill), in words.
    rehearsed: list[str] = field(default_factory=list)
    cost: list[CostLine] = field(default_factory=list)
    cost_by_region: dict[str, float] = field(default_factory=dict)
    cost_total: float = 0.0
    usage: list[UsageLine] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    prices_date: str = ""
    prices_basis: str = ""
