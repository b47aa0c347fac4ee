"""The regional service against moto's S3, DynamoDB and Secrets Manager."""

from __future__ import annotations

import base64
import functools
import json
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from app import handler
from infra.compute import TIMEOUT_SECONDS
from infra.probes import PROBE_INTERVAL_SECONDS

REGION = "eu-west-1"
#: The other region of the stack the handler tests run in.
OTHER = "us-west-2"
TABLE = "app-items-test"
BUCKET = "app-bucket-test"
SECRET_ID = "app-secret-test"
TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def moto() -> Iterator[Any]:
    """One moto session for the module (starting moto is the slow part); reset per test."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            # moto's fake credentials
            "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
            "TABLE_NAME": TABLE,
            "BUCKET_NAME": BUCKET,
            "SECRET_ID": SECRET_ID,
            "REGIONS": f"{REGION},{OTHER}",
        }.items():
            patch.setenv(key, value)
        with mock_aws() as session:
            patch.setattr(handler, "boto3", HandlerBoto3())
            yield session
    aws_client.cache_clear()


#: What else decides which endpoint a client calls.
CLIENT_ENVIRONMENT = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")


class HandlerBoto3:
    """boto3 as the handler sees it in this module: `boto3.client` returns one client per
    service, region and environment above. The handler still makes its clients after every
    `reset_caches()`; a client holds no AWS state (moto keeps it), and making one costs more
    than most tests."""

    def __init__(self) -> None:
        self.clients: dict[tuple[object, ...], Any] = {}

    def client(
        self, service: str, region_name: str | None = None, config: Config | None = None
    ) -> Any:
        environment = (os.environ.get(name) for name in CLIENT_ENVIRONMENT)
        key = (service, region_name, id(config), *environment)
        if key not in self.clients:
            self.clients[key] = boto3.client(service, region_name=region_name, config=config)
        return self.clients[key]


@functools.cache
def aws_client(service: str, region: str = REGION) -> Any:
    """The tests' own client, made once per module: making one costs more than most tests,
    and a client outlives `moto.reset()` (moto keeps the state, not the client)."""
    return boto3.client(service, region_name=region)


def create_region(region: str) -> None:
    """A region's table replica, bucket and secret replica, as the stack deploys them."""
    aws_client("dynamodb", region).create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    aws_client("s3", region).create_bucket(
        Bucket=f"{BUCKET}-{region}", CreateBucketConfiguration={"LocationConstraint": region}
    )
    aws_client("secretsmanager", region).create_secret(Name=SECRET_ID, SecretString=TOKEN)


@pytest.fixture
def aws(moto: Any) -> Iterator[None]:
    """This region's table, bucket and secret, fresh for every test."""
    moto.reset()
    handler.reset_caches()
    create_region(REGION)
    aws_client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    yield
    handler.reset_caches()


def request(
    method: str, path: str, body: str | None = None, token: str | None = TOKEN, **extra: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": path,
        "requestContext": {"http": {"method": method}},
        "headers": {"Authorization": f"Bearer {token}"} if token else None,
        **extra,
    }
    if body is not None:
        event["body"] = body
    response = handler.handler(event, None)
    return {"http": response["statusCode"], **json.loads(response["body"])}


@pytest.mark.usefixtures("aws")
class TestHealth:
    def test_reports_region_and_reachable_dependencies(self) -> None:
        assert request("GET", "/health", token=None) == {
            "http": 200,
            "status": "ok",
            "region": REGION,
            "checks": {"table": True, "bucket": True, "secret": True},
            "serving": True,
            "lagging": [],
            "inSync": [],
            "ahead": [],
            "sees": {},
            "lagChecked": False,
            "drained": False,
            "heartbeat": None,
        }

    def test_is_degraded_when_a_dependency_is_gone(self) -> None:
        aws_client("s3").delete_bucket(Bucket=BUCKET)
        aws_client("secretsmanager").delete_secret(
            SecretId=SECRET_ID, ForceDeleteWithoutRecovery=True
        )
        result = request("GET", "/health", token=None)
        assert result["http"] == 503
        assert result["status"] == "degraded"
        assert result["checks"] == {"table": True, "bucket": False, "secret": False}

    def test_an_s3_only_problem_is_reported_but_fails_nothing_over(self) -> None:
        # no route reads or writes S3: failing over for it would move everyone for nothing
        aws_client("s3").delete_bucket(Bucket=BUCKET)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["status"]) == (200, "ok")
        assert result["checks"] == {"table": True, "bucket": False, "secret": True}

    def test_is_degraded_when_the_table_is_gone(self) -> None:
        aws_client("dynamodb").delete_table(TableName=TABLE)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["checks"]) == (
            503,
            {"table": False, "bucket": True, "secret": True},
        )

    def test_probes_the_data_plane_only(self) -> None:
        calls: list[str] = []

        def record(model: Any, **_: Any) -> None:
            calls.append(f"{model.service_model.service_name}:{model.name}")

        for service in ("dynamodb", "s3", "secretsmanager"):
            handler._client(service).meta.events.register(f"before-call.{service}", record)
        try:
            assert request("GET", "/health", token=None)["http"] == 200
        finally:  # the clients outlive this test
            for service in ("dynamodb", "s3", "secretsmanager"):
                handler._client(service).meta.events.unregister(f"before-call.{service}", record)
        # no DescribeTable: a control-plane call with its own throttling
        assert sorted(calls) == [
            "dynamodb:BatchGetItem",
            "s3:HeadBucket",
            "secretsmanager:GetSecretValue",
        ]

    def test_only_answers_get(self) -> None:
        assert request("POST", "/health")["http"] == 405


NOW = 1_800_000_000.0


def put_probe_items(*, seen: dict[str, Any] | None = None, **heartbeats: float) -> None:
    """What the probes leave in this region's replica: this region's sightings (if any), and
    the local copy of each region's heartbeat given (`us_west_2=...`)."""
    table = aws_client("dynamodb")
    if seen is not None:
        table.put_item(
            TableName=TABLE,
            Item={"pk": {"S": f"{handler.SEEN_PREFIX}{REGION}"}, "seen": {"S": json.dumps(seen)}},
        )
    for region, at in heartbeats.items():
        table.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": handler.HEARTBEAT_PREFIX + region.replace("_", "-")},
                "at": {"N": repr(at)},
            },
        )


def sighting(
    heartbeat: float | None,
    *,
    healthy: bool = True,
    serving: bool | None = None,
    age: float = 30.0,
    in_sync: list[str] | None = None,
    ahead: list[str] | None = None,
    sees_us: bool = True,
) -> Any:
    """What this region's probe recorded of OTHER: by default a healthy region that holds
    nobody current (it has no view of this one) and saw this one healthy."""
    return {
        OTHER: {
            "healthy": healthy,
            "serving": healthy if serving is None else serving,
            "heartbeat": heartbeat,
            "inSync": in_sync or [],
            "ahead": ahead or [],
            "sees": {REGION: sees_us},
            "at": NOW - age,
        }
    }


@pytest.mark.usefixtures("aws")
class TestReplicationLag:
    """`/health` keeps a region out while its replica lags behind a healthy region."""

    @pytest.fixture(autouse=True)
    def clock(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(handler.time, "time", lambda: NOW)

    def test_reports_its_own_heartbeat_as_its_replica_holds_it(self) -> None:
        put_probe_items(eu_west_1=NOW - 20)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["heartbeat"]) == (200, NOW - 20)

    def test_a_replica_behind_a_healthy_region_answers_503_naming_it(self) -> None:
        behind = handler.MAX_LAG_SECONDS + 1
        put_probe_items(seen=sighting(NOW - 10), us_west_2=NOW - 10 - behind)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["status"], result["lagging"]) == (503, "lagging", [OTHER])
        assert result["lagChecked"] is True
        assert result["checks"] == {"table": True, "bucket": True, "secret": True}

    def test_a_heartbeat_not_yet_replicated_at_all_is_lag(self) -> None:
        put_probe_items(seen=sighting(NOW - 10))
        assert request("GET", "/health", token=None)["lagging"] == [OTHER]

    def test_lag_within_the_limit_is_healthy(self) -> None:
        put_probe_items(seen=sighting(NOW - 10), us_west_2=NOW - 10 - handler.MAX_LAG_SECONDS)
        assert request("GET", "/health", token=None)["http"] == 200

    def test_a_newer_local_copy_is_healthy(self) -> None:
        put_probe_items(seen=sighting(NOW - 70), us_west_2=NOW - 10)
        assert request("GET", "/health", token=None)["http"] == 200

    @pytest.mark.parametrize(
        "seen",
        [
            sighting(NOW - 10, healthy=False),
            sighting(NOW - 10, healthy=True, serving=False),
            sighting(None),
            sighting(NOW - 10, age=handler.SIGHTING_TTL_SECONDS + 1),
        ],
        ids=["other-region-down", "not-serving", "no-heartbeat-reported", "stale-sighting"],
    )
    def test_what_a_broken_or_stopped_probe_leaves_keeps_nobody_out(self, seen: Any) -> None:
        put_probe_items(seen=seen, us_west_2=NOW - 3600)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["lagging"]) == (200, [])
        # judged only on a recent sighting: others' probes take no heartbeat from it otherwise
        assert result["lagChecked"] is (seen[OTHER]["at"] >= NOW - handler.SIGHTING_TTL_SECONDS)

    def test_the_probe_interval_is_infra_probes(self) -> None:
        assert handler.PROBE_INTERVAL_SECONDS == PROBE_INTERVAL_SECONDS

    def test_a_region_ahead_that_is_out_is_no_reason_to_leave(self) -> None:
        """Drained, or out for its own lag: it still serves and is reported ahead, but
        yielding to it could leave nothing serving."""
        seen = sighting(NOW - 10, healthy=False, serving=True)
        put_probe_items(seen=seen, us_west_2=NOW - 3600)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["ahead"], result["lagging"]) == (200, [OTHER], [])

    @pytest.mark.parametrize(
        ("order", "sees_us", "http"),
        [
            ([REGION, OTHER], True, 200),
            ([OTHER, REGION], True, 503),
            ([REGION, OTHER], False, 503),
        ],
        ids=["earlier-stays", "later-leaves", "seen-out-stays-out"],
    )
    def test_a_link_broken_both_ways_takes_one_end_out(
        self, monkeypatch: pytest.MonkeyPatch, order: list[str], sees_us: bool, http: int
    ) -> None:
        """OTHER sees this region ahead as this region sees OTHER: neither holds more regions
        current, so the one OTHER saw out stays out, or else the later one leaves."""
        monkeypatch.setenv("REGIONS", ",".join(order))
        seen = sighting(NOW - 10, ahead=[REGION], sees_us=sees_us)
        put_probe_items(seen=seen, us_west_2=NOW - 3600)
        result = request("GET", "/health", token=None)
        assert (result["http"], result["ahead"]) == (http, [OTHER])
        assert result["lagging"] == ([OTHER] if http == 503 else [])

    def test_both_ways_the_end_holding_more_regions_current_stays(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("REGIONS", f"{REGION},{OTHER}")
        seen = sighting(NOW - 10, ahead=[REGION], in_sync=["ap-south-1"])
        put_probe_items(seen=seen, us_west_2=NOW - 3600)
        assert request("GET", "/health", token=None)["http"] == 503

    @pytest.mark.parametrize(
        ("behind", "http"),
        [
            (handler.MAX_LAG_SECONDS + handler.CONFIRM_SECONDS, 200),
            (handler.MAX_LAG_SECONDS + handler.CONFIRM_SECONDS + 1, 503),
        ],
    )
    def test_behind_a_region_that_holds_it_current_it_leaves_once_confirmed(
        self, behind: float, http: int
    ) -> None:
        """A link only into this region, or one broken both ways whose other end has not
        reported it yet: leaving at once would take both ends out for a minute."""
        seen = sighting(NOW - 10, in_sync=[REGION])
        put_probe_items(seen=seen, us_west_2=NOW - 10 - behind)
        assert request("GET", "/health", token=None)["http"] == http

    def test_once_out_it_stays_out_while_it_lags(self) -> None:
        seen = sighting(NOW - 10, in_sync=[REGION], sees_us=False)
        put_probe_items(seen=seen, us_west_2=NOW - 10 - handler.MAX_LAG_SECONDS - 1)
        assert request("GET", "/health", token=None)["http"] == 503

    def test_a_dependency_failure_outranks_lag(self) -> None:
        put_probe_items(seen=sighting(NOW - 10))
        aws_client("secretsmanager").delete_secret(
            SecretId=SECRET_ID, ForceDeleteWithoutRecovery=True
        )
        result = request("GET", "/health", token=None)
        assert (result["http"], result["status"], result["lagging"]) == (
            503,
            "degraded",
            [OTHER],
        )

    def test_a_heartbeat_left_unprocessed_counts_for_nothing(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        put_probe_items(seen=sighting(NOW - 10))
        dynamodb = handler._client("dynamodb")
        real = dynamodb.batch_get_item

        def throttled(**kwargs: Any) -> Any:
            found = real(**kwargs)
            key = {"pk": {"S": handler.HEARTBEAT_PREFIX + OTHER}}
            found["UnprocessedKeys"] = {TABLE: {"Keys": [key]}}
            return found

        monkeypatch.setattr(dynamodb, "batch_get_item", throttled)
        assert request("GET", "/health", token=None)["http"] == 200


@pytest.mark.usefixtures("aws")
class TestItems:
    def test_put_then_get_round_trips_in_this_region(self) -> None:
        assert request("PUT", "/items/a1", body='{"colour": "blue"}') == {
            "http": 200,
            "id": "a1",
            "writtenIn": REGION,
        }
        assert request("GET", "/items/a1") == {
            "http": 200,
            "id": "a1",
            "data": {"colour": "blue"},
            "writtenIn": REGION,
        }

    def test_base64_bodies_are_decoded(self) -> None:
        body = base64.b64encode(b'{"n": 1}').decode()
        assert request("PUT", "/items/b", body=body, isBase64Encoded=True)["http"] == 200
        assert request("GET", "/items/b")["data"] == {"n": 1}

    @pytest.mark.parametrize("body", ["not base64!", "e30", base64.b64encode(b"\xff\xfe").decode()])
    def test_a_body_that_is_not_base64_utf8_is_400_not_a_crash(self, body: str) -> None:
        """A bad body is the client's to fix: 400, where a crash would answer 502 and page."""
        assert request("PUT", "/items/b", body=body, isBase64Encoded=True) == {
            "http": 400,
            "error": "body is not base64-encoded UTF-8 text",
        }

    @pytest.mark.parametrize("key", ["__drained__#" + REGION, "__heartbeat__#" + REGION, "__x"])
    def test_the_stack_s_own_items_are_out_of_clients_reach(self, key: str) -> None:
        """A client holding the app secret cannot undrain a region by overwriting its flag,
        fake a lagging heartbeat, or read the probes' sightings."""
        refused = {"http": 400, "error": "ids starting with '__' are the stack's own"}
        assert request("PUT", "/items/" + key, body='{"drained": false}') == refused
        assert request("GET", "/items/" + key) == refused

    def test_an_item_over_400_kb_is_413_not_503(self) -> None:
        """DynamoDB (and moto) refuse it with a ValidationException: the client's to fix."""
        body = json.dumps({"blob": "x" * 400 * 1024})
        assert request("PUT", "/items/big", body=body) == {
            "http": 413,
            "error": "the item is over DynamoDB's 400 KB item size",
        }
        assert request("GET", "/items/big")["http"] == 404
        # moto's limit is 405,000 bytes, AWS's 400 KB (409,600): not a test of the boundary
        fits = json.dumps({"blob": "x" * 300 * 1024})
        assert request("PUT", "/items/big", body=fits)["http"] == 200

    def test_another_refusal_of_the_write_stays_503(self) -> None:
        """Only the size is the client's fault: a table whose key is not `pk` (a broken
        deploy) is refused with a ValidationException too, and must page."""
        aws_client("dynamodb").delete_table(TableName=TABLE)
        aws_client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert request("PUT", "/items/a", body="{}")["http"] == 503

    def test_missing_item_is_404(self) -> None:
        assert request("GET", "/items/nope")["http"] == 404

    @pytest.mark.parametrize("body", ["not json", "[1, 2]", None])
    def test_body_must_be_a_json_object(self, body: str | None) -> None:
        assert request("PUT", "/items/x", body=body)["http"] == 400

    @pytest.mark.parametrize(
        "headers",
        [
            None,
            {},
            {"authorization": "Basic abc"},
            {"authorization": "Bearer "},
            {"authorization": "Bearer wrong"},
        ],
    )
    def test_requires_the_app_secret(self, headers: dict[str, str] | None) -> None:
        result = request("GET", "/items/a", token=None, headers=headers)
        assert result["http"] == 401

    @pytest.mark.parametrize(
        "path", ["/", "/other/a", "/items/", "/items/a/b", "/items/" + "x" * 129]
    )
    def test_unknown_routes_are_404(self, path: str) -> None:
        assert request("GET", path)["http"] == 404

    def test_other_methods_are_405(self) -> None:
        assert request("DELETE", "/items/a")["http"] == 405

    def test_an_unreachable_table_is_503_not_a_crash(self) -> None:
        aws_client("dynamodb").delete_table(TableName=TABLE)
        assert request("GET", "/items/a")["http"] == 503
        assert request("PUT", "/items/a", body="{}")["http"] == 503


#: Route 53 counts a check failed unless the answer comes within 2 s of connecting
#: (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html);
#: the handler's calls get what is left after API Gateway and the invocation (0.2 s).
HEALTH_BUDGET_SECONDS = 1.8
#: What a request's calls may take: the function's timeout, less what starting it takes (2 s).
REQUEST_BUDGET_SECONDS = TIMEOUT_SECONDS - 2.0


def worst_case_seconds(config: Config) -> float:
    """The longest one call can take with this client config: every attempt times out
    connecting and reading, and each retry waits its longest standard-mode backoff,
    rand(0, 1) x 2^i s before retry i + 1 (throttling; other errors wait less)
    (https://docs.aws.amazon.com/boto3/latest/guide/retries.html)."""
    retries = config.retries or {}
    assert retries.get("mode") == "standard", f"legacy retries: {retries}"
    attempts = retries["total_max_attempts"]
    assert config.connect_timeout and config.read_timeout, "botocore's 60 s default timeouts"
    backoff = sum(min(2.0**i, 20.0) for i in range(attempts - 1))
    return attempts * (config.connect_timeout + config.read_timeout) + backoff


@pytest.mark.usefixtures("aws")
class TestBudgets:
    """A brownout must fail calls before Route 53 or the function gives up on them."""

    def record(self, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
        calls: list[tuple[str, float]] = []
        real = handler.boto3.client

        def client(service: str, region_name: str | None = None, config: Any = None) -> Any:
            made = real(service, region_name=region_name, config=config)

            def note(model: Any, **_: Any) -> None:
                calls.append((f"{service}:{model.name}", worst_case_seconds(made.meta.config)))

            made.meta.events.register(f"before-call.{service}", note)
            return made

        handler.reset_caches()  # the secret is read too, as on a cold start
        monkeypatch.setattr(handler.boto3, "clients", {})
        monkeypatch.setattr(handler.boto3, "client", client)
        return calls

    def test_health_answers_inside_route_53s_window(self, monkeypatch: pytest.MonkeyPatch) -> None:
        calls = self.record(monkeypatch)
        assert request("GET", "/health", token=None)["http"] == 200
        assert len(calls) >= 3, calls
        worst = sum(seconds for _, seconds in calls)
        assert worst < HEALTH_BUDGET_SECONDS, f"/health may take {worst:.2f} s: {calls}"

    @pytest.mark.parametrize(("method", "body"), [("GET", None), ("PUT", '{"n": 1}')])
    def test_a_request_fails_well_inside_the_function_timeout(
        self, monkeypatch: pytest.MonkeyPatch, method: str, body: str | None
    ) -> None:
        calls = self.record(monkeypatch)
        assert request(method, "/items/a", body=body)["http"] in (200, 404)
        assert [name for name, _ in calls] == [
            "secretsmanager:GetSecretValue",
            f"dynamodb:{method.title()}Item",
            "dynamodb:GetItem",  # the drain flag, on the probes' budget
        ]
        worst = sum(seconds for _, seconds in calls)
        assert worst < REQUEST_BUDGET_SECONDS, f"{method} may take {worst:.2f} s: {calls}"
        # and it retries: a throttle or a dropped connection does not fail the request
        assert all(seconds > 2 * handler.REQUEST_READ_SECONDS for _, seconds in calls[:2])

    def test_the_clients_carry_their_timeouts_and_standard_retries(self) -> None:
        probe = handler._client("dynamodb").meta.config
        user = handler._client("dynamodb", handler.REQUEST).meta.config
        assert (probe.connect_timeout, probe.read_timeout, probe.retries) == (
            handler.PROBE_CONNECT_SECONDS,
            handler.PROBE_READ_SECONDS,
            {"mode": "standard", "total_max_attempts": 1},
        )
        assert (user.connect_timeout, user.read_timeout, user.retries) == (
            handler.REQUEST_CONNECT_SECONDS,
            handler.REQUEST_READ_SECONDS,
            {"mode": "standard", "total_max_attempts": 2},
        )

    def test_a_brownout_answers_503_before_the_deadlines(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Endpoints that accept connections and never answer (the kernel completes the
        handshake; nothing reads): each call ends at its read timeout, not after 60 s."""
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(64)
            monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
            handler.reset_caches()
            started = time.monotonic()
            assert request("GET", "/health", token=None)["http"] == 503
            assert time.monotonic() - started < HEALTH_BUDGET_SECONDS
            started = time.monotonic()
            assert request("GET", "/items/a")["http"] == 503
            assert time.monotonic() - started < REQUEST_BUDGET_SECONDS


@pytest.mark.usefixtures("aws")
def test_the_secret_is_cached_until_its_ttl_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(handler.time, "monotonic", lambda: now[0])
    client = aws_client("secretsmanager")
    assert request("GET", "/items/a")["http"] == 404
    client.put_secret_value(SecretId=SECRET_ID, SecretString="rotated")
    now[0] = 1.0
    assert request("GET", "/items/a")["http"] == 404  # still the cached value
    now[0] = handler.SECRET_TTL_SECONDS + 1.0
    assert request("GET", "/items/a", token="rotated")["http"] == 404


#: The drill's regions, in failover order.
DRILL_REGIONS = ("eu-west-1", "us-west-2", "ap-southeast-2")
#: Where a region's endpoints go when the region is "down": nothing listens there.
UNREACHABLE = "http://127.0.0.1:9"


def in_region(patch: pytest.MonkeyPatch, region: str, *, down: bool = False) -> None:
    """Run the handler as the function of `region` does; `down` makes every AWS endpoint
    of the region unreachable (connection refused), as in a regional outage."""
    handler.reset_caches()
    patch.setenv("AWS_REGION", region)
    patch.setenv("REGIONS", ",".join(DRILL_REGIONS))
    patch.setenv("BUCKET_NAME", f"{BUCKET}-{region}")
    if down:
        patch.setenv("AWS_ENDPOINT_URL", UNREACHABLE)
    else:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def regions(moto: Any) -> Iterator[None]:
    """Every drill region with its own replica of the table, bucket and secret."""
    moto.reset()
    for region in DRILL_REGIONS:
        create_region(region)
    yield
    handler.reset_caches()


@pytest.mark.usefixtures("regions")
@pytest.mark.parametrize("down", DRILL_REGIONS)
def test_outage_drill_only_the_failed_region_reports_unhealthy(
    monkeypatch: pytest.MonkeyPatch, down: str
) -> None:
    for region in DRILL_REGIONS:
        in_region(monkeypatch, region, down=region == down)
        result = request("GET", "/health", token=None)
        if region == down:
            assert result["http"] == 503, f"{region} is down but healthy"
            assert result["checks"] == {"table": False, "bucket": False, "secret": False}
            assert result["status"] == "degraded"
        else:
            assert result["http"] == 200, f"{region} is up but {result}"
            assert result["region"] == region
        # the items API of a region that is down answers 503, it does not crash
        expected = 503 if region == down else 404
        assert request("GET", "/items/a")["http"] == expected, region


@pytest.mark.usefixtures("regions")
def test_each_region_serves_items_from_its_own_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is proven here: each region's function reads and writes its own region's replica,
    so it keeps serving while another region is down. That an item written in one region
    is then read in another is DynamoDB global-table replication, which moto does not
    emulate (items stay in the region they were written in); the stack's policies prove the
    table is global, with a replica in every region each function is pointed at."""
    first, second, _ = DRILL_REGIONS
    in_region(monkeypatch, first)
    assert request("PUT", "/items/a1", body='{"v": 1}')["writtenIn"] == first
    in_region(monkeypatch, second)
    assert request("GET", "/items/a1")["http"] == 404, "read another region's replica"
    # the item arriving in the second region's replica is served there, with its origin
    aws_client("dynamodb", second).put_item(
        TableName=TABLE,
        Item={"pk": {"S": "a1"}, "data": {"S": '{"v": 1}'}, "region": {"S": first}},
    )
    assert request("GET", "/items/a1") == {
        "http": 200,
        "id": "a1",
        "data": {"v": 1},
        "writtenIn": first,
    }
