"""A timed failover exercise against the deployed stack: measure what the README promises.

    pulumi stack output --json > outputs.json
    python -m ops.drill --outputs outputs.json --dry-run     # the plan; calls nothing
    python -m ops.drill --outputs outputs.json [--json] [--replication]

1. Every region's `/health` must answer 200 (and name its region), and nothing may be
   drained; otherwise the drill does not start.
2. With Route 53 the service name must answer with the primary. The name is asked of the
   zone's authoritative name servers (output `nameServers`), never a caching resolver, and
   the region behind the answer is the one its `/health` names.
3. It drains the primary (ops/drain.py's flag) and measures, from that write, the time until
   the primary's `/health` fails, until the service name answers with the next region, and
   until a write and a read succeed through the service name (without Route 53: until the
   primary's answers say `x-region-drained`, and a write and a read succeed at the next
   region's URL).
4. It undrains and measures the way back the same way.
5. `--replication` starts the AWS FIS experiments (output `fisTemplates`) of the last region
   in failover order, the one a paused link takes out whatever the number of regions, so no
   traffic leaves the primary. The DynamoDB pause: until that region's `/health` answers 503
   "lagging" and every other region's probe alarm on it fires into its topic, then, once the
   pause ends, until both clear. The S3 pause: the drill writes an object into the paused
   bucket, and measures until each other region's replication-late alarm fires, then clears.

Ctrl-C, a timeout, or any error undrains what the drill drained and stops the experiments it
started, and says so. Each time is printed against the README's figure (`--json`: the same
as a document); exit 0 when every time is within its figure, 2 when one is over, 1 when the
drill stopped, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import dns.exception
import dns.resolver
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
EXIT_OK, EXIT_FAILED, EXIT_OVER, EXIT_INTERRUPTED = 0, 1, 2, 130
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


@dataclass
class Drill:
    """One run; `drained` and `experiments` are what must be put back on any way out."""

    target: Target
    env: Env
    poll: float
    timeout: float
    replication_timeout: float
    report: Report
    drained: list[str] = field(default_factory=list)
    experiments: list[tuple[str, str]] = field(default_factory=list)
    token: str = ""

    # --- what it observes -------------------------------------------------------------

    def health(self, region: str) -> Answer:
        return self.env.http("GET", self.target.health[region], {}, None, None)

    def service(self, method: str, path: str, body: str | None = None) -> tuple[str, Answer]:
        """A request through the service name (Route 53 only), to the first address the
        authoritative servers give now, with no resolver cache between: that address and the
        answer (status 0 when the name has no address)."""
        assert self.target.fqdn is not None
        addresses = self.env.resolve(self.target.fqdn)
        if not addresses:
            return "", Answer(0, {}, {})
        url = f"https://{self.target.fqdn}{path}"
        headers = {"authorization": f"Bearer {self.token}"} if path != "/health" else {}
        return addresses[0], self.env.http(method, url, headers, body, addresses[0])

    def answering_region(self) -> str | None:
        _, answer = self.service("GET", "/health")
        region = answer.body.get("region")
        return str(region) if region is not None else None

    def write_and_read(self, base: str | None, expected: str) -> bool:
        """A write and then a read of the drill's item succeed, served by `expected`
        (through the service name, or at `base`: a region's URL)."""
        payload = json.dumps({"drill": uuid.uuid4().hex})
        path = f"/items/{DRILL_ITEM}"
        if base is None:
            _, written = self.service("PUT", path, payload)
            _, read = self.service("GET", path)
        else:
            headers = {"authorization": f"Bearer {self.token}"}
            url = base + path.lstrip("/")
            written = self.env.http("PUT", url, headers, payload, None)
            read = self.env.http("GET", url, headers, None, None)
        return (
            written.status == 200
            and written.body.get("writtenIn") == expected
            and read.status == 200
            and read.body.get("data") == json.loads(payload)
        )

    # --- how it waits --------------------------------------------------------------------

    def wait(self, what: str, done: Callable[[], bool], since: float, limit: float) -> float:
        """Poll until `done`; the seconds since `since`, or stop after `limit`."""
        while True:
            if done():
                return self.env.clock() - since
            if self.env.clock() - since > limit:
                raise DrillError(f"{what}: not after {limit:g} s")
            self.env.sleep(self.poll)

    def measure(
        self, what: str, done: Callable[[], bool], since: float, stated: float | None
    ) -> None:
        seconds = self.wait(what, done, since, self.timeout)
        figure = None if stated is None else float(stated)
        self.report.measurements.append(Measurement(what, round(seconds, 1), figure))
        self.env.say(f"  {what}: {seconds:.1f} s")

    # --- the steps ------------------------------------------------------------------------

    def preflight(self) -> None:
        """Every region healthy, nothing drained, the secret read, the name on the primary."""
        for region in self.target.regions:
            answer = self.health(region)
            if answer.status != 200 or answer.body.get("region") != region:
                raise DrillError(
                    f"{region} is not healthy before the start (/health answered "
                    f"{answer.status or 'nothing'}"
                    f"{', ' + str(answer.body['status']) if 'status' in answer.body else ''}): "
                    "not starting"
                )
        client = self.env.aws("dynamodb", self.target.successor)
        already = drain.drained_regions(client, self.target.table, self.target.regions)
        if already:
            raise DrillError(
                f"{', '.join(already)} drained already: undo it first "
                f"(python -m ops.drain --undo {already[0]}); not starting"
            )
        secrets = self.env.aws("secretsmanager", self.target.successor)
        self.token = secrets.get_secret_value(SecretId=self.target.secret_name)["SecretString"]
        if self.target.fqdn is not None:
            answering = self.answering_region()
            if answering != self.target.primary:
                raise DrillError(
                    f"{self.target.fqdn} answers with {answering or 'nothing'}, not the primary "
                    f"{self.target.primary}: not starting"
                )

    def set_flag(self, drained: bool) -> float:
        """Write the primary's flag through the next region's endpoint; the write's time."""
        client = self.env.aws("dynamodb", self.target.successor)
        primary = self.target.primary
        if drained:
            self.drained.append(primary)
        drain.set_drained(client, self.target.table, primary, drained, by="ops.drill")
        if not drained:
            self.drained.remove(primary)
        return self.env.clock()

    def failover(self) -> None:
        primary, successor = self.target.primary, self.target.successor
        self.env.say(f"draining {primary}")
        since = self.set_flag(True)
        self.measure(
            f"/health of {primary} answers 503",
            lambda: self.health(primary).status == 503,
            since,
            FLAG_SECONDS,
        )
        if self.target.fqdn is not None:
            self.measure(
                f"DNS answers with {successor}",
                lambda: self.answering_region() == successor,
                since,
                drain.REPLICATION_SECONDS + HEALTH_CHECK_SECONDS,
            )
            self.measure(
                f"a write and a read succeed through {self.target.fqdn}",
                lambda: self.write_and_read(None, successor),
                since,
                drain.REPLICATION_SECONDS + HEALTH_CHECK_SECONDS + DNS_TTL_SECONDS,
            )
        else:
            self.measure(
                f"answers of {primary} carry {DRAINED_HEADER}",
                lambda: self.marked(primary),
                since,
                FLAG_SECONDS,
            )
            self.measure(
                f"a write and a read succeed at {successor}'s URL",
                lambda: self.write_and_read(self.target.base[successor], successor),
                since,
                FLAG_SECONDS,
            )

    def failback(self) -> None:
        primary = self.target.primary
        self.env.say(f"undraining {primary}")
        since = self.set_flag(False)
        self.report.cleanup.append(f"undrained {primary}")
        self.measure(
            f"/health of {primary} answers 200 again",
            lambda: self.health(primary).status == 200,
            since,
            FLAG_SECONDS,
        )
        if self.target.fqdn is not None:
            self.measure(
                f"DNS answers with {primary} again",
                lambda: self.answering_region() == primary,
                since,
                drain.REPLICATION_SECONDS + HEALTH_CHECK_SECONDS,
            )
            self.measure(
                f"a write and a read succeed through {self.target.fqdn} in {primary}",
                lambda: self.write_and_read(None, primary),
                since,
                drain.REPLICATION_SECONDS + HEALTH_CHECK_SECONDS + DNS_TTL_SECONDS,
            )
        else:
            self.measure(
                f"answers of {primary} no longer carry {DRAINED_HEADER}",
                lambda: not self.marked(primary),
                since,
                FLAG_SECONDS,
            )

    def marked(self, region: str) -> bool:
        headers = {"authorization": f"Bearer {self.token}"}
        url = self.target.base[region] + f"items/{DRILL_ITEM}"
        answer = self.env.http("GET", url, headers, None, None)
        return answer.headers.get(DRAINED_HEADER) == "true"

    def replication(self) -> None:
        """Pause replication with each FIS template of the last region in failover order:
        the region app/handler.py's lag check takes out of a paused pair whatever the number
        of regions, so the drill moves no traffic off the primary."""
        paused = self.target.regions[-1]
        templates = self.target.fis_templates.get(paused)
        if not templates:
            raise DrillError(
                f"the outputs have no fisTemplates for {paused}: deploy a stack that has them"
            )
        fis = self.env.aws("fis", paused)
        for kind in sorted(templates):
            self.pause(fis, paused, kind, templates[kind])

    def pause(self, fis: Any, paused: str, kind: str, template: str) -> None:
        """One experiment: what it must trip does, the experiment ends, and all clears.

        DynamoDB: the paused region's `/health` answers 503 "lagging" and every other
        region's probe alarm on it fires. S3: nothing in the stack writes objects, so the
        drill writes one into the paused region's bucket once the pause runs; each other
        region's replication-late alarm on that bucket fires."""
        token = uuid.uuid4().hex
        answer = fis.start_experiment(experimentTemplateId=template, clientToken=token)
        started = answer["experiment"]["id"]
        self.experiments.append((paused, started))
        self.env.say(f"started FIS experiment {started} ({kind} replication of {paused} paused)")
        since = self.env.clock()
        if kind == "dynamodb":
            self.measure_long(
                f"/health of {paused} answers 503 lagging",
                lambda: self.health_says(paused, 503, "lagging"),
                since,
                LAG_SECONDS,
            )
        else:
            if paused not in self.target.buckets:
                raise DrillError(f"the outputs have no bucketNames for {paused}")
            self.wait(
                f"FIS experiment {started} runs",
                lambda: self.experiment_status(fis, paused, started) == "running",
                since,
                self.replication_timeout,
            )
            self.env.aws("s3", paused).put_object(
                Bucket=self.target.buckets[paused], Key=DRILL_OBJECT, Body=DRILL_ITEM.encode()
            )
            self.env.say(f"wrote {DRILL_OBJECT} into {self.target.buckets[paused]}")
        alarms = pause_alarms(self.target, kind, paused)
        others = ", ".join(region for region, _ in alarms)
        which = "probe" if kind == "dynamodb" else "replication-late"
        self.measure_long(
            f"{kind}: the {which} alarms on {paused} in {others} fire into their topics",
            lambda: self.alarms_in(alarms, "ALARM"),
            since,
            PROBE_ALARM_SECONDS + LAG_SECONDS if kind == "dynamodb" else S3_LATE_SECONDS,
        )
        self.wait(
            f"FIS experiment {started} ends",
            lambda: self.experiment_status(fis, paused, started) == "completed",
            since,
            self.replication_timeout,
        )
        self.experiments.remove((paused, started))
        ended = self.env.clock()
        if kind == "dynamodb":
            self.measure_long(
                f"/health of {paused} answers 200 again",
                lambda: self.health_says(paused, 200, "ok"),
                ended,
                None,
            )
        self.measure_long(
            f"{kind}: the alarms clear", lambda: self.alarms_in(alarms, "OK"), ended, None
        )

    def measure_long(
        self, what: str, done: Callable[[], bool], since: float, stated: float | None
    ) -> None:
        """A measurement within the replication timeout (a pause runs for minutes)."""
        seconds = self.wait(what, done, since, self.replication_timeout)
        figure = None if stated is None else float(stated)
        self.report.measurements.append(Measurement(what, round(seconds, 1), figure))
        self.env.say(f"  {what}: {seconds:.1f} s")

    def health_says(self, region: str, status: int, state: str) -> bool:
        answer = self.health(region)
        return answer.status == status and answer.body.get("status") == state

    def experiment_status(self, fis: Any, region: str, experiment: str) -> str:
        state = fis.get_experiment(id=experiment)["experiment"]["state"]
        if state["status"] in ("failed", "stopped", "cancelled"):
            self.experiments.remove((region, experiment))
            raise DrillError(
                f"FIS experiment {experiment} {state['status']}: {state.get('reason', '')}"
            )
        return str(state["status"])

    def alarms_in(self, alarms: list[tuple[str, str]], state: str) -> bool:
        """Every one in `state`; in ALARM, each also notifies a stack topic."""
        topics = set(self.target.alarm_topics.values())
        reached = []
        for region, name in alarms:
            found = self.env.aws("cloudwatch", region).describe_alarms(
                AlarmNames=[name], AlarmTypes=["MetricAlarm"]
            )["MetricAlarms"]
            reached.append(
                bool(found)
                and found[0]["StateValue"] == state
                and (state != "ALARM" or bool(topics & set(found[0].get("AlarmActions", []))))
            )
        return all(reached)

    def put_back(self) -> None:
        """Undrain and stop whatever this run left; say each, and what failed to be put back."""
        for region, experiment in list(self.experiments):
            try:
                self.env.aws("fis", region).stop_experiment(id=experiment)
                self.report.cleanup.append(f"stopped FIS experiment {experiment}")
            except AWS_ERRORS as error:
                self.report.cleanup.append(
                    f"could not stop FIS experiment {experiment} ({error}): stop it with "
                    f"aws fis stop-experiment --region {region} --id {experiment}"
                )
        for region in list(self.drained):
            try:
                self.set_flag(False)
                self.report.cleanup.append(f"undrained {region}")
            except AWS_ERRORS as error:
                self.report.cleanup.append(
                    f"could not undrain {region} ({error}): run python -m ops.drain --undo "
                    f"--via {self.target.successor} {region}"
                )


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


def advice(target: Target) -> list[str]:
    """What a client has to do, without Route 53 to move it."""
    if target.fqdn is not None:
        return [
            f"clients behind caching resolvers move up to the TTL ({DNS_TTL_SECONDS} s) later "
            "than the authoritative answers measured here"
        ]
    return [
        "no Route 53: clients must move on to the next region's URL when /health answers 503 "
        f"or an answer carries {DRAINED_HEADER}: true, and come back when /health answers 200"
    ]


def plan(target: Target, replication: bool) -> list[str]:
    """The steps, for --dry-run."""
    primary, successor = target.primary, target.successor
    steps = [
        f"check /health of {', '.join(target.regions)} (200 each), that nothing is drained, "
        f"and read the secret {target.secret_name!r} in {successor}",
    ]
    if target.fqdn is not None:
        steps.append(
            f"check that {target.fqdn} answers with {primary} at {', '.join(target.name_servers)}"
        )
    steps.append(f"drain {primary} through {successor}'s DynamoDB endpoint ({target.table!r})")
    steps.append(f"measure until /health of {primary} answers 503 (stated {FLAG_SECONDS:g} s)")
    if target.fqdn is not None:
        moved = drain.REPLICATION_SECONDS + HEALTH_CHECK_SECONDS
        steps.append(f"measure until {target.fqdn} answers with {successor} (stated {moved} s)")
        steps.append(
            f"measure until a write and a read of {DRILL_ITEM!r} succeed through "
            f"{target.fqdn} (stated {moved + DNS_TTL_SECONDS} s)"
        )
    else:
        steps.append(f"measure until answers of {primary} carry {DRAINED_HEADER}: true")
        steps.append(f"measure until a write and a read succeed at {successor}'s URL")
    steps.append(f"undrain {primary} and measure the way back the same way")
    if replication:
        paused = target.regions[-1]
        kinds = sorted(target.fis_templates.get(paused, {}))
        others = ", ".join(r for r in target.regions if r != paused)
        steps.append(
            f"start the FIS experiments of {paused} ({', '.join(kinds) or 'none exported'}), "
            "one after the other:"
        )
        if "dynamodb" in kinds:
            steps.append(
                f"dynamodb: measure until /health of {paused} answers 503 lagging (stated "
                f"{LAG_SECONDS} s) and the probe alarms on it in {others} fire into their "
                f"topics (stated {LAG_SECONDS + PROBE_ALARM_SECONDS} s); after the pause, "
                "until /health answers 200 and the alarms clear"
            )
        if "s3" in kinds:
            steps.append(
                f"s3: write {DRILL_OBJECT!r} into {target.buckets.get(paused, 'its bucket')} "
                f"once the pause runs; measure until its replication-late alarms in {others} "
                f"fire into their topics (stated {S3_LATE_SECONDS} s), then until they clear"
            )
    return [f"{n}. {step}" for n, step in enumerate(steps, 1)]


def run_drill(target: Target, env: Env, args: argparse.Namespace) -> Report:
    """The drill; whatever happens, what it changed is put back before it returns."""
    report = Report(
        route53=target.fqdn is not None, drained=target.primary, successor=target.successor
    )
    drill = Drill(target, env, args.poll_seconds, args.timeout, args.replication_timeout, report)
    try:
        drill.preflight()
        drill.failover()
        drill.failback()
        if args.replication:
            drill.replication()
    except KeyboardInterrupt:
        report.stopped = "interrupted (Ctrl-C)"
    except DrillError as error:
        report.stopped = str(error)
    except Exception as error:  # any failure at all must still put everything back
        report.stopped = f"{type(error).__name__}: {error}"
    finally:
        drill.put_back()
    if report.stopped is None:
        report.advice = advice(target)
    elif not report.cleanup:
        report.cleanup.append("nothing was drained or started")
    return report


# --- the real clients -----------------------------------------------------------------------


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` (its certificate and SNI) at a given address: what the name's
    authoritative servers answered, with no resolver of this machine in between."""

    def __init__(self, host: str, address: str, timeout: float) -> None:
        super().__init__(host, timeout=timeout)
        self.address = address
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def http_call(
    method: str, url: str, headers: dict[str, str], body: str | None, connect_to: str | None
) -> Answer:
    """One HTTPS request; nothing answering is status 0, never an exception."""
    parts = urlparse(url)
    host = str(parts.hostname)
    if connect_to is None:
        connection: http.client.HTTPSConnection = http.client.HTTPSConnection(
            host, timeout=HTTP_TIMEOUT_SECONDS
        )
    else:
        connection = PinnedHTTPSConnection(host, connect_to, HTTP_TIMEOUT_SECONDS)
    try:
        connection.request(method, parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(MAX_BODY_BYTES)
        found = {key.lower(): value for key, value in response.getheaders()}
        status = response.status
    except (OSError, http.client.HTTPException):
        return Answer(0, {}, {})
    finally:
        connection.close()
    try:
        document = json.loads(raw)
    except ValueError:
        document = {}
    return Answer(status, found, document if isinstance(document, dict) else {})


def authoritative_resolver(name_servers: list[str]) -> Callable[[str], list[str]]:
    """A resolver that asks the zone's own name servers, with no cache: what Route 53 answers
    now. (dnspython: the standard library cannot send a query to a chosen server.)"""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [socket.gethostbyname(server) for server in name_servers]
    resolver.cache = None

    def resolve(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "A", lifetime=HTTP_TIMEOUT_SECONDS)
        except dns.exception.DNSException:
            return []
        return sorted(record.address for record in answer)

    return resolve


def real_env(target: Target, say: Callable[[str], None]) -> Env:
    """The real clock, network and AWS."""
    clients: dict[tuple[str, str], Any] = {}

    def aws(service: str, region: str) -> Any:
        if (service, region) not in clients:
            clients[service, region] = boto3.client(
                service, region_name=region, config=drain.CLIENT_CONFIG
            )
        return clients[service, region]

    def no_dns(name: str) -> list[str]:
        raise DrillError(f"no name servers to ask for {name}")

    resolve = authoritative_resolver(target.name_servers) if target.name_servers else no_dns
    return Env(time.monotonic, time.sleep, http_call, resolve, aws, say)


# --- the command ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m ops.drill",
        description="Drain the primary, measure failover and failback, undrain; compare each "
        "time with the README's figures.",
    )
    cli.add_argument(
        "--outputs", type=Path, required=True, help="a saved `pulumi stack output --json`"
    )
    cli.add_argument("--json", action="store_true", help="print the report as a JSON document")
    cli.add_argument("--dry-run", action="store_true", help="print the plan; call nothing")
    cli.add_argument(
        "--replication", action="store_true", help="also pause replication with AWS FIS"
    )
    cli.add_argument("--poll-seconds", type=float, default=DEFAULT_POLL_SECONDS)
    cli.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds each step may take (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    cli.add_argument(
        "--replication-timeout", type=float, default=DEFAULT_REPLICATION_TIMEOUT_SECONDS
    )
    return cli


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    """The command: the plan with --dry-run, otherwise the drill and its report."""
    args = parser().parse_args(argv)
    try:
        target = target_from_outputs(drain.read_outputs(args.outputs))
    except (drain.DrainError, DrillError) as error:
        print(f"drill: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    if args.dry_run:
        lines = plan(target, args.replication)
        print(json.dumps({"plan": lines}) if args.json else "\n".join(["dry run:", *lines]))
        return EXIT_OK
    say = (lambda line: print(line, file=sys.stderr)) if args.json else print
    report = run_drill(target, env or real_env(target, say), args)
    print(json.dumps(report.document(), indent=2) if args.json else report.text())
    if report.stopped is not None:
        return EXIT_INTERRUPTED if report.stopped.startswith("interrupted") else EXIT_FAILED
    return EXIT_OVER if report.outcome == "over" else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
