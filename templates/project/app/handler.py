"""The regional service behind each Function URL.

Public (no token): `GET /health`, which reports this region and whether its table replica,
bucket and secret replica answer data-plane reads (200 when all do, 503 otherwise: Route 53
fails over on it). Everything else needs `Authorization: Bearer <appSecret>`:
`GET /items/{id}` reads an item, `PUT /items/{id}` writes a JSON object.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import os
import time
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

#: How long a fetched secret is trusted before it is read again (rotation picks up after this).
SECRET_TTL_SECONDS = 300.0
MAX_ITEM_ID_LENGTH = 128
#: The key `/health` reads: an item that need not exist (a miss is a successful read).
HEALTH_KEY = "__health__"
AWS_ERRORS = (BotoCoreError, ClientError)

_secret_cache: dict[str, tuple[float, str]] = {}

Response = dict[str, Any]


@functools.cache
def _client(service: str) -> Any:
    """One client per service for the life of the execution environment."""
    return boto3.client(service, region_name=os.environ["AWS_REGION"])


def reset_caches() -> None:
    """Forget clients and the secret (tests, and a rotation that must apply at once)."""
    _client.cache_clear()
    _secret_cache.clear()


def _secret() -> str:
    secret_id = os.environ["SECRET_ID"]
    cached = _secret_cache.get(secret_id)
    now = time.monotonic()
    if cached is not None and now - cached[0] < SECRET_TTL_SECONDS:
        return cached[1]
    value = _client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    _secret_cache[secret_id] = (now, value)
    return value


def _respond(status: int, body: dict[str, Any]) -> Response:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body),
    }


def _reachable(check: Any) -> bool:
    try:
        check()
    except AWS_ERRORS as error:
        print(json.dumps({"health_check_failed": type(error).__name__, "detail": str(error)}))
        return False
    return True


def health() -> Response:
    """Report the region and whether this region's dependencies serve reads: the same
    data-plane calls users depend on (no DescribeTable: a control-plane call with its own
    throttling), each one cheap."""
    checks = {
        "table": _reachable(
            lambda: _client("dynamodb").get_item(
                TableName=os.environ["TABLE_NAME"], Key={"pk": {"S": HEALTH_KEY}}
            )
        ),
        "bucket": _reachable(lambda: _client("s3").head_bucket(Bucket=os.environ["BUCKET_NAME"])),
        "secret": _reachable(_secret),
    }
    healthy = all(checks.values())
    return _respond(
        200 if healthy else 503,
        {
            "status": "ok" if healthy else "degraded",
            "region": os.environ["AWS_REGION"],
            "checks": checks,
        },
    )


def _authorized(headers: dict[str, str]) -> bool:
    supplied = headers.get("authorization", "")
    scheme, _, token = supplied.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.encode(), _secret().encode())


def _body(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return str(body)


def get_item(item_id: str) -> Response:
    """Read one item from this region's replica."""
    found = _client("dynamodb").get_item(
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
    _client("dynamodb").put_item(
        TableName=os.environ["TABLE_NAME"],
        Item={
            "pk": {"S": item_id},
            "data": {"S": json.dumps(data)},
            "region": {"S": os.environ["AWS_REGION"]},
        },
    )
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
        if method == "GET":
            return get_item(item_id)
        if method == "PUT":
            return put_item(item_id, _body(event))
    except AWS_ERRORS as error:
        print(json.dumps({"request_failed": type(error).__name__, "detail": str(error)}))
        return _respond(503, {"error": "a dependency in this region is unavailable"})
    return _respond(405, {"error": "use GET or PUT"})
