"""What the drill works on and reports: the stack's outputs as a target, the README's
figures it measures against, its measurements, and the clients it is given (ops/drill.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from ops import drain

#: The README's figures (infra/dns.py's HEALTH_CHECK_INTERVAL_SECONDS x FAILURE_THRESHOLD, the
#: alias target's TTL; a test keeps them equal), and the drain flag's bound (app/handler.py).
HEALTH_CHECK_SECONDS = drain.HEALTH_CHECK_SECONDS
DNS_TTL_SECONDS = drain.DNS_TTL_SECONDS
FLAG_SECONDS = drain.REPLICATION_SECONDS + drain.DRAIN_CACHE_SECONDS
DEFAULT_POLL_SECONDS = 2.0
DEFAULT_TIMEOUT_SECONDS = 600.0
#: FIS pauses replication for minutes; the replication alarms need their periods to fire.
DEFAULT_REPLICATION_TIMEOUT_SECONDS = 1800.0
HTTP_TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 65536
#: The item the drill writes and reads (the service's own keys start with `__`: not those).
DRILL_ITEM = "drgen-drill"
#: app/handler.py's DRAINED_HEADER (a test keeps them equal).
DRAINED_HEADER = "x-region-drained"
#: The object the S3 drill writes into the paused bucket (replicated like any other).
DRILL_OBJECT = "drgen-drill/replication-check"
#: infra/monitoring.py's name of the alarm on S3 replication later than RTC's 15 minutes.
REPLICATION_LATE = "replication-late-{paused}-{other}"
#: The README's figures for a replication drill (tests keep them equal to their sources):
#: DynamoDB replicates up to 5 minutes into a pause (infra/fis.py), the lag check needs
#: MAX_LAG_SECONDS and two probe runs (app/handler.py), the probe alarms three one-minute
#: periods and a run (infra/probes.py); S3's alarm fires past 15 minutes, in 5-minute periods.
LAG_SECONDS = 300 + 120 + 2 * 60
PROBE_ALARM_SECONDS = 3 * 60 + 60
S3_LATE_SECONDS = 15 * 60 + 5 * 60
AWS_ERRORS = (BotoCoreError, ClientError)


class DrillError(Exception):
    """Why the drill stopped: one line, after everything it changed was put back."""


@dataclass(frozen=True)
class Answer:
    """One HTTP answer; status 0 when nothing answered."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Target:
    """The deployed stack as its outputs describe it."""

    table: str
    regions: list[str]
    #: region -> its `/health` URL, and its base URL (ends with `/`)
    health: dict[str, str]
    base: dict[str, str]
    secret_name: str
    fqdn: str | None = None
    name_servers: list[str] = field(default_factory=list)
    fis_templates: dict[str, dict[str, str]] = field(default_factory=dict)
    alarm_topics: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)

    @property
    def primary(self) -> str:
        return self.regions[0]

    @property
    def successor(self) -> str:
        return self.regions[1]

    @property
    def alarm_prefix(self) -> tuple[str, str]:
        """`<project>-` and `-<suffix>`, from the table's name (`<project>-items-<suffix>`)."""
        project, _, suffix = self.table.rpartition("-items-")
        return f"{project}-", f"-{suffix}"


def target_from_outputs(outputs: dict[str, Any]) -> Target:
    """The target from a saved `pulumi stack output --json`."""
    stack = drain.stack_from_outputs(outputs)
    try:
        if stack.route53:
            endpoints = outputs["regionalApiEndpoints"]
            base = {region: endpoints[region].rstrip("/") + "/" for region in stack.regions}
            fqdn = urlparse(outputs["customUrl"]).hostname
            name_servers = [str(ns) for ns in outputs["nameServers"]]
        else:
            base = {region: outputs["urls"][region] for region in stack.regions}
            fqdn, name_servers = None, []
        secret_name = outputs["secretName"]
    except KeyError as missing:
        raise DrillError(
            f"the outputs have no {missing.args[0]!r}: save `pulumi stack output --json` of "
            "this version"
        ) from None
    except (TypeError, AttributeError):
        raise DrillError(
            "the outputs are not what this version exports: save `pulumi stack output --json`"
        ) from None
    return Target(
        table=stack.table,
        regions=stack.regions,
        health={region: url + "health" for region, url in base.items()},
        base=base,
        secret_name=secret_name,
        fqdn=fqdn,
        name_servers=name_servers,
        fis_templates=dict(outputs.get("fisTemplates") or {}),
        alarm_topics=dict(outputs.get("alarmTopicArns") or {}),
        buckets=dict(outputs.get("bucketNames") or {}),
    )


@dataclass
class Measurement:
    """One measured time against the README's figure (None: no figure stated)."""

    what: str
    seconds: float
    stated: float | None

    @property
    def over(self) -> bool:
        return self.stated is not None and self.seconds > self.stated


@dataclass
class Report:
    """What the drill did and measured."""

    route53: bool
    drained: str
    successor: str
    measurements: list[Measurement] = field(default_factory=list)
    #: what was put back, and why the drill stopped (None: it ran to the end)
    cleanup: list[str] = field(default_factory=list)
    stopped: str | None = None
    advice: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.stopped is not None:
            return "stopped"
        return "over" if any(m.over for m in self.measurements) else "ok"

    def document(self) -> dict[str, Any]:
        """The `--json` document."""
        return {
            "outcome": self.outcome,
            "route53": self.route53,
            "drained": self.drained,
            "successor": self.successor,
            "measurements": [{**asdict(m), "over": m.over} for m in self.measurements],
            "cleanup": self.cleanup,
            "stopped": self.stopped,
            "advice": self.advice,
        }

    def text(self) -> str:
        """The text report: a line per measured time, then what was put back."""
        lines = [f"drill: {self.drained} -> {self.successor}: {self.outcome}"]
        for m in self.measurements:
            stated = "no stated figure" if m.stated is None else f"stated {m.stated:g} s"
            mark = "  OVER" if m.over else ""
            lines.append(f"  {m.what}: {m.seconds:.1f} s ({stated}){mark}")
        lines += [f"  {line}" for line in self.cleanup]
        if self.stopped is not None:
            lines.append(f"stopped: {self.stopped}")
        lines += self.advice
        return "\n".join(lines)


@dataclass
class Env:
    """Everything the drill touches, injected: tests give fakes, main() the real ones."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    #: (method, url, headers, body, connect_to) -> Answer; connect_to pins the address
    http: Callable[[str, str, dict[str, str], str | None, str | None], Answer]
    #: name -> the addresses the zone's authoritative name servers answer
    resolve: Callable[[str], list[str]]
    #: (service, region) -> a boto3 client
    aws: Callable[[str, str], Any]
    say: Callable[[str], None]


def pause_alarms(target: Target, kind: str, paused: str) -> list[tuple[str, str]]:
    """(region, alarm name) of what pausing `paused` must trip: infra/probes.py's and
    infra/monitoring.py's names, each in the region its metric lives in."""
    project, suffix = target.alarm_prefix
    name = "unreachable-{paused}-from-{other}" if kind == "dynamodb" else REPLICATION_LATE
    return [
        (other, f"{project}{name.format(paused=paused, other=other)}{suffix}")
        for other in target.regions
        if other != paused
    ]
