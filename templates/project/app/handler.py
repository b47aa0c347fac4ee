"""The regional service behind each Function URL.

Public (no token): `GET /health`, which decides whether this region should take traffic
(200) or not (503): Route 53, and clients without it, fail over on it. A region an operator
drained (`python -m ops.drain REGION`) answers 503 there, and marks every other answer with
the header `x-region-drained: true` and the body field `"drained": true`. Everything else needs
`Authorization: Bearer <appSecret>`: `GET /items/{id}` reads an item, `PUT /items/{id}`
writes a JSON object.

A request the client must change answers 4xx (400, 401, 404, 405, 413), never a 5xx: only a
dependency that failed answers 503, so only that pages someone.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

#: How long a fetched secret is trusted before it is read again (rotation picks up after this).
SECRET_TTL_SECONDS = 300.0
MAX_ITEM_ID_LENGTH = 128
#: Items the probes (app/probe.py) write into each region's replica, suffixed by the region:
#: the region's heartbeat (`at`, seconds since the epoch), and what its probe last saw of
#: every other region (`seen`: JSON, region -> {healthy, heartbeat, at}).
HEARTBEAT_PREFIX = "__heartbeat__#"
SEEN_PREFIX = "__seen__#"
#: The drain switch's item, suffixed by the region (ops/drain.py writes it, `drained`: BOOL).
DRAINED_PREFIX = "__drained__#"
#: The ids the stack keeps its own state under (heartbeats, sightings, the drain flag): a
#: client holding the app secret must not read them, or overwrite a flag or fake a lag.
RESERVED_PREFIX = "__"
#: At most this many seconds after the flag reached a region's replica, every answer there
#: says so: `/health` reads it with every call; other requests trust a read this recent.
DRAIN_CACHE_SECONDS = 5.0
DRAINED_HEADER = "x-region-drained"
#: A region whose replica holds another healthy region's heartbeat more than this many
#: seconds older than that region reported is lagging: its readers would see stale items.
MAX_LAG_SECONDS = 120.0
#: How often each region's probe runs (infra/probes.py's; a test keeps them equal).
PROBE_INTERVAL_SECONDS = 60.0
#: A region ahead reports what it holds one to two probe runs late: before leaving on its own
#: (a link only into this region), this region waits until the other end of a link broken both
#: ways would have reported it (lag_check).
CONFIRM_SECONDS = 3 * PROBE_INTERVAL_SECONDS
#: A sighting older than this (three probe intervals) is ignored: a probe that stopped must
#: not keep its region out, nor hold it in by an old view.
SIGHTING_TTL_SECONDS = 180.0
AWS_ERRORS = (BotoCoreError, ClientError)
#: DynamoDB refuses an item over 400 KB (attribute names and values, UTF-8) with a
#: ValidationException saying so:
#: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"

# How long one AWS call may take. botocore's defaults (60 s connect and read timeouts, legacy
# retries: 5 attempts) hold a request through a brownout until the function's timeout; these
# fail a call well before. Standard retries back off at most rand(0, 1) x 2^i s before retry
# i + 1 (https://docs.aws.amazon.com/boto3/latest/guide/retries.html).
#: Probes (`/health`, and the default): one attempt, short timeouts, so that five calls fit in
#: Route 53's window: it wants an answer within 2 s of connecting, and it retries by itself
#: (its failure threshold):
#: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
PROBE_CONNECT_SECONDS = 0.1
PROBE_READ_SECONDS = 0.25
PROBE_ATTEMPTS = 1
#: Users' requests: two attempts (a throttle or a dropped connection is retried once), so a
#: request's calls (the secret, then the item) end well inside the function's 10 s timeout.
REQUEST_CONNECT_SECONDS = 0.5
REQUEST_READ_SECONDS = 0.75
REQUEST_ATTEMPTS = 2
PROBE = Config(
    connect_timeout=PROBE_CONNECT_SECONDS,
    read_timeout=PROBE_READ_SECONDS,
    retries={"mode": "standard", "total_max_attempts": PROBE_ATTEMPTS},
)
REQUEST = Config(
    connect_timeout=REQUEST_CONNECT_SECONDS,
    read_timeout=REQUEST_READ_SECONDS,
    retries={"mode": "standard", "total_max_attempts": REQUEST_ATTEMPTS},
)

_secret_cache: dict[str, tuple[float, str]] = {}
#: region -> (time.monotonic() of the read, drained)
_drained_cache: dict[str, tuple[float, bool]] = {}

Response = dict[str, Any]


class ClientFault(Exception):
    """A request the client must change: answered with its 4xx status, never a 5xx."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@functools.cache
def _client(service: str, config: Config = PROBE) -> Any:
    """One client per service and budget for the life of the execution environment; a call
    fails fast (PROBE) unless its caller asks for a retry (REQUEST)."""
    return boto3.client(service, region_name=os.environ["AWS_REGION"], config=config)


def reset_caches() -> None:
    """Forget clients and the secret (tests, and a rotation that must apply at once)."""
    _client.cache_clear()
    _secret_cache.clear()
    _drained_cache.clear()


def _secret(config: Config = PROBE) -> str:
    secret_id = os.environ["SECRET_ID"]
    cached = _secret_cache.get(secret_id)
    now = time.monotonic()
    if cached is not None and now - cached[0] < SECRET_TTL_SECONDS:
        return cached[1]
    client = _client("secretsmanager", config)
    value = client.get_secret_value(SecretId=secret_id)["SecretString"]
    _secret_cache[secret_id] = (now, value)
    return value


def _respond(status: int, body: dict[str, Any], *, drained: bool = False) -> Response:
    headers = {"content-type": "application/json", "cache-control": "no-store"}
    if drained:
        headers[DRAINED_HEADER] = "true"
        body = {**body, "drained": True}
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}


def _mark_drained(response: Response) -> Response:
    """Tell the client this region is drained (its next `/health` says 503): the request is
    still served, so the clients of a gray region move on at their own pace."""
    if not is_drained():
        return response
    response["headers"][DRAINED_HEADER] = "true"
    response["body"] = json.dumps({**json.loads(response["body"]), "drained": True})
    return response


def _reachable(check: Any) -> bool:
    try:
        check()
    except AWS_ERRORS as error:
        print(json.dumps({"health_check_failed": type(error).__name__, "detail": str(error)}))
        return False
    return True


def _health_items() -> dict[str, dict[str, Any]]:
    """This region's sightings and its local copy of every region's heartbeat, in one
    strongly consistent BatchGetItem on the local replica (a data-plane read). Keys DynamoDB
    left unprocessed are absent from the result, and so are keys with no item."""
    region, table = os.environ["AWS_REGION"], os.environ["TABLE_NAME"]
    keys = [
        SEEN_PREFIX + region,
        DRAINED_PREFIX + region,
        *(HEARTBEAT_PREFIX + r for r in os.environ["REGIONS"].split(",")),
    ]
    found = _client("dynamodb").batch_get_item(
        RequestItems={table: {"Keys": [{"pk": {"S": key}} for key in keys], "ConsistentRead": True}}
    )
    unprocessed = found.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    skipped = {key["pk"]["S"] for key in unprocessed}
    items = {item["pk"]["S"]: item for item in found["Responses"].get(table, [])}
    return {key: items.get(key, {}) for key in keys if key not in skipped}


def _flag(item: dict[str, Any]) -> bool:
    return bool(item.get("drained", {}).get("BOOL", False))


def remember_drained(items: dict[str, dict[str, Any]]) -> bool:
    """Whether `/health`'s read found this region drained; a flag DynamoDB left unprocessed
    counts as the last one read (or not drained, before any)."""
    region = os.environ["AWS_REGION"]
    key = DRAINED_PREFIX + region
    if key not in items:
        cached = _drained_cache.get(region)
        return cached is not None and cached[1]
    drained = _flag(items[key])
    _drained_cache[region] = (time.monotonic(), drained)
    return drained


def is_drained() -> bool:
    """Whether this region is drained, read at most DRAIN_CACHE_SECONDS ago (one GetItem of
    the flag item when older). A failed read is not drained: the request itself then tells."""
    region = os.environ["AWS_REGION"]
    now = time.monotonic()
    cached = _drained_cache.get(region)
    if cached is not None and now - cached[0] < DRAIN_CACHE_SECONDS:
        return cached[1]
    try:
        found = _client("dynamodb").get_item(
            TableName=os.environ["TABLE_NAME"],
            Key={"pk": {"S": DRAINED_PREFIX + region}},
            ConsistentRead=True,
        )
    except AWS_ERRORS as error:
        print(json.dumps({"drain_flag_unread": type(error).__name__, "detail": str(error)}))
        return False
    drained = _flag(found.get("Item", {}))
    _drained_cache[region] = (now, drained)
    return drained


@dataclass(frozen=True)
class Lag:
    """This region's replica against the others' (lag_check)."""

    #: its probe saw the others recently enough to judge
    checked: bool
    #: the regions whose heartbeat this replica holds current
    in_sync: list[str]
    #: the regions whose heartbeat is ahead of this replica's copy
    ahead: list[str]
    #: the ones among them this region yields to: it answers 503 while there is one
    lagging: list[str]
    #: whether its probe last saw each other region healthy (200)
    sees: dict[str, bool]


def lag_check(items: dict[str, dict[str, Any]], now: float, region: str, order: list[str]) -> Lag:
    """Judge this region's replica from its probe's sightings (at most SIGHTING_TTL_SECONDS
    old) and its copies of the heartbeats they carry.

    Another region is a reference when it serves (its table and secret answer, whatever its
    `/health` status) and could judge its own lag. It is ahead when its heartbeat, as seen, is
    more than MAX_LAG_SECONDS newer than this replica's copy; the copy is compared with itself,
    so clocks of different regions are never compared. This region yields only to a healthy
    region ahead (draining that one never leaves nothing serving), and then:

    - when that region sees this one ahead too (a link broken both ways, as FIS's pause does),
      the one the other last saw unhealthy yields, or else the one holding fewer regions
      current, or else the later in failover order: both ends judge the pair alike, so one
      leaves and stays out while the lag lasts;
    - when it has no current view of this region (this one was down, or is out already), this
      one yields: a region back from an outage stays out until it has caught up;
    - when it holds this region current, this is a link only into this region, or a link
      broken both ways whose other end has not reported it yet: this one yields once it is
      CONFIRM_SECONDS further behind, when the other end would have.

    Yielding to every region ahead would take both ends of a pause out, and yielding only to
    regions answering 200 would bring both back a minute later and flap. A stale sighting, a
    region not serving, one that could not judge its own lag (a region just back, whose probe
    has not run yet, must not push the others out), or a heartbeat this read could not fetch
    counts for nothing."""
    seen_item = items.get(SEEN_PREFIX + region)
    if not seen_item:
        return Lag(False, [], [], [], {})
    sightings = {
        other: sighting
        for other, sighting in json.loads(seen_item["seen"]["S"]).items()
        if now - float(sighting["at"]) <= SIGHTING_TTL_SECONDS
    }
    in_sync, behind = [], {}
    for other, sighting in sightings.items():
        key = HEARTBEAT_PREFIX + other
        reported = sighting.get("heartbeat")
        if not sighting.get("serving") or reported is None or key not in items:
            continue
        local = float(items[key]["at"]["N"]) if items[key] else 0.0
        if float(reported) - local > MAX_LAG_SECONDS:
            behind[other] = float(reported) - local
        else:
            in_sync.append(other)

    def place(name: str) -> int:
        return order.index(name) if name in order else len(order)

    def yields_to(other: str) -> bool:
        theirs = sightings[other]
        if not theirs.get("healthy"):
            return False
        seen_healthy = theirs.get("sees", {}).get(region) is True
        if region in theirs.get("ahead", []):
            mine = (seen_healthy, len(in_sync), -place(region))
            return (True, len(theirs.get("inSync", [])), -place(other)) > mine
        if region not in theirs.get("inSync", []) or not seen_healthy:
            return True
        return behind[other] > MAX_LAG_SECONDS + CONFIRM_SECONDS

    return Lag(
        checked=bool(sightings),
        in_sync=sorted(in_sync),
        ahead=sorted(behind),
        lagging=sorted(other for other in behind if yields_to(other)),
        sees={other: bool(sighting.get("healthy")) for other, sighting in sightings.items()},
    )


def health() -> Response:
    """Whether this region should take traffic: its table replica and secret replica answer
    the same data-plane reads users depend on (no DescribeTable: a control-plane call with
    its own throttling), and its replica is not the one that yields in a lag (lag_check).

    The bucket is reported but does not decide: no route reads or writes S3, so an S3-only
    problem in this region must not fail the whole service over (its replication alarms
    report it). The answer also carries what the other regions' probes judge their own lag
    by: whether this region serves, its own heartbeat as its replica holds it, the regions
    it holds current (`inSync`) and sees ahead (`ahead`), which regions its probe saw healthy
    (`sees`), and whether it could judge its own lag (`lagChecked`): only then does it count
    as a reference for them."""
    region = os.environ["AWS_REGION"]
    items: dict[str, dict[str, Any]] = {}

    def read_items() -> None:
        items.update(_health_items())

    checks = {
        "table": _reachable(read_items),
        "bucket": _reachable(lambda: _client("s3").head_bucket(Bucket=os.environ["BUCKET_NAME"])),
        "secret": _reachable(_secret),
    }
    status, body = judge(
        items,
        checks,
        remember_drained(items),
        time.time(),
        region,
        os.environ["REGIONS"].split(","),
    )
    return _respond(status, body, drained=body["drained"])


def judge(
    items: dict[str, dict[str, Any]],
    checks: dict[str, bool],
    drained: bool,
    now: float,
    region: str,
    order: list[str],
) -> tuple[int, dict[str, Any]]:
    """`/health`'s status and body from what it read (no I/O: tests/test_lag.py runs it for
    every region of a simulated stack)."""
    lag = lag_check(items, now, region, order)
    own = items.get(HEARTBEAT_PREFIX + region)
    serving = checks["table"] and checks["secret"]
    healthy = serving and not lag.lagging and not drained
    status = "ok" if healthy else ("lagging" if serving else "degraded")
    if drained:
        status = "drained"
    return 200 if healthy else 503, {
        "status": status,
        "region": region,
        "checks": checks,
        "serving": serving,
        "lagging": lag.lagging,
        "inSync": lag.in_sync,
        "ahead": lag.ahead,
        "sees": lag.sees,
        "lagChecked": lag.checked,
        "drained": drained,
        "heartbeat": float(own["at"]["N"]) if own else None,
    }


def _authorized(headers: dict[str, str]) -> bool:
    supplied = headers.get("authorization", "")
    scheme, _, token = supplied.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.encode(), _secret(REQUEST).encode())


def _body(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError both are
            raise ClientFault(400, "body is not base64-encoded UTF-8 text") from None
    return str(body)


def get_item(item_id: str) -> Response:
    """Read one item from this region's replica."""
    found = _client("dynamodb", REQUEST).get_item(
        TableName=os.environ["TABLE_NAME"], Key={"pk": {"S": item_id}}, ConsistentRead=True
    )
    if "Item" not in found:
        return _respond(404, {"error": f"item {item_id!r} not found"})
    item = found["Item"]
    return _respond(
        200,
        {"id": item_id, "data": json.loads(item["data"]["S"]), "writtenIn": item["region"]["S"]},
    )


def put_item(item_id: str, raw: str) -> Response:
    """Write one item in this region; the global table replicates it to the others."""
    try:
        data = json.loads(raw)
    except ValueError:
        return _respond(400, {"error": "body must be a JSON object"})
    if not isinstance(data, dict):
        return _respond(400, {"error": "body must be a JSON object"})
    try:
        _client("dynamodb", REQUEST).put_item(
            TableName=os.environ["TABLE_NAME"],
            Item={
                "pk": {"S": item_id},
                "data": {"S": json.dumps(data)},
                "region": {"S": os.environ["AWS_REGION"]},
            },
        )
    except ClientError as error:
        if ITEM_TOO_LARGE in error.response.get("Error", {}).get("Message", ""):
            raise ClientFault(413, "the item is over DynamoDB's 400 KB item size") from None
        raise
    return _respond(200, {"id": item_id, "writtenIn": os.environ["AWS_REGION"]})


def handler(event: dict[str, Any], context: object) -> Response:
    """Route a Function URL (payload 2.0) request."""
    del context
    method = event["requestContext"]["http"]["method"]
    path = event.get("rawPath", "/")
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    if path == "/health":
        return health() if method == "GET" else _respond(405, {"error": "use GET"})
    prefix, _, item_id = path.lstrip("/").partition("/")
    if prefix != "items" or not item_id or "/" in item_id or len(item_id) > MAX_ITEM_ID_LENGTH:
        return _respond(404, {"error": f"no route for {path!r}"})
    try:
        if not _authorized(headers):
            return _respond(401, {"error": "send Authorization: Bearer <appSecret>"})
        if item_id.startswith(RESERVED_PREFIX):
            return _respond(
                400, {"error": f"ids starting with {RESERVED_PREFIX!r} are the stack's own"}
            )
        if method == "GET":
            return _mark_drained(get_item(item_id))
        if method == "PUT":
            return _mark_drained(put_item(item_id, _body(event)))
    except ClientFault as fault:
        return _respond(fault.status, {"error": str(fault)})
    except AWS_ERRORS as error:
        print(json.dumps({"request_failed": type(error).__name__, "detail": str(error)}))
        return _respond(503, {"error": "a dependency in this region is unavailable"})
    return _respond(405, {"error": "use GET or PUT"})
