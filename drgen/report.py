"""`drgen report`: the DR posture and the idle cost of a generated project, from its own code.

Nothing here restates the template: the project's program runs offline under the audit's mocks,
and every number (health-check interval and threshold, replication time, alarms, endpoints,
secret replicas) is read from the resources it declares, so the report follows the project,
edits included. Prices come from drgen's dated price table (prices.json), never from AWS.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from drgen.audit.program import AuditError, load_program
from drgen.audit.records import run_programs
from drgen.errors import DrgenError

#: How long resolvers keep an alias answer for an API Gateway target: Route 53 answers alias
#: queries with the target's TTL, 60 s for API Gateway regional domains.
ALIAS_TTL_SECONDS = 60
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
PREVIEW_IN_CI = " (the generated deploy workflow runs it on each pull request)"

DYNAMODB_TABLE = "aws:dynamodb/table:Table"
SECRET = "aws:secretsmanager/secret:Secret"  # noqa: S105 (a resource type)
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SUBNET = "aws:ec2/subnet:Subnet"
KMS_KEY = "aws:kms/key:Key"
DOMAIN = "aws:apigatewayv2/domainName:DomainName"
DEPLOY_WORKFLOW = Path(".github/workflows/deploy.yml")
RESTORE_SCRIPT = Path("ops/restore.py")
FUNCTION = "aws:lambda/function:Function"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
BUCKET = "aws:s3/bucket:Bucket"
#: Types that are Pulumi's own, not resources anyone pays for.
NOT_BILLED = ("pulumi:providers:",)
RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
RATE_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


class ReportError(DrgenError):
    """The project cannot be reported on."""


@dataclass(frozen=True)
class CostLine:
    """One priced item: how many, at what unit price, where the price comes from."""

    item: str
    region: str
    quantity: float
    unit_price: float
    monthly: float
    source: str


@dataclass(frozen=True)
class UsageLine:
    """A price per unit of use (not idle): what each GB written to a region's bucket costs."""

    item: str
    region: str
    unit: str
    price: float
    detail: str
    source: str


@dataclass
class Posture:
    """What the project survives, its recovery objectives, what it does not cover, its cost."""

    project: str
    stack: str
    regions: list[str]
    survives: dict[str, str] = field(default_factory=dict)
    objectives: dict[str, dict[str, str]] = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)
    #: Who the alarm topics reach, in words; says plainly when nobody is subscribed.
    paged: str = ""
    cost: list[CostLine] = field(default_factory=list)
    cost_by_region: dict[str, float] = field(default_factory=dict)
    cost_total: float = 0.0
    usage: list[UsageLine] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    prices_date: str = ""
    prices_basis: str = ""


def load_prices() -> dict[str, Any]:
    """Drgen's price table, shipped with it."""
    text = resources.files("drgen").joinpath("prices.json").read_text(encoding="utf-8")
    prices: dict[str, Any] = json.loads(text)
    return prices


def _recorded(path: Path) -> dict[str, Any]:
    record = path / ".drgen" / "answers.yml"
    try:
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise ReportError(
            f"{str(path)!r} holds no readable .drgen/answers.yml: is it a drgen project?"
        ) from None
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict) or not isinstance(answers.get("regions"), list):
        raise ReportError(f"{str(record)!r} is damaged: answers with regions are required")
    return answers


def _of(resources_: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources_ if r["type"] == kind]


def build(path: Path, stack: str | None = None, timeout: float = 120.0) -> Posture:
    """Run the project's program under mocks and derive its posture and idle cost."""
    answers = _recorded(path)
    program = load_program(path, stack)
    record = run_programs([program], timeout)[0]
    if isinstance(record, AuditError):
        raise record
    res = record.resources
    regions = [str(r) for r in answers["regions"]]
    posture = Posture(project=program.project, stack=program.stack, regions=regions)
    _survival(posture, res, answers)
    _not_covered(posture, res, record.invokes, path)
    posture.paged = _paged(res)
    _costs(posture, res, load_prices())
    return posture


def _minutes(res: list[dict[str, Any]]) -> list[int]:
    found = []
    for config in _of(res, REPLICATION):
        for rule in config["inputs"].get("rules", []):
            time = rule.get("destination", {}).get("replicationTime", {})
            if time.get("status") == "Enabled":
                found.append(int(time["time"]["minutes"]))
    return found


def _survival(posture: Posture, res: list[dict[str, Any]], answers: dict[str, Any]) -> None:
    checks = _of(res, HEALTH_CHECK)
    failover = [r for r in _of(res, RECORD) if r["inputs"].get("failoverRoutingPolicies")]
    tables = _of(res, DYNAMODB_TABLE)
    secrets = _of(res, SECRET)
    minutes = _minutes(res)
    versioned = [
        v for v in _of(res, VERSIONING)
        if v["inputs"].get("versioningConfiguration", {}).get("status") == "Enabled"
    ]  # fmt: skip
    subnets = Counter(s["region"] for s in _of(res, SUBNET))
    order = " -> ".join(posture.regions)
    kept = [
        int(rule["noncurrentVersionExpiration"]["noncurrentDays"])
        for lifecycle in _of(res, LIFECYCLE)
        for rule in lifecycle["inputs"].get("rules", [])
        if rule.get("status") == "Enabled" and rule.get("noncurrentVersionExpiration")
    ]

    if checks and failover:
        interval = max(int(c["inputs"]["requestInterval"]) for c in checks)
        threshold = max(int(c["inputs"]["failureThreshold"]) for c in checks)
        detect = interval * threshold
        rto = f"about {detect + ALIAS_TTL_SECONDS} s"
        posture.survives["region down"] = (
            f"yes, automatically: Route 53 health checks ({len(checks)}, every {interval} s, "
            f"unhealthy after {threshold} failures = {detect} s) move the failover chain "
            f"{order} to the next healthy region; resolvers follow within the alias TTL "
            f"({ALIAS_TTL_SECONDS} s)"
        )
        traffic = {"rpo": "none (stateless)", "rto": rto, "from": "health checks and TTL"}
    else:
        posture.survives["region down"] = (
            f"yes, by the clients: every region serves on its own URL; clients move on in the "
            f"order {order} when a request fails (no automatic DNS failover: route53 is off)"
        )
        traffic = {"rpo": "none (stateless)", "rto": "your clients' retry time", "from": "urls"}
    if subnets:
        fewest = min(subnets.values())
        posture.survives["AZ down"] = (
            f"yes: the functions run in {fewest} subnets in distinct zones per region; "
            "DynamoDB, S3 and Secrets Manager are regional, multi-AZ services"
        )
    else:
        posture.survives["AZ down"] = (
            "yes: Lambda, DynamoDB, S3 and Secrets Manager are regional, multi-AZ services"
        )
    posture.survives["bad deploy"] = (
        "partly: `pulumi preview` shows every change first"
        + (PREVIEW_IN_CI if answers.get("ci") == "github" else "")
        + "; one `pulumi up` updates every region at once, so a bad function version reaches "
        "all regions: revert the commit and deploy again"
    )
    table = tables[0]["inputs"] if tables else {}
    pitr = table.get("pointInTimeRecovery", {}).get("enabled") is True
    protected = table.get("deletionProtectionEnabled") is True
    posture.survives["deleted table"] = (
        "deletion protection refuses the delete" if protected else "no deletion protection"
    ) + (
        "; point-in-time recovery restores any second of the last 35 days"
        if pitr
        else "; no point-in-time recovery"
    )
    posture.survives["deleted bucket or objects"] = (
        f"{len(versioned)} of {len(posture.regions)} buckets versioned: a deleted object leaves a "
        "delete marker (replicated too), earlier versions stay restorable"
        + (f" for {min(kept)} days" if kept else "")
        + "; a bucket that still holds objects cannot be deleted"
    )
    rotation = bool(_of(res, ROTATION))
    posture.survives["leaked credential"] = (
        "no long-lived AWS keys exist (roles only"
        + (", CI through OIDC" if answers.get("ci") == "github" else "")
        + "); the app secret "
        + (
            "rotates on a schedule"
            if rotation
            else "does not rotate: set a new one with "
            "`pulumi config set --secret appSecret` and `pulumi up`"
        )
    )
    secret_regions = 1 + max((len(s["inputs"].get("replicas", [])) for s in secrets), default=0)
    posture.objectives = {
        "DynamoDB table": {
            "rpo": "typically about a second (asynchronous global table replication)",
            "rto": "none for reads and writes: every replica is writable",
            "from": f"replicas in {len(table.get('replicas', []))} other regions, "
            f"PITR {'on' if pitr else 'off'}",
        },
        "S3 buckets": {
            "rpo": f"{max(minutes)} min for 99.99% of objects (RTC target, not a bound)"
            if minutes
            else "unbounded (no Replication Time Control)",
            "rto": "none: every bucket serves reads",
            "from": f"{len(minutes)} replication rules with RTC",
        },
        "secret": {
            "rpo": "until Secrets Manager replicates the last change (asynchronous)",
            "rto": "none for reads: each region reads its replica",
            "from": f"in {secret_regions} regions",
        },
        "traffic": traffic,
    }


def _ci_sts_regions(path: Path) -> list[str]:
    """The regions whose STS the deploy workflow gets its credentials from (`aws-region`)."""
    try:
        workflow = yaml.safe_load((path / DEPLOY_WORKFLOW).read_text(encoding="utf-8"))
        jobs = workflow["jobs"].values()
        steps = [step for job in jobs for step in job.get("steps", [])]
    except (OSError, yaml.YAMLError, TypeError, KeyError, AttributeError):
        return []
    found = {
        str(step["with"]["aws-region"])
        for step in steps
        if isinstance(step, dict) and isinstance(step.get("with"), dict)
        and "aws-region" in step["with"]
    }  # fmt: skip
    return sorted(found)


def _not_covered(
    posture: Posture, res: list[dict[str, Any]], invokes: list[dict[str, Any]], path: Path
) -> None:
    checks = _of(res, HEALTH_CHECK)
    failover = [r for r in _of(res, RECORD) if r["inputs"].get("failoverRoutingPolicies")]
    restore = (
        "restore the items with `python -m ops.restore`"
        if (path / RESTORE_SCRIPT).is_file()
        else "restore from point-in-time recovery"
    )
    looked_up = {str(i["region"]) for i in invokes if i.get("region")}
    where = (
        "every region"
        if looked_up >= set(posture.regions)
        else ", ".join(r for r in posture.regions if r in looked_up) or "no region"
    )
    deploys = (
        "deploys during a regional outage, hotfixes to the healthy regions included: `pulumi "
        "up` needs every region's control plane (each region's provider checks its "
        f"credentials there) and runs the program's lookups in {where}"
    )
    sts = _ci_sts_regions(path)
    if sts:
        deploys += f"; CI gets its credentials from STS in {', '.join(sts)}"
    posture.not_covered = [
        "bad or corrupting writes: they replicate to every region within seconds "
        f"({restore}, objects from their versions)",
        "the loss of the AWS account or its credentials: everything lives in one account",
        deploys,
    ]
    if not (checks and failover):
        posture.not_covered.append("automatic traffic failover (route53 is off)")
    if not _of(res, ROTATION):
        posture.not_covered.append("secret rotation")
    if _of(res, REPLICATION):
        # S3 publishes ReplicationLatency in the destination's region only:
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
        posture.not_covered.append(
            "S3 replication towards a region that is down: its latency is published and alarmed "
            "only in that region, and its objects stay pending, not failed, so the surviving "
            "regions raise no S3 replication alarm (the failed-operations alarm stays in the "
            "source region)"
        )


def _by_arn(res: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {str(r["outputs"]["arn"]): r for r in _of(res, kind) if r.get("outputs", {}).get("arn")}


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


def _paged(res: list[dict[str, Any]]) -> str:
    """Who hears the alarms: the addresses subscribed, and every topic nobody hears."""
    topics = [str(t["inputs"].get("name", t["name"])) for t in _of(res, TOPIC)]
    heard: dict[str, set[str]] = {}
    for subscription in _of(res, SUBSCRIPTION):
        inputs = subscription["inputs"]
        # a topic's ARN ends with its name
        topic = str(inputs.get("topic", "")).rsplit(":", 1)[-1]
        heard.setdefault(topic, set()).add(str(inputs.get("endpoint", "")))
    deaf = sorted(name for name in topics if name not in heard)
    if not topics:
        return "nobody: the stack has no alarm topic"
    if len(deaf) == len(topics):
        return (
            f"NOBODY: none of the {len(topics)} alarm topics has a subscription, so no alarm "
            "reaches a person (set alarmEmail: drgen update --set alarm_email=ADDRESS)"
        )
    addresses = sorted(set().union(*heard.values()))
    line = f"{', '.join(addresses)} on {len(topics) - len(deaf)} of {len(topics)} alarm topics"
    return line + (f"; nobody hears {', '.join(deaf)}" if deaf else "")


def _costs(posture: Posture, res: list[dict[str, Any]], prices: dict[str, Any]) -> None:
    items = prices["items"]
    hours = float(prices["hours_per_month"])
    quantities: dict[tuple[str, str], float] = {}

    def add(item: str, region: str, quantity: float) -> None:
        """Count `quantity` more of `item` in `region` (one line per item and region)."""
        if quantity:
            key = (item, region)
            quantities[key] = round(quantities.get(key, 0.0) + quantity, 3)

    functions = _by_arn(res, FUNCTION)
    targets = {str(t["inputs"].get("arn")): t for t in _of(res, EVENT_TARGET)}
    # the service's own function per region: one that no schedule invokes
    served = {f["region"]: f for arn, f in functions.items() if arn not in targets}
    alarms = Counter(r["region"] for r in _of(res, ALARM))
    for region in posture.regions:
        add("cloudwatch_alarm", region, alarms.get(region, 0))
    custom = {
        (a["region"], a["inputs"]["namespace"], a["inputs"].get("metricName"),
         json.dumps(a["inputs"].get("dimensions", {}), sort_keys=True))
        for a in _of(res, ALARM)
        if a["inputs"].get("namespace") and not str(a["inputs"]["namespace"]).startswith("AWS/")
    }  # fmt: skip
    for region, count in sorted(Counter(key[0] for key in custom).items()):
        add("cloudwatch_custom_metric", region, count)
    for check in _of(res, HEALTH_CHECK):
        region = check["region"]
        add("route53_health_check", region, 1)
        if check["inputs"].get("type") == "HTTPS":
            add("route53_health_check_https", region, 1)
        probes = PROBES_PER_INTERVAL * SECONDS_PER_MONTH / int(check["inputs"]["requestInterval"])
        add("apigateway_http_million", region, round(probes / 1e6, 3))
        _invocation_costs(add, region, served.get(region), probes, HEALTH_SECONDS)
    _probe_costs(posture, res, add, functions, served)
    _replication_costs(posture, res, add, prices)
    for endpoint in _of(res, ENDPOINT):
        if endpoint["inputs"].get("vpcEndpointType") == "Interface":
            zones = len(endpoint["inputs"].get("subnetIds", []))
            add("interface_endpoint_az_hour", endpoint["region"], zones * hours)
    for secret in _of(res, SECRET):
        add("secret", secret["region"], 1)
        for replica in secret["inputs"].get("replicas", []):
            add("secret", str(replica["region"]), 1)
    for key in _of(res, KMS_KEY):
        add("kms_key", key["region"], 1)
    for domain in _of(res, DOMAIN):
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
    rules = {(r["region"], str(r["outputs"].get("name"))): r for r in _of(res, EVENT_RULE)}
    for target in _of(res, EVENT_TARGET):
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


def _replication_costs(
    posture: Posture, res: list[dict[str, Any]], add: Any, prices: dict[str, Any]
) -> None:
    """Replication metrics (idle cost) and the price of each GB written (usage).

    The metrics count in each rule's destination region; a GB written to a bucket is
    transferred, with RTC, to every destination.
    """
    items = prices["items"]
    buckets = _by_arn(res, BUCKET)
    metrics: Counter[str] = Counter()
    order = {region: index for index, region in enumerate(posture.regions)}
    configs = sorted(_of(res, REPLICATION), key=lambda c: order.get(c["region"], len(order)))
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


def document(posture: Posture) -> dict[str, Any]:
    """The posture as plain data (for --json)."""
    return asdict(posture)


def text(posture: Posture) -> str:
    """The posture for people."""
    out = [
        f"DR posture of {posture.project} (stack {posture.stack}), "
        f"regions in failover order: {', '.join(posture.regions)}",
        "",
        "Survives:",
    ]
    out += [f"  {failure}: {how}" for failure, how in posture.survives.items()]
    out += ["", "Recovery objectives:"]
    for store, value in posture.objectives.items():
        out.append(f"  {store}: RPO {value['rpo']}; RTO {value['rto']} [{value['from']}]")
    out += ["", "Not covered:"]
    out += [f"  - {gap}" for gap in posture.not_covered]
    out += ["", f"Alarms reach: {posture.paged}"]
    out += [
        "",
        f"Estimated fixed monthly cost of the idle stack (USD, prices of {posture.prices_date}, "
        f"{posture.prices_basis}; an estimate, not a quote):",
    ]
    for region in posture.cost_by_region:
        out.append(f"  {region}: ${posture.cost_by_region[region]:.2f}")
        for line in posture.cost:
            if line.region == region:
                each = f"{line.quantity:g} x ${line.unit_price:g}"
                out.append(f"    {line.item}: {each} = ${line.monthly:.2f}")
    out.append(f"  total: ${posture.cost_total:.2f}")
    if posture.usage:
        out += ["", "Per use, on top (not idle):"]
        out += [
            f"  {line.region}: ${line.price:g} per {line.unit} ({line.detail})"
            for line in posture.usage
        ]
    if posture.unpriced:
        out += [
            "",
            f"Not priced (types drgen's price table does not know): {', '.join(posture.unpriced)}",
        ]
    return "\n".join(out) + "\n"
