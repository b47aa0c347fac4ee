"""What a rule is: its metadata beside its check, and the hits the check yields."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drgen.audit.rules.context import Context

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Hit:
    """One failure of a rule, on one resource (or lookup, or the program as a whole)."""

    message: str
    resource: dict[str, Any] | None = None
    file: str | None = None
    line: int | None = None
    severity: str | None = None


@dataclass(frozen=True)
class Rule:
    """A failure pattern: what breaks, how badly, and what to change."""

    id: str
    severity: str
    title: str
    fix: str
    check: Callable[[Context], Iterable[Hit]]
    #: What the rule reads, and where it applies.
    scope: str
    #: What it cannot see: constructs a reviewer must still check by hand.
    blind_spots: str
    #: The AWS (or Pulumi) documentation behind the rule.
    url: str

    @property
    def area(self) -> str:
        """The folder the rule's file is in (`network`, `dns`, ...)."""
        return self.check.__module__.rsplit(".", 2)[-2]


def rule(
    rule_id: str, severity: str, title: str, *, fix: str, scope: str, blind_spots: str, url: str
) -> Callable[[Callable[[Context], Iterable[Hit]]], Rule]:
    """Declare the function below as rule `rule_id`, its metadata written above its code."""

    def declare(check: Callable[[Context], Iterable[Hit]]) -> Rule:
        return Rule(
            rule_id, severity, title, fix, check, scope=scope, blind_spots=blind_spots, url=url
        )

    return declare
