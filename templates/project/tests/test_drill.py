"""`python -m ops.drill` against a scripted world: an injected clock, resolver and HTTP client,
moto's DynamoDB and Secrets Manager (the drain flag, the secret), and botocore's Stubber for
FIS and CloudWatch (each request checked against the real API model). Nothing leaves the
machine.

The world plays a deployed stack: a region's `/health` fails HEALTH_DELAY seconds after its
flag is written, Route 53's authoritative answer moves DNS_DELAY seconds after it, and the
way back takes as long.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import boto3
import dns.exception
import dns.resolver
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from app import handler
from infra import fis as fis_module
from infra import monitoring, probes
from ops import drain, drill, drill_model, drill_steps
from tests.harness import StackRun

REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
PRIMARY, SUCCESSOR, THIRD = REGIONS
TABLE = "demo-items-dev"
SECRET = "demo-app-dev"  # pragma: allowlist secret
TOKEN = "drill-token"
FQDN = "api.example.com"
ADDRESSES = {region: f"192.0.2.{n}" for n, region in enumerate(REGIONS, 1)}
HEALTH_DELAY = 3.0
DNS_DELAY = 95.0
TOPICS = {region: f"arn:aws:sns:{region}:123456789012:demo-alarms-dev" for region in REGIONS}


def outputs(route53: bool = True, **extra: Any) -> dict[str, Any]:
    """What `pulumi stack output --json` gives for a stack of REGIONS."""
    found: dict[str, Any] = {
        "tableName": TABLE,
        "regions": REGIONS,
        "secretName": SECRET,
        "alarmTopicArns": TOPICS,
        **extra,
    }
    if route53:
        found["customUrl"] = f"https://{FQDN}/"
        found["nameServers"] = ["ns-1.awsdns-01.com"]
        found["regionalApiEndpoints"] = {
            r: f"https://{r}.execute-api.{r}.amazonaws.com" for r in REGIONS
        }
    else:
        found["urls"] = {r: f"https://{r}.lambda-url.{r}.on.aws/" for r in REGIONS}
    return found


@pytest.fixture(scope="module")
def moto() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")  # pragma: allowlist secret
        with mock_aws() as session:
            yield session


class World:
    """The deployed stack as the drill sees it, on a clock the drill's sleeps advance."""

    def __init__(self, route53: bool = True) -> None:
        self.now = 1000.0
        self.route53 = route53
        self.dynamodb = boto3.client("dynamodb", region_name=SUCCESSOR)
        self.dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        secrets = boto3.client("secretsmanager", region_name=SUCCESSOR)
        secrets.create_secret(Name=SECRET, SecretString=TOKEN)
        self.clients: dict[tuple[str, str], Any] = {}
        #: region -> when its flag last changed, and to what
        self.changed: dict[str, tuple[float, bool]] = {}
        self.unhealthy: set[str] = set()
        #: region -> from when until when its replica lags (a replication pause)
        self.lagging: dict[str, tuple[float, float]] = {}
        self.dns_delay = DNS_DELAY
        self.items: dict[str, tuple[str, str]] = {}
        self.interrupt_at: float | None = None
        self.slept = 0.0
        self.said: list[str] = []
        #: the table read once per region and moment; a write forgets it
        self.seen: dict[tuple[str, float], bool] = {}
        self.dynamodb.meta.events.register("after-call.dynamodb.PutItem", self.forget)
        self.secrets = secrets

    def forget(self, **_: Any) -> None:
        self.seen.clear()

    # the injected parts

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        assert self.slept < 5000, "the drill never gave up"
        if self.interrupt_at is not None and self.now >= self.interrupt_at:
            raise KeyboardInterrupt

    def aws(self, service: str, region: str) -> Any:
        if service == "dynamodb":
            return self.dynamodb  # moto: one table stands for the global table
        if service == "secretsmanager":
            return self.secrets
        return self.clients[service, region]

    def env(self) -> drill.Env:
        return drill.Env(
            self.clock, self.sleep, self.http, self.resolve, self.aws, self.said.append
        )

    # what it models

    def flag(self, region: str) -> bool:
        """The flag as the table holds it; its change noticed at the first look after it."""
        if (region, self.now) not in self.seen:
            found = self.dynamodb.get_item(
                TableName=TABLE, Key={"pk": {"S": drain.flag_key(region)}}, ConsistentRead=True
            )
            item = found.get("Item", {})
            self.seen[region, self.now] = bool(item.get("drained", {}).get("BOOL", False))
        drained = self.seen[region, self.now]
        if self.changed.get(region, (0.0, False))[1] != drained:
            self.changed[region] = (self.now, drained)
        return drained

    def since_change(self, region: str) -> float:
        self.flag(region)
        return self.now - self.changed.get(region, (0.0, False))[0]

    def health_fails(self, region: str) -> bool:
        if region in self.unhealthy:
            return True
        drained = self.flag(region)
        return drained == (self.since_change(region) >= HEALTH_DELAY)

    def answering(self) -> str:
        """Route 53: the first region its checks see healthy: a drained region drops out
        `dns_delay` after its flag changed, and comes back as long after it is undrained."""
        for region in REGIONS:
            drained, since = self.flag(region), self.since_change(region)
            out = (
                since >= self.dns_delay
                if drained
                else region in self.changed and since < self.dns_delay
            )
            if not out:
                return region
        return REGIONS[-1]

    def resolve(self, name: str) -> list[str]:
        assert name == FQDN
        return [ADDRESSES[self.answering()]]

    def http(
        self, method: str, url: str, headers: dict[str, str], body: str | None, to: str | None
    ) -> drill.Answer:
        if to is not None:
            region = next(r for r, address in ADDRESSES.items() if address == to)
        else:
            region = next(r for r in REGIONS if r in url)
        marked = {drill.DRAINED_HEADER: "true"} if self.health_fails(region) else {}
        if url.endswith("/health"):
            start, end = self.lagging.get(region, (0.0, 0.0))
            if start <= self.now < end:
                return drill.Answer(503, {}, {"status": "lagging", "region": region})
            if self.health_fails(region):
                status = "drained" if region not in self.unhealthy else "degraded"
                return drill.Answer(503, marked, {"status": status, "region": region})
            return drill.Answer(200, {}, {"status": "ok", "region": region})
        assert headers == {"authorization": f"Bearer {TOKEN}"}
        if method == "PUT":
            assert body is not None
            self.items[drill.DRILL_ITEM] = (body, region)
            return drill.Answer(200, marked, {"writtenIn": region})
        data, _ = self.items.get(drill.DRILL_ITEM, ("null", ""))
        return drill.Answer(200, marked, {"data": json.loads(data)})


@pytest.fixture
def world(moto: Any) -> World:
    moto.reset()
    return World()


def args(*extra: str) -> Any:
    return drill.parser().parse_args(["--outputs", "outputs.json", "--poll-seconds", "1", *extra])


def drained_flags(world: World) -> list[str]:
    return drain.drained_regions(world.dynamodb, TABLE, REGIONS)


class TestFailover:
    def test_a_scripted_failover_reports_every_time_against_the_readme(self, world: World) -> None:
        report = drill.run_drill(drill.target_from_outputs(outputs()), world.env(), args())
        assert report.stopped is None
        assert [(m.what, m.seconds, m.stated) for m in report.measurements] == [
            (f"/health of {PRIMARY} answers 503", HEALTH_DELAY, 6.0),
            (f"DNS answers with {SUCCESSOR}", DNS_DELAY, 91),
            (f"a write and a read succeed through {FQDN}", DNS_DELAY, 151),
            (f"/health of {PRIMARY} answers 200 again", HEALTH_DELAY, 6.0),
            (f"DNS answers with {PRIMARY} again", DNS_DELAY, 91),
            (f"a write and a read succeed through {FQDN} in {PRIMARY}", DNS_DELAY, 151),
        ]
        assert report.outcome == "over"  # 95 s against Route 53's stated 91 s
        assert [m.what for m in report.measurements if m.over] == [
            f"DNS answers with {SUCCESSOR}",
            f"DNS answers with {PRIMARY} again",
        ]
        assert report.cleanup == [f"undrained {PRIMARY}"]
        assert drained_flags(world) == []
        assert report.advice == [
            "clients behind caching resolvers move up to the TTL (60 s) later than the "
            "authoritative answers measured here"
        ]

    def test_within_the_stated_times_it_exits_0_in_text_and_json(
        self, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        world.dns_delay = 80.0
        saved = tmp_path / "outputs.json"
        saved.write_text(json.dumps(outputs()))
        argv = ["--outputs", str(saved), "--poll-seconds", "1"]
        assert drill.main(argv, world.env()) == drill.EXIT_OK
        text = capsys.readouterr().out.splitlines()
        assert text[0] == f"drill: {PRIMARY} -> {SUCCESSOR}: ok"
        assert text[2] == f"  DNS answers with {SUCCESSOR}: 80.0 s (stated 91 s)"
        assert text[7] == f"  undrained {PRIMARY}"
        world.now += 1000.0
        assert drill.main([*argv, "--json"], world.env()) == drill.EXIT_OK
        document = json.loads(capsys.readouterr().out)
        assert document["outcome"] == "ok"
        assert document["measurements"][1] == {
            "what": f"DNS answers with {SUCCESSOR}",
            "seconds": 80.0,
            "stated": 91,
            "over": False,
        }
        assert document["cleanup"] == [f"undrained {PRIMARY}"]

    def test_over_a_stated_time_exits_2(
        self, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        saved = tmp_path / "outputs.json"
        saved.write_text(json.dumps(outputs()))
        argv = ["--outputs", str(saved), "--poll-seconds", "1"]
        assert drill.main(argv, world.env()) == drill.EXIT_OVER
        assert "(stated 91 s)  OVER" in capsys.readouterr().out

    def test_without_route53_it_checks_the_urls_and_the_switch(self, world: World) -> None:
        report = drill.run_drill(drill.target_from_outputs(outputs(False)), world.env(), args())
        assert [(m.what, m.seconds) for m in report.measurements] == [
            (f"/health of {PRIMARY} answers 503", HEALTH_DELAY),
            (f"answers of {PRIMARY} carry x-region-drained", HEALTH_DELAY),
            (f"a write and a read succeed at {SUCCESSOR}'s URL", HEALTH_DELAY),
            (f"/health of {PRIMARY} answers 200 again", HEALTH_DELAY),
            (f"answers of {PRIMARY} no longer carry x-region-drained", HEALTH_DELAY),
        ]
        assert report.outcome == "ok"
        assert report.advice[0].startswith("no Route 53: clients must move on to the next")
        assert drained_flags(world) == []


class TestAborts:
    """Every way out undrains what the drill drained, and says so."""

    def run(self, world: World, *extra: str, route53: bool = True, **more: Any) -> Any:
        target = drill.target_from_outputs(outputs(route53, **more))
        report = drill.run_drill(target, world.env(), args(*extra))
        assert drained_flags(world) == [], "the drill left a region drained"
        return report

    def test_an_unhealthy_region_before_the_start(self, world: World) -> None:
        world.unhealthy.add(THIRD)
        report = self.run(world)
        assert report.stopped == (
            f"{THIRD} is not healthy before the start (/health answered 503, degraded): "
            "not starting"
        )
        assert report.cleanup == ["nothing was drained or started"]
        assert world.changed == {}, "it drained before checking"

    def test_a_region_that_answers_nothing(self, world: World, monkeypatch: Any) -> None:
        monkeypatch.setattr(world, "http", lambda *a: drill.Answer(0, {}, {}))
        report = self.run(world)
        assert report.stopped == (
            f"{PRIMARY} is not healthy before the start (/health answered nothing): not starting"
        )

    def test_a_region_drained_already(self, world: World) -> None:
        drain.set_drained(world.dynamodb, TABLE, THIRD, True, by="someone")
        report = drill.run_drill(drill.target_from_outputs(outputs()), world.env(), args())
        assert report.stopped == (
            f"{THIRD} drained already: undo it first (python -m ops.drain --undo {THIRD}); "
            "not starting"
        )
        assert drained_flags(world) == [THIRD], "the drill undid someone else's drain"

    def test_the_name_not_on_the_primary(self, world: World, monkeypatch: Any) -> None:
        monkeypatch.setattr(world, "resolve", lambda name: [])
        report = self.run(world)
        assert report.stopped == (
            f"{FQDN} answers with nothing, not the primary {PRIMARY}: not starting"
        )

    def test_ctrl_c(self, world: World, tmp_path: Path, capsys: Any) -> None:
        world.interrupt_at = world.now + 30
        saved = tmp_path / "outputs.json"
        saved.write_text(json.dumps(outputs()))
        code = drill.main(["--outputs", str(saved), "--poll-seconds", "1"], world.env())
        assert code == drill.EXIT_INTERRUPTED
        out = capsys.readouterr().out
        assert f"  undrained {PRIMARY}\nstopped: interrupted (Ctrl-C)" in out
        assert drained_flags(world) == []

    def test_dns_that_never_moves_times_out(self, world: World) -> None:
        world.dns_delay = float("inf")
        report = self.run(world, "--timeout", "120")
        assert report.stopped == f"DNS answers with {SUCCESSOR}: not after 120 s"
        assert report.cleanup == [f"undrained {PRIMARY}"]
        assert [m.what for m in report.measurements] == [f"/health of {PRIMARY} answers 503"]

    def test_any_error(self, world: World, monkeypatch: Any) -> None:
        calls = [0]
        real = world.http

        def failing(*request: Any) -> drill.Answer:
            calls[0] += 1
            if calls[0] > len(REGIONS) + 3:
                raise RuntimeError("the network went away")
            return real(*request)

        monkeypatch.setattr(world, "http", failing)
        report = self.run(world)
        assert report.stopped == "RuntimeError: the network went away"
        assert report.cleanup == [f"undrained {PRIMARY}"]

    def test_an_undrain_that_fails_says_how_to_do_it(self, world: World, monkeypatch: Any) -> None:
        world.dns_delay = float("inf")
        target = drill.target_from_outputs(outputs())
        real = drain.set_drained

        def refuse_undo(client: Any, table: str, region: str, drained: bool, *, by: str) -> None:
            if not drained:
                raise drill_model.ClientError({"Error": {"Code": "InternalServerError"}}, "PutItem")
            real(client, table, region, drained, by=by)

        monkeypatch.setattr(drain, "set_drained", refuse_undo)
        report = drill.run_drill(target, world.env(), args("--timeout", "10"))
        assert report.cleanup == [
            f"could not undrain {PRIMARY} (An error occurred (InternalServerError) when calling "
            f"the PutItem operation: Unknown): run python -m ops.drain --undo --via {SUCCESSOR} "
            f"{PRIMARY}"
        ]


#: The region a replication drill pauses: the last in failover order.
PAUSED = REGIONS[-1]
OTHERS = [r for r in REGIONS if r != PAUSED]
FIS_TEMPLATES = {PAUSED: {"dynamodb": "EXT1dynamodb", "s3": "EXT2s3"}}
BUCKETS = {region: f"demo-bucket-{region}-dev" for region in REGIONS}
NAMES = {
    "dynamodb": [f"demo-unreachable-{PAUSED}-from-{other}-dev" for other in OTHERS],
    "s3": [f"demo-replication-late-{PAUSED}-{other}-dev" for other in OTHERS],
}


def alarm(name: str, state: str, region: str) -> dict[str, Any]:
    return {"AlarmName": name, "StateValue": state, "AlarmActions": [TOPICS[region]]}


class Replication:
    """Stubbed FIS and S3 in the paused region and CloudWatch in every other, answering in
    order."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.stubs: dict[tuple[str, str], Stubber] = {}
        clients = [("fis", PAUSED), ("s3", PAUSED), *(("cloudwatch", r) for r in OTHERS)]
        for service, region in clients:
            client = boto3.client(service, region_name=region)
            world.clients[service, region] = client
            self.stubs[service, region] = Stubber(client)
            self.stubs[service, region].activate()

    def start(self, template: str, experiment: str) -> None:
        self.stubs["fis", PAUSED].add_response(
            "start_experiment",
            {"experiment": {"id": experiment}},
            {"experimentTemplateId": template, "clientToken": ANY},
        )

    def status(self, experiment: str, status: str, reason: str = "") -> None:
        state = {"status": status, "reason": reason} if reason else {"status": status}
        self.stubs["fis", PAUSED].add_response(
            "get_experiment", {"experiment": {"id": experiment, "state": state}}, {"id": experiment}
        )

    def stop(self, experiment: str, error: bool = False) -> None:
        if error:
            self.stubs["fis", PAUSED].add_client_error(
                "stop_experiment", "ValidationException", "not running"
            )
        else:
            self.stubs["fis", PAUSED].add_response(
                "stop_experiment", {"experiment": {"id": experiment}}, {"id": experiment}
            )

    def put(self) -> None:
        self.stubs["s3", PAUSED].add_response(
            "put_object",
            {},
            {"Bucket": BUCKETS[PAUSED], "Key": drill.DRILL_OBJECT, "Body": ANY},
        )

    def alarms(self, kind: str, *states: str, actions: bool = True) -> None:
        """One round of describe_alarms for a kind: the alarm of each other region, in the
        state given for it (one state: all of them)."""
        for region, name, state in zip(OTHERS, NAMES[kind], states * len(OTHERS), strict=False):
            found = alarm(name, state, region)
            if not actions:
                found["AlarmActions"] = ["arn:aws:sns:us-east-1:123456789012:someone-else"]
            self.stubs["cloudwatch", region].add_response(
                "describe_alarms",
                {"MetricAlarms": [found]},
                {"AlarmNames": [name], "AlarmTypes": ["MetricAlarm"]},
            )

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def replication_drill(world: World, **extra: Any) -> drill_steps.Drill:
    saved = {"fisTemplates": FIS_TEMPLATES, "bucketNames": BUCKETS, **extra}
    target = drill.target_from_outputs(outputs(**saved))
    report = drill.Report(route53=True, drained=PRIMARY, successor=SUCCESSOR)
    return drill_steps.Drill(target, world.env(), 1.0, 600.0, 600.0, report)


class TestReplication:
    def test_a_pause_trips_what_it_must_then_all_clears(self, world: World) -> None:
        """DynamoDB: the paused region leaves as lagging and every other region's probe pages
        about it; S3: an object written into the paused bucket is late everywhere else."""
        world.lagging[PAUSED] = (world.now + 4, world.now + 9)
        fis = Replication(world)
        fis.start("EXT1dynamodb", "EXP1")
        fis.alarms("dynamodb", "OK", "ALARM")  # one region has paged, not yet the other
        fis.alarms("dynamodb", "ALARM")
        fis.status("EXP1", "running")
        fis.status("EXP1", "completed")
        fis.alarms("dynamodb", "OK")
        fis.start("EXT2s3", "EXP2")
        fis.status("EXP2", "running")
        fis.put()
        fis.alarms("s3", "OK")
        fis.alarms("s3", "ALARM")
        fis.status("EXP2", "completed")
        fis.alarms("s3", "ALARM", "OK")
        fis.alarms("s3", "OK")
        run = replication_drill(world)
        run.replication()
        fis.done()
        others = ", ".join(OTHERS)
        assert [(m.what, m.seconds, m.stated) for m in run.report.measurements] == [
            (f"/health of {PAUSED} answers 503 lagging", 4.0, drill.LAG_SECONDS),
            (
                f"dynamodb: the probe alarms on {PAUSED} in {others} fire into their topics",
                5.0,
                drill.LAG_SECONDS + drill.PROBE_ALARM_SECONDS,
            ),
            (f"/health of {PAUSED} answers 200 again", 3.0, None),
            ("dynamodb: the alarms clear", 3.0, None),
            (
                f"s3: the replication-late alarms on {PAUSED} in {others} fire into their topics",
                1.0,
                drill.S3_LATE_SECONDS,
            ),
            ("s3: the alarms clear", 1.0, None),
        ]
        assert run.experiments == []
        assert f"wrote {drill.DRILL_OBJECT} into {BUCKETS[PAUSED]}" in world.said
        assert "no stated figure" in run.report.text()

    def test_the_figures_are_the_stacks_own(self) -> None:
        assert drill.LAG_SECONDS == (
            fis_module.DYNAMODB_PAUSE_DELAY_MINUTES * 60
            + handler.MAX_LAG_SECONDS
            + 2 * handler.PROBE_INTERVAL_SECONDS
        )
        assert drill.PROBE_ALARM_SECONDS == (
            probes.ALARM_EVALUATION_PERIODS * probes.ALARM_PERIOD_SECONDS
            + probes.PROBE_INTERVAL_SECONDS
        )
        assert drill.S3_LATE_SECONDS == (monitoring.REPLICATION_MINUTES + 5) * 60
        # the pause outlasts what it must trip
        assert fis_module.PAUSE_MINUTES * 60 >= drill.LAG_SECONDS + drill.PROBE_ALARM_SECONDS
        assert fis_module.PAUSE_MINUTES * 60 >= drill.S3_LATE_SECONDS

    def test_an_alarm_that_notifies_no_stack_topic_does_not_count(self, world: World) -> None:
        world.lagging[PAUSED] = (world.now, world.now + 100)
        fis = Replication(world)
        fis.start("EXT1dynamodb", "EXP1")
        for _ in range(3):  # at 0 s, 1 s, and once more past the limit
            fis.alarms("dynamodb", "ALARM", actions=False)
        run = replication_drill(world)
        run.replication_timeout = 1.0
        with pytest.raises(drill.DrillError, match="fire into their topics: not after 1 s"):
            run.pause(world.clients["fis", PAUSED], PAUSED, "dynamodb", "EXT1dynamodb")
        fis.stop("EXP1")
        run.put_back()
        fis.done()
        assert run.report.cleanup == ["stopped FIS experiment EXP1"]

    def test_a_failed_experiment_stops_the_drill_and_is_not_stopped_again(
        self, world: World
    ) -> None:
        world.lagging[PAUSED] = (world.now, world.now + 100)
        fis = Replication(world)
        fis.start("EXT1dynamodb", "EXP1")
        fis.alarms("dynamodb", "ALARM")
        fis.status("EXP1", "failed", "the stop condition fired")
        run = replication_drill(world)
        with pytest.raises(
            drill.DrillError, match="FIS experiment EXP1 failed: the stop condition"
        ):
            run.replication()
        run.put_back()
        fis.done()
        assert run.experiments == [] and run.report.cleanup == []

    def test_an_experiment_that_cannot_be_stopped_says_how(self, world: World) -> None:
        fis = Replication(world)
        fis.stop("EXP9", error=True)
        run = replication_drill(world)
        run.experiments.append((PAUSED, "EXP9"))
        run.put_back()
        assert run.report.cleanup[0].startswith("could not stop FIS experiment EXP9 (")
        assert run.report.cleanup[0].endswith(
            f"stop it with aws fis stop-experiment --region {PAUSED} --id EXP9"
        )

    @pytest.mark.parametrize(
        ("extra", "error"),
        [
            ({"fisTemplates": {}}, f"the outputs have no fisTemplates for {PAUSED}"),
            (
                {"fisTemplates": {PAUSED: {"s3": "EXT2s3"}}, "bucketNames": {}},
                f"the outputs have no bucketNames for {PAUSED}",
            ),
        ],
        ids=["no-templates", "no-bucket"],
    )
    def test_outputs_without_what_it_needs_are_refused(
        self, world: World, extra: dict[str, Any], error: str
    ) -> None:
        fis = Replication(world)
        if "bucketNames" in extra:
            fis.start("EXT2s3", "EXP2")
            fis.stop("EXP2")
        run = replication_drill(world, **extra)
        with pytest.raises(drill.DrillError, match=error):
            run.replication()
        run.put_back()
        fis.done()

    def test_the_whole_drill_with_replication_puts_back_on_a_timeout(self, world: World) -> None:
        world.dns_delay = 50.0
        fis = Replication(world)
        fis.start("EXT1dynamodb", "EXP1")
        fis.stop("EXP1")
        saved = {"fisTemplates": FIS_TEMPLATES, "bucketNames": BUCKETS}
        target = drill.target_from_outputs(outputs(**saved))
        report = drill.run_drill(
            target, world.env(), args("--replication", "--replication-timeout", "1")
        )
        fis.done()
        assert report.stopped == f"/health of {PAUSED} answers 503 lagging: not after 1 s"
        assert report.cleanup == [f"undrained {PRIMARY}", "stopped FIS experiment EXP1"]


class TestPlan:
    def test_dry_run_prints_the_plan_and_calls_nothing(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        saved = tmp_path / "outputs.json"
        saved.write_text(json.dumps(outputs(fisTemplates=FIS_TEMPLATES)))

        def nothing(*args: Any) -> Any:
            raise AssertionError(f"a dry run called {args}")

        env = drill.Env(nothing, nothing, nothing, nothing, nothing, nothing)
        assert drill.main(["--outputs", str(saved), "--dry-run", "--replication"], env) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0] == "dry run:"
        assert f"3. drain {PRIMARY} through {SUCCESSOR}'s DynamoDB endpoint ('{TABLE}')" in out
        assert f"5. measure until {FQDN} answers with {SUCCESSOR} (stated 91 s)" in out
        assert f"start the FIS experiments of {PAUSED} (dynamodb, s3)" in out
        assert drill.main(["--outputs", str(saved), "--dry-run", "--json"], env) == 0
        assert json.loads(capsys.readouterr().out)["plan"][0].startswith("1. check /health of")

    def test_the_plan_without_route53(self) -> None:
        lines = drill.plan(drill.target_from_outputs(outputs(False)), replication=True)
        assert lines[2] == f"3. measure until /health of {PRIMARY} answers 503 (stated 6 s)"
        assert lines[3] == f"4. measure until answers of {PRIMARY} carry x-region-drained: true"
        assert lines[-1].startswith(f"7. start the FIS experiments of {PAUSED} (none exported)")

    @pytest.mark.parametrize(
        ("saved", "error"),
        [
            ({"tableName": TABLE, "regions": REGIONS}, "the outputs have no 'urls'"),
            ({**outputs(), "nameServers": None}, "the outputs are not what this version"),
        ],
        ids=["no-urls", "bad-name-servers"],
    )
    def test_outputs_it_cannot_use_are_one_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], saved: Any, error: str
    ) -> None:
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps(saved))
        assert drill.main(["--outputs", str(path)]) == drill.EXIT_FAILED
        err = capsys.readouterr().err
        assert err.startswith(f"drill: error: {error}") and err.count("\n") == 1


def test_the_drill_reads_the_real_stack_outputs(stack: StackRun) -> None:
    target = drill.target_from_outputs(json.loads(json.dumps(stack.exports)))
    assert target.regions == stack.regions
    assert set(target.health) == set(stack.regions)
    assert all(
        url.startswith("https://") and url.endswith("/health") for url in target.health.values()
    )
    assert target.secret_name == stack.exports["secretName"]
    route53 = f"{stack.project}:hostedZoneId" in stack.config
    assert (target.fqdn is not None) == route53
    # the alarms a replication drill waits for are the stack's own, in their regions
    alarms = stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    names = {(r.region, r.inputs["name"]) for r in alarms}
    for kind in ("dynamodb", "s3"):
        wanted = set(drill_model.pause_alarms(target, kind, target.regions[-1]))
        assert wanted <= names, f"the drill waits for alarms the stack lacks: {wanted - names}"
    assert set(target.buckets) == set(target.regions)


def test_the_drill_and_the_handler_agree() -> None:
    assert drill.DRAINED_HEADER == handler.DRAINED_HEADER
    assert drill.FLAG_SECONDS == drain.REPLICATION_SECONDS + handler.DRAIN_CACHE_SECONDS


class FakeResponse:
    status = 200

    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, limit: int) -> bytes:
        return self.body[:limit]

    def getheaders(self) -> list[tuple[str, str]]:
        return [("X-Region-Drained", "true")]


class FakeConnection:
    """http.client's connection, answering what the test gives it."""

    made: ClassVar[list[FakeConnection]] = []
    body = b'{"region": "us-east-1"}'
    fail = False

    def __init__(self, host: str, *rest: Any, timeout: float) -> None:
        self.host, self.rest, self.timeout = host, rest, timeout
        self.sent: tuple[Any, ...] = ()
        self.closed = False
        FakeConnection.made.append(self)

    def request(self, method: str, path: str, body: Any = None, headers: Any = None) -> None:
        if self.fail:
            raise ConnectionRefusedError
        self.sent = (method, path, body, headers)

    def getresponse(self) -> FakeResponse:
        return FakeResponse(self.body)

    def close(self) -> None:
        self.closed = True


class TestRealClients:
    def test_http_call(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(drill.http.client, "HTTPSConnection", FakeConnection)
        answer = drill.http_call("GET", "https://h.example/health", {}, None, None)
        assert answer == drill.Answer(200, {"x-region-drained": "true"}, {"region": "us-east-1"})
        made = FakeConnection.made[-1]
        assert (made.host, made.timeout, made.sent[:2], made.closed) == (
            "h.example",
            drill.HTTP_TIMEOUT_SECONDS,
            ("GET", "/health"),
            True,
        )
        assert drill.http_call("GET", "https://h.example", {}, None, None).status == 200
        assert FakeConnection.made[-1].sent[1] == "/"
        monkeypatch.setattr(FakeConnection, "body", b"[1]")
        assert drill.http_call("GET", "https://h.example/", {}, None, None).body == {}
        monkeypatch.setattr(FakeConnection, "body", b"<html>")
        assert drill.http_call("GET", "https://h.example/", {}, None, None).body == {}
        monkeypatch.setattr(FakeConnection, "fail", True)
        assert drill.http_call("GET", "https://h.example/", {}, None, None) == drill.Answer(
            0, {}, {}
        )

    def test_a_pinned_connection_verifies_the_name_at_the_given_address(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        opened: list[Any] = []
        monkeypatch.setattr(drill.socket, "create_connection", lambda *a: opened.append(a) or "raw")
        connection = drill.PinnedHTTPSConnection(FQDN, "192.0.2.7", 3.0)
        wrapped: list[Any] = []
        monkeypatch.setattr(
            connection.tls,
            "wrap_socket",
            lambda raw, server_hostname: wrapped.append((raw, server_hostname)) or "tls",
        )
        connection.connect()
        assert opened == [(("192.0.2.7", 443), 3.0)]
        assert wrapped == [("raw", FQDN)] and connection.sock == "tls"
        assert connection.tls.check_hostname and connection.tls.verify_mode.name == "CERT_REQUIRED"

    def test_http_call_pins_the_address_it_is_given(self, monkeypatch: pytest.MonkeyPatch) -> None:
        made: list[Any] = []

        class Pinned(FakeConnection):
            def __init__(self, host: str, address: str, timeout: float) -> None:
                super().__init__(host, address, timeout=timeout)
                made.append(address)

        monkeypatch.setattr(drill, "PinnedHTTPSConnection", Pinned)
        drill.http_call("PUT", f"https://{FQDN}/items/x", {"a": "b"}, "{}", "192.0.2.9")
        assert made == ["192.0.2.9"]
        assert FakeConnection.made[-1].sent == ("PUT", "/items/x", "{}", {"a": "b"})

    def test_the_resolver_asks_the_authoritative_servers_without_a_cache(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(drill.socket, "gethostbyname", lambda name: f"198.51.100.{len(name)}")
        asked: list[Any] = []

        class Record:
            def __init__(self, address: str) -> None:
                self.address = address

        def resolve(self: Any, name: str, kind: str, lifetime: float) -> list[Record]:
            asked.append((list(self.nameservers), self.cache, name, kind, lifetime))
            if name == "gone.example.com":
                raise dns.resolver.NXDOMAIN
            return [Record("192.0.2.2"), Record("192.0.2.1")]

        monkeypatch.setattr(dns.resolver.Resolver, "resolve", resolve)
        found = drill.authoritative_resolver(["ns-1.awsdns-01.com"])
        assert found(FQDN) == ["192.0.2.1", "192.0.2.2"]
        assert asked == [(["198.51.100.18"], None, FQDN, "A", drill.HTTP_TIMEOUT_SECONDS)]
        assert found("gone.example.com") == []
        assert issubclass(dns.resolver.NXDOMAIN, dns.exception.DNSException)

    def test_the_real_env(self, moto: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(drill, "authoritative_resolver", lambda servers: lambda name: servers)
        with_dns = drill.real_env(drill.target_from_outputs(outputs()), print)
        assert with_dns.resolve(FQDN) == ["ns-1.awsdns-01.com"]
        assert with_dns.aws("dynamodb", PRIMARY) is with_dns.aws("dynamodb", PRIMARY)
        assert with_dns.aws("dynamodb", PRIMARY).meta.region_name == PRIMARY
        without = drill.real_env(drill.target_from_outputs(outputs(False)), print)
        with pytest.raises(drill.DrillError, match="no name servers to ask for x"):
            without.resolve("x")

    def test_main_makes_the_real_env_when_none_is_given(
        self, moto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
    ) -> None:
        moto.reset()
        World()  # the table and the secret
        saved = tmp_path / "outputs.json"
        saved.write_text(json.dumps(outputs(False)))
        monkeypatch.setattr(drill, "http_call", lambda *a: drill.Answer(0, {}, {}))
        assert drill.main(["--outputs", str(saved), "--json"]) == drill.EXIT_FAILED
        assert json.loads(capsys.readouterr().out)["stopped"].startswith(
            f"{PRIMARY} is not healthy"
        )

    def test_runs_as_a_module(self, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
        import runpy

        monkeypatch.setattr(sys, "argv", ["ops.drill", "--help"])
        monkeypatch.delitem(sys.modules, "ops.drill")
        with pytest.raises(SystemExit) as exited:
            runpy.run_module("ops.drill", run_name="__main__")
        assert exited.value.code == 0
        assert "--replication" in capsys.readouterr().out
