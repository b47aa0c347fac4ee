"""The view of every other region from this one, run every minute by an EventBridge rule.

A region cannot report its own loss: its alarms, topic and function go down with it. So each
region's probe calls every other region's `/health` and publishes what it saw as a metric in
its own region, where an alarm notifies its own topic. A probe that stops publishing is a
failure too: those alarms treat missing data as breaching.

The probe also writes, into its own region's table replica, this region's heartbeat and what
it saw of the others; `/health` (app/handler.py) uses both to stay unhealthy while this
region's replica lags behind the healthy ones.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import time
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import BotoCoreError, ClientError

#: Seconds one `/health` call may take to connect, and then for each read. Route 53's
#: checkers allow 4 s to connect and 2 s more for the answer
#: (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html):
#: an endpoint too slow for them is as good as down, and counts so here too.
TIMEOUT_SECONDS = 4.0
#: Seconds all calls together may take; the function's timeout (PROBE_TIMEOUT_SECONDS in
#: infra/probes.py) leaves room after it to publish and write.
DEADLINE_SECONDS = 10.0
#: An answer larger than this is not a `/health` answer.
MAX_BODY_BYTES = 65536
METRIC_NAME = "Healthy"
DIMENSION = "ProbedRegion"
#: Keys of the items the probe writes into its own region's replica, suffixed by the region.
HEARTBEAT_PREFIX = "__heartbeat__#"
SEEN_PREFIX = "__seen__#"
AWS_ERRORS = (BotoCoreError, ClientError)

Sighting = dict[str, Any]


def fetch(url: str) -> Sighting:
    """One `/health` call, and what its answer tells (sighting); no answer is unhealthy."""
    parts = urlparse(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"not an https URL: {url!r}")
    connection = http.client.HTTPSConnection(
        parts.hostname, parts.port or 443, timeout=TIMEOUT_SECONDS
    )
    try:
        connection.request("GET", parts.path or "/", headers={"user-agent": "drgen-probe"})
        response = connection.getresponse()
        body = response.read(MAX_BODY_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return {"healthy": False, "error": type(error).__name__}
    finally:
        connection.close()
    return sighting(status, body)


def sighting(status: int, body: bytes) -> Sighting:
    """What one `/health` answer tells: healthy only when 200; serving when its table and
    secret answer (a region out for lag or drained still does); and only if it judged its own
    lag (lagChecked), what app/handler.py's lag_check weighs: its heartbeat, the regions it
    holds current and sees ahead, and which regions it saw healthy."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        answer = None
    if not isinstance(answer, dict):
        answer = {}
    serving = answer.get("serving") is True
    reported = answer.get("heartbeat")
    judged = serving and answer.get("lagChecked") is True
    heartbeat = None
    # a region that could not judge its own lag (its probe has not run since it came back)
    # is no reference: its heartbeat would push regions with newer data out
    if judged and isinstance(reported, int | float) and not isinstance(reported, bool):
        heartbeat = float(reported)
    return {
        "healthy": status == 200,
        "status": status,
        "serving": serving,
        "heartbeat": heartbeat,
        "inSync": regions(answer.get("inSync")) if judged else [],
        "ahead": regions(answer.get("ahead")) if judged else [],
        "sees": sees(answer.get("sees")) if judged else {},
    }


def regions(value: object) -> list[str]:
    return [r for r in value if isinstance(r, str)] if isinstance(value, list) else []


def sees(value: object) -> dict[str, bool]:
    if not isinstance(value, dict):
        return {}
    return {r: v for r, v in value.items() if isinstance(r, str) and isinstance(v, bool)}


def probe_all(targets: dict[str, str]) -> dict[str, Sighting]:
    """Every target at once; one that has not answered by the deadline counts as down."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(len(targets), 1))
    futures = {region: pool.submit(fetch, url) for region, url in targets.items()}
    concurrent.futures.wait(futures.values(), timeout=DEADLINE_SECONDS)
    pool.shutdown(wait=False, cancel_futures=True)
    seen = {}
    for region, future in futures.items():
        if not future.done():
            seen[region] = {"healthy": False, "error": "deadline"}
        elif future.exception() is not None:
            seen[region] = {"healthy": False, "error": type(future.exception()).__name__}
        else:
            seen[region] = future.result()
    return seen


def publish(seen: dict[str, Sighting], client: Any) -> None:
    """One `Healthy` datum (1 or 0) per probed region, in this region's CloudWatch."""
    client.put_metric_data(
        Namespace=os.environ["NAMESPACE"],
        MetricData=[
            {
                "MetricName": METRIC_NAME,
                "Dimensions": [{"Name": DIMENSION, "Value": region}],
                "Value": 1.0 if sighting["healthy"] else 0.0,
                "Unit": "Count",
            }
            for region, sighting in seen.items()
        ],
    )


def record(seen: dict[str, Sighting], now: float, client: Any) -> None:
    """This region's heartbeat, and what it saw of the others, into its own replica."""
    region, table = os.environ["AWS_REGION"], os.environ["TABLE_NAME"]
    sightings = {
        other: {
            "healthy": s["healthy"],
            "serving": s.get("serving", False),
            "heartbeat": s.get("heartbeat"),
            "inSync": s.get("inSync", []),
            "ahead": s.get("ahead", []),
            "sees": s.get("sees", {}),
            "at": now,
        }
        for other, s in seen.items()
    }
    try:
        client.put_item(
            TableName=table,
            Item={"pk": {"S": HEARTBEAT_PREFIX + region}, "at": {"N": repr(now)}},
        )
        client.put_item(
            TableName=table,
            Item={"pk": {"S": SEEN_PREFIX + region}, "seen": {"S": json.dumps(sightings)}},
        )
    except AWS_ERRORS as error:
        # the metrics are already out; this region's own /health reports its table
        print(json.dumps({"record_failed": type(error).__name__, "detail": str(error)}))


def handler(event: dict[str, Any], context: object) -> dict[str, Sighting]:
    """Probe every other region, publish the metrics, then record heartbeat and sightings."""
    del event, context
    region = os.environ["AWS_REGION"]
    targets = json.loads(os.environ["TARGETS"])
    seen = probe_all(targets)
    publish(seen, boto3.client("cloudwatch", region_name=region))
    record(seen, time.time(), boto3.client("dynamodb", region_name=region))
    print(json.dumps({"probed": seen}))
    return seen
