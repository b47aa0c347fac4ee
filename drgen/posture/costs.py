"""The idle stack's monthly cost and the per-use prices, from drgen's dated price table.

Quantities come from the resources the program declares; prices from `prices.json` beside this
module (each with its AWS pricing page), never from AWS at run time.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from typing import Any

from drgen.posture.model import CostLine, Posture, UsageLine
from drgen.posture.resource_types import (
    ALARM,
    BUCKET,
    DOMAIN,
    ENDPOINT,
    EVENT_RULE,
    EVENT_TARGET,
    FIS_TEMPLATE,
    FUNCTION,
    HEALTH_CHECK,
    KMS_KEY,
    NOT_BILLED,
    REPLICATION,
    SECRET,
    action_minutes,
    by_arn,
    check_timing,
    of,
)

#: Route 53's checkers probe each endpoint about 15 times per interval (about one request every
#: 2 s at 30 s): each probe is an API Gateway request and a Lambda invocation.
PROBES_PER_INTERVAL = 15
SECONDS_PER_MONTH = 730 * 3600
MINUTES_PER_MONTH = 730 * 60
# Estimates the code cannot state, named here like the probe rate above:
#: a `/health` answer: a few small reads in its own region, about 0.1 s warm (billed per ms);
HEALTH_SECONDS = 0.1
#: a scheduled probe's call of another region's `/health`, across regions, about 0.3 s;
PROBE_SECONDS_PER_REGION = 0.3
#: what Lambda logs per invocation (its START, END and REPORT lines), about 300 bytes.
LOG_BYTES_PER_INVOCATION = 300
#: S3 Replication metrics: four per rule (bytes and operations pending, operations failed,
#: latency), billed as custom metrics even when nothing replicates (S3 User Guide, "Using S3
#: Replication metrics").
REPLICATION_METRICS_PER_RULE = 4
RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
RATE_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def load_prices() -> dict[str, Any]:
    """Drgen's price table, shipped with it."""
    text = resources.files("drgen.posture").joinpath("prices.json").read_text(encoding="utf-8")
    prices: dict[str, Any] = json.loads(text)
    return prices


def _invocation_costs(
    add: Any, region: str, function: dict[str, Any] | None, count: float, seconds: float
) -> None:
    """Requests, duration (at the function's memory and architecture) and logs.

    For `count` invocations a month of `function`, each `seconds` long.
    """
    inputs = function["inputs"] if function is not None else {}
    memory_gb = float(inputs.get("memorySize", 128)) / 1024
    arch = (inputs.get("architectures") or ["x86_64"])[0]
    add("lambda_million", region, round(count / 1e6, 3))
    add(f"lambda_gb_second_{arch}", region, round(count * seconds * memory_gb))
    add("cloudwatch_logs_gb", region, round(count * LOG_BYTES_PER_INVOCATION / 1e9, 3))


def _schedule_minutes(rule: dict[str, Any]) -> int | None:
    match = RATE.fullmatch(str(rule["inputs"].get("scheduleExpression", "")))
    if match is None:
        return None
    return int(match.group(1)) * RATE_MINUTES[match.group(2).rstrip("s")]


def add_costs(posture: Posture, res: list[dict[str, Any]], prices: dict[str, Any]) -> None:
    """Fill in the idle monthly cost per item and region, the per-use prices, the unpriced."""
    items = prices["items"]
    hours = float(prices["hours_per_month"])
    quantities: dict[tuple[str, str], float] = {}

    def add(item: str, region: str, quantity: float) -> None:
        """Count `quantity` more of `item` in `region` (one line per item and region)."""
        if quantity:
            key = (item, region)
            quantities[key] = round(quantities.get(key, 0.0) + quantity, 3)

    functions = by_arn(res, FUNCTION)
    targets = {str(t["inputs"].get("arn")): t for t in of(res, EVENT_TARGET)}
    # the service's own function per region: one that no schedule invokes
    served = {f["region"]: f for arn, f in functions.items() if arn not in targets}
    alarms = Counter(r["region"] for r in of(res, ALARM))
    for region in posture.regions:
        add("cloudwatch_alarm", region, alarms.get(region, 0))
    custom = {
        (a["region"], a["inputs"]["namespace"], a["inputs"].get("metricName"),
         json.dumps(a["inputs"].get("dimensions", {}), sort_keys=True))
        for a in of(res, ALARM)
        if a["inputs"].get("namespace") and not str(a["inputs"]["namespace"]).startswith("AWS/")
    }  # fmt: skip
    for region, count in sorted(Counter(key[0] for key in custom).items()):
        add("cloudwatch_custom_metric", region, count)
    for check in of(res, HEALTH_CHECK):
        region = check["region"]
        add("route53_health_check", region, 1)
        if check["inputs"].get("type") == "HTTPS":
            add("route53_health_check_https", region, 1)
        probes = PROBES_PER_INTERVAL * SECONDS_PER_MONTH / check_timing(check)[0]
        add("apigateway_http_million", region, round(probes / 1e6, 3))
        _invocation_costs(add, region, served.get(region), probes, HEALTH_SECONDS)
    _probe_costs(posture, res, add, functions, served)
    _replication_costs(posture, res, add, prices)
    _drill_costs(posture, res, prices)
    for endpoint in of(res, ENDPOINT):
        if endpoint["inputs"].get("vpcEndpointType") == "Interface":
            zones = len(endpoint["inputs"].get("subnetIds", []))
            add("interface_endpoint_az_hour", endpoint["region"], zones * hours)
    for secret in of(res, SECRET):
        add("secret", secret["region"], 1)
        for replica in secret["inputs"].get("replicas", []):
            add("secret", str(replica["region"]), 1)
    for key in of(res, KMS_KEY):
        add("kms_key", key["region"], 1)
    for domain in of(res, DOMAIN):
        add("apigateway_custom_domain", domain["region"], 1)
    lines = [
        CostLine(item, region, quantity, float(items[item]["price"]),
                 round(quantity * float(items[item]["price"]), 2), str(items[item]["source"]))
        for (item, region), quantity in quantities.items()
    ]  # fmt: skip
    order = {region: index for index, region in enumerate(posture.regions)}
    posture.cost = sorted(lines, key=lambda line: order.get(line.region, len(order)))
    by_region: dict[str, float] = dict.fromkeys(posture.regions, 0.0)
    for line in lines:
        by_region[line.region] = round(by_region.get(line.region, 0.0) + line.monthly, 2)
    posture.cost_by_region = by_region
    posture.cost_total = round(sum(by_region.values()), 2)
    known = prices["resources"]
    posture.unpriced = sorted(
        {r["type"] for r in res if r["type"] not in known and not r["type"].startswith(NOT_BILLED)}
    )
    posture.prices_date = str(prices["date"])
    posture.prices_basis = str(prices["region_basis"])


def _probe_costs(
    posture: Posture,
    res: list[dict[str, Any]],
    add: Any,
    functions: dict[str, dict[str, Any]],
    served: dict[str, dict[str, Any]],
) -> None:
    """What each scheduled probe costs, in its region and in the regions it probes.

    A rule invokes its function, which calls `/health` in every other region: the probe's
    requests, duration and logs, and those of the answers it gets.
    """
    # a rule's name is unique in its region only: every region's probe may share one
    rules = {(r["region"], str(r["outputs"].get("name"))): r for r in of(res, EVENT_RULE)}
    for target in of(res, EVENT_TARGET):
        rule = rules.get((target["region"], str(target["inputs"].get("rule"))))
        minutes = _schedule_minutes(rule) if rule is not None else None
        function = functions.get(str(target["inputs"].get("arn")))
        if rule is None or minutes is None or function is None:
            continue  # not a schedule invoking one of the stack's functions
        count = MINUTES_PER_MONTH / minutes
        others = [region for region in posture.regions if region != rule["region"]]
        seconds = PROBE_SECONDS_PER_REGION * len(others)
        _invocation_costs(add, rule["region"], function, count, seconds)
        for region in others:
            _invocation_costs(add, region, served.get(region), count, HEALTH_SECONDS)


#: What each FIS action the templates use pauses, as a drill's usage line names it.
FIS_ACTIONS = {
    "aws:dynamodb:global-table-pause-replication": "DynamoDB replica pause",
    "aws:s3:bucket-pause-replication": "S3 replication pause",
}


def _drill_costs(posture: Posture, res: list[dict[str, Any]], prices: dict[str, Any]) -> None:
    """What one run of each FIS experiment template costs: its actions' minutes at FIS's price.

    Nothing while idle; a run bills every action for as long as it runs (its `duration`).
    """
    item = prices["items"]["fis_action_minute"]
    order = {region: index for index, region in enumerate(posture.regions)}
    templates = sorted(
        of(res, FIS_TEMPLATE),
        key=lambda t: (
            order.get(t["region"], len(order)),
            sorted(str(a.get("actionId")) for a in t["inputs"].get("actions", [])),
        ),
    )
    for template in templates:
        actions = template["inputs"].get("actions", [])
        minutes = action_minutes(template)
        kinds = sorted(
            {FIS_ACTIONS.get(str(a.get("actionId")), str(a.get("actionId"))) for a in actions}
        )
        each = "/".join(sorted(set(map(str, minutes)))) or "?"
        posture.usage.append(
            UsageLine(
                "fis_action_minute",
                template["region"],
                f"run of its {' and '.join(kinds)} drill",
                round(sum(minutes) * float(item["price"]), 4),
                f"{len(actions)} action{'' if len(actions) == 1 else 's'} x "
                f"{each} min x ${float(item['price']):g}",
                str(item["source"]),
            )
        )


def _replication_costs(
    posture: Posture, res: list[dict[str, Any]], add: Any, prices: dict[str, Any]
) -> None:
    """Replication metrics (idle cost) and the price of each GB written (usage).

    The metrics count in each rule's destination region; a GB written to a bucket is
    transferred, with RTC, to every destination.
    """
    items = prices["items"]
    buckets = by_arn(res, BUCKET)
    metrics: Counter[str] = Counter()
    order = {region: index for index, region in enumerate(posture.regions)}
    configs = sorted(of(res, REPLICATION), key=lambda c: order.get(c["region"], len(order)))
    for config in configs:
        rules = config["inputs"].get("rules", [])
        rtc = 0
        for rule in rules:
            destination = rule.get("destination", {})
            if destination.get("metrics", {}).get("status") == "Enabled":
                bucket = buckets.get(str(destination.get("bucket")))
                region = bucket["region"] if bucket is not None else config["region"]
                metrics[region] += REPLICATION_METRICS_PER_RULE
            rtc += destination.get("replicationTime", {}).get("status") == "Enabled"
        if not rules:
            continue
        transfer = float(items["inter_region_transfer_gb"]["price"])
        time_control = float(items["s3_rtc_gb"]["price"])
        price = round(len(rules) * transfer + rtc * time_control, 4)
        posture.usage.append(
            UsageLine(
                "s3_replication_gb",
                config["region"],
                "GB written to this region's bucket",
                price,
                f"{len(rules)} destination{'' if len(rules) == 1 else 's'} x transfer "
                f"${transfer:g}" + (f" + {rtc} x RTC ${time_control:g}" if rtc else ""),
                f"{items['inter_region_transfer_gb']['source']}",
            )
        )
    for region in posture.regions:
        add("s3_replication_metric", region, metrics.get(region, 0))
