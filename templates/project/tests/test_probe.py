"""The probe (app/probe.py): its calls, what it publishes and records, and what `/health`
makes of it, against moto's CloudWatch and DynamoDB and a stand-in for HTTPS."""

from __future__ import annotations

import datetime
import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app import handler, probe

REGIONS = ("eu-west-1", "us-west-2", "ap-southeast-2")
HERE, FIRST, SECOND = REGIONS
TABLE = "app-items-test"
NAMESPACE = "drgen/app-test"
URLS = {region: f"https://{region}.example.test/health" for region in REGIONS}


class Server:
    """Stands in for HTTPS: answers each host as configured, and records every connection."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes] | Exception] = {}
        self.connections: list[dict[str, Any]] = []


class FakeResponse:
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    def read(self, limit: int) -> bytes:
        return self.body[:limit]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Server:
    served = Server()

    class Connection:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            self.record: dict[str, Any] = {"host": host, "port": port, "timeout": timeout}
            served.connections.append(self.record)

        def request(self, method: str, path: str, headers: dict[str, str]) -> None:
            self.record.update(method=method, path=path)
            answer = served.answers[self.record["host"]]
            if isinstance(answer, Exception):
                raise answer

        def getresponse(self) -> FakeResponse:
            status, body = served.answers[self.record["host"]]  # type: ignore[misc]
            return FakeResponse(status, body)

        def close(self) -> None:
            self.record["closed"] = True

    monkeypatch.setattr(probe.http.client, "HTTPSConnection", Connection)
    return served


def host(region: str) -> str:
    return f"{region}.example.test"


def healthy(heartbeat: object, *, checked: bool = True, status: int = 200) -> tuple[int, bytes]:
    """An answer of `/health` from a region that serves; `checked`: whether that region could
    judge its own lag."""
    answer = {
        "status": "ok" if status == 200 else "lagging",
        "serving": True,
        "heartbeat": heartbeat,
        "lagChecked": checked,
        "inSync": [SECOND],
        "ahead": [HERE],
        "sees": {HERE: True, SECOND: False},
    }
    return status, json.dumps(answer).encode()


def expected(status: int, heartbeat: float | None = None, **fields: Any) -> dict[str, Any]:
    """A sighting as the probe records it; a region that did not judge its lag adds nothing."""
    sighting = {"healthy": status == 200, "status": status, "serving": False, "heartbeat": None}
    sighting.update(inSync=[], ahead=[], sees={})
    if heartbeat is not None:
        sighting.update(serving=True, heartbeat=heartbeat, inSync=[SECOND], ahead=[HERE])
        sighting["sees"] = {HERE: True, SECOND: False}
    return {**sighting, **fields}


class TestFetch:
    def test_a_200_is_healthy_and_carries_what_lag_check_weighs(self, server: Server) -> None:
        server.answers[host(FIRST)] = healthy(1234.5)
        assert probe.fetch(URLS[FIRST]) == expected(200, 1234.5)
        (connection,) = server.connections
        assert connection == {
            "host": host(FIRST),
            "port": 443,
            "timeout": probe.TIMEOUT_SECONDS,
            "method": "GET",
            "path": "/health",
            "closed": True,
        }

    def test_calls_are_bounded_inside_route53s_window(self) -> None:
        # the checkers allow 4 s to connect: a slower region is down for them too
        assert 0 < probe.TIMEOUT_SECONDS <= 4
        assert probe.TIMEOUT_SECONDS < probe.DEADLINE_SECONDS

    @pytest.mark.parametrize(
        "body",
        [
            b"not json",
            b"\xff",
            b"[" * 100_000,
            b"[1]",
            b'{"serving": true, "heartbeat": true, "lagChecked": true}',
            b'{"serving": true, "heartbeat": "x", "lagChecked": true}',
            b"{}",
            # a region just back, whose probe has not run yet, is no reference for others
            b'{"serving": true, "heartbeat": 5.0, "lagChecked": false, "inSync": ["x"]}',
            b'{"serving": true, "heartbeat": 5.0, "ahead": ["x"]}',
            # one whose table or secret fails is none either
            b'{"serving": false, "heartbeat": 5.0, "lagChecked": true, "inSync": ["x"]}',
            b'{"serving": 1, "heartbeat": 5.0, "lagChecked": true}',
        ],
    )
    def test_an_answer_without_a_usable_heartbeat_carries_none(
        self, server: Server, body: bytes
    ) -> None:
        server.answers[host(FIRST)] = (200, body)
        sighting = probe.fetch(URLS[FIRST])
        assert sighting["healthy"] is True
        assert (sighting["heartbeat"], sighting["inSync"], sighting["ahead"]) == (None, [], [])
        assert sighting["sees"] == {}

    def test_a_503_is_unhealthy_and_still_a_reference_while_it_serves(self, server: Server) -> None:
        """A region out for lag, or drained, still says what it holds: the others need it to
        tell which end of a broken link leaves (app/handler.py's lag_check)."""
        server.answers[host(FIRST)] = healthy(1.0, status=503)
        assert probe.fetch(URLS[FIRST]) == expected(503, 1.0)

    def test_only_well_formed_fields_are_kept(self, server: Server) -> None:
        answer = {
            "serving": True,
            "heartbeat": 2,
            "lagChecked": True,
            "inSync": [SECOND, 3, None],
            "ahead": "everyone",
            "sees": {HERE: "yes", SECOND: True},
        }
        server.answers[host(FIRST)] = (200, json.dumps(answer).encode())
        assert probe.fetch(URLS[FIRST]) == expected(
            200, 2.0, inSync=[SECOND], ahead=[], sees={SECOND: True}
        )

    @pytest.mark.parametrize(
        "error",
        [TimeoutError("timed out"), ConnectionRefusedError(), http.client.BadStatusLine("")],
    )
    def test_no_answer_is_unhealthy(self, server: Server, error: Exception) -> None:
        server.answers[host(FIRST)] = error
        result = probe.fetch(URLS[FIRST])
        assert result == {"healthy": False, "error": type(error).__name__}
        assert server.connections[0]["closed"] is True

    @pytest.mark.parametrize("url", ["http://example.test/health", "https:///health"])
    def test_only_https_urls_are_called(self, url: str) -> None:
        with pytest.raises(ValueError, match="not an https URL"):
            probe.fetch(url)


class TestProbeAll:
    def test_every_target_at_once_a_bad_one_counts_as_down(self, server: Server) -> None:
        server.answers[host(FIRST)] = healthy(1.0)
        seen = probe.probe_all({FIRST: URLS[FIRST], SECOND: "ftp://nowhere"})
        assert seen == {
            FIRST: expected(200, 1.0),
            SECOND: {"healthy": False, "error": "ValueError"},
        }

    def test_a_target_that_hangs_is_down_at_the_deadline(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        release = threading.Event()

        def fetch(url: str) -> probe.Sighting:
            if url == URLS[SECOND]:
                release.wait(5)
            return {"healthy": True, "status": 200, "heartbeat": None}

        monkeypatch.setattr(probe, "fetch", fetch)
        monkeypatch.setattr(probe, "DEADLINE_SECONDS", 0.05)
        try:
            seen = probe.probe_all({FIRST: URLS[FIRST], SECOND: URLS[SECOND]})
        finally:
            release.set()
        assert seen[FIRST]["healthy"] is True
        assert seen[SECOND] == {"healthy": False, "error": "deadline"}

    def test_no_targets_is_nothing_seen(self) -> None:
        assert probe.probe_all({}) == {}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each region's table replica (moto does not replicate between them), and the probe's
    environment in HERE."""
    for key, value in {
        "AWS_REGION": HERE,
        "AWS_DEFAULT_REGION": HERE,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
        "TABLE_NAME": TABLE,
        "NAMESPACE": NAMESPACE,
        "TARGETS": json.dumps({FIRST: URLS[FIRST], SECOND: URLS[SECOND]}),
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        for region in REGIONS:
            boto3.client("dynamodb", region_name=region).create_table(
                TableName=TABLE,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield


def item(region: str, key: str) -> dict[str, Any]:
    found = boto3.client("dynamodb", region_name=region).get_item(
        TableName=TABLE, Key={"pk": {"S": key}}
    )
    return dict(found.get("Item", {}))


def published(region: str) -> dict[str, float]:
    """The latest `Healthy` datum per probed region in `region`'s CloudWatch."""
    cloudwatch = boto3.client("cloudwatch", region_name=region)
    now = datetime.datetime.now(datetime.UTC)
    values = {}
    for metric in cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]:
        assert metric["MetricName"] == probe.METRIC_NAME
        (dimension,) = metric["Dimensions"]
        assert dimension["Name"] == probe.DIMENSION
        data = cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "healthy",
                    "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Minimum"},
                }
            ],
            StartTime=now - datetime.timedelta(minutes=5),
            EndTime=now + datetime.timedelta(minutes=5),
        )["MetricDataResults"][0]["Values"]
        values[dimension["Value"]] = min(data)
    return values


@pytest.mark.usefixtures("aws")
class TestRun:
    def test_publishes_each_region_and_records_what_it_saw(
        self, server: Server, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(probe.time, "time", lambda: 1000.0)
        server.answers[host(FIRST)] = healthy(990.0)
        server.answers[host(SECOND)] = (503, b"{}")
        seen = probe.handler({"source": "aws.events"}, None)
        assert seen[FIRST]["healthy"] and not seen[SECOND]["healthy"]
        assert published(HERE) == {FIRST: 1.0, SECOND: 0.0}
        assert published(FIRST) == {}, "metrics belong to the probing region"
        assert item(HERE, f"__heartbeat__#{HERE}")["at"] == {"N": "1000.0"}
        recorded = json.loads(item(HERE, f"__seen__#{HERE}")["seen"]["S"])
        # all but the status, which `healthy` says
        assert recorded == {
            region: {**{k: v for k, v in sighting.items() if k != "status"}, "at": 1000.0}
            for region, sighting in {FIRST: expected(200, 990.0), SECOND: expected(503)}.items()
        }
        assert item(FIRST, f"__heartbeat__#{HERE}") == {}, "written in its own replica only"

    def test_a_table_it_cannot_write_still_lets_it_publish(
        self, server: Server, capsys: pytest.CaptureFixture[str]
    ) -> None:
        boto3.client("dynamodb", region_name=HERE).delete_table(TableName=TABLE)
        server.answers[host(FIRST)] = healthy(1.0)
        server.answers[host(SECOND)] = healthy(1.0)
        probe.handler({}, None)
        assert published(HERE) == {FIRST: 1.0, SECOND: 1.0}
        assert "record_failed" in capsys.readouterr().out


@pytest.mark.usefixtures("aws")
def test_a_recovered_region_stays_out_until_its_replica_catches_up(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole loop across two regions: FIRST's probe writes its heartbeat, FIRST's
    `/health` reports it, HERE's probe sees it, and HERE's `/health` fails until the
    heartbeat has replicated into HERE's replica (done here by hand: moto does not
    replicate)."""
    clock = [10_000.0]
    monkeypatch.setattr(probe.time, "time", lambda: clock[0])
    monkeypatch.setattr(handler.time, "time", lambda: clock[0])
    monkeypatch.setenv("REGIONS", ",".join(REGIONS))
    monkeypatch.setenv("SECRET_ID", "app-secret-test")
    monkeypatch.setenv("BUCKET_NAME", "app-bucket-test")  # none: the bucket does not decide
    for region in (HERE, FIRST):
        boto3.client("secretsmanager", region_name=region).create_secret(
            Name="app-secret-test", SecretString="x"
        )

    def health_in(region: str) -> dict[str, Any]:
        monkeypatch.setenv("AWS_REGION", region)
        handler.reset_caches()
        response = handler.health()
        return {"http": response["statusCode"], **json.loads(response["body"])}

    # FIRST's probe runs while HERE is down: its heartbeat lands in FIRST's replica
    monkeypatch.setenv("AWS_REGION", FIRST)
    monkeypatch.setenv("TARGETS", json.dumps({HERE: URLS[HERE]}))
    server.answers[host(HERE)] = ConnectionRefusedError()
    probe.handler({}, None)
    clock[0] += 1
    first = health_in(FIRST)
    assert (first["heartbeat"], first["lagChecked"]) == (10_000.0, True)
    # HERE comes back and its probe sees FIRST healthy, with that heartbeat
    server.answers[host(FIRST)] = (200, json.dumps(first).encode())
    server.answers[host(SECOND)] = ConnectionRefusedError()
    monkeypatch.setenv("AWS_REGION", HERE)
    monkeypatch.setenv("TARGETS", json.dumps({FIRST: URLS[FIRST], SECOND: URLS[SECOND]}))
    clock[0] += handler.MAX_LAG_SECONDS * 2
    probe.handler({}, None)
    clock[0] += 1
    behind = health_in(HERE)
    assert (behind["http"], behind["lagging"]) == (503, [FIRST])
    # replication delivers FIRST's heartbeat into HERE's replica
    heartbeat = item(FIRST, f"__heartbeat__#{FIRST}")
    boto3.client("dynamodb", region_name=HERE).put_item(TableName=TABLE, Item=heartbeat)
    caught_up = health_in(HERE)
    assert (caught_up["http"], caught_up["lagging"]) == (200, [])
    handler.reset_caches()
