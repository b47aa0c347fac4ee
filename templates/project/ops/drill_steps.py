"""The drill's steps (ops/drill.py runs them): what it observes, how it waits, and what it
puts back on every way out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ops import drain
from ops.drill_model import (
    AWS_ERRORS,
    DNS_TTL_SECONDS,
    DRAINED_HEADER,
    DRILL_ITEM,
    DRILL_OBJECT,
    FLAG_SECONDS,
    HEALTH_CHECK_SECONDS,
    LAG_SECONDS,
    PROBE_ALARM_SECONDS,
    S3_LATE_SECONDS,
    Answer,
    DrillError,
    Env,
    Measurement,
    Report,
    Target,
    pause_alarms,
)


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
