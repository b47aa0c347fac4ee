"""What the stack survives, its recovery objectives, what it does not cover, who hears alarms.

Each answer is read from the resources the program declares, in the words the generated
README's DR posture section uses (a test compares the two).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from drgen.files import InputError, load_yaml, read_text
from drgen.posture.model import Posture
from drgen.posture.resource_types import (
    DYNAMODB_TABLE,
    HEALTH_CHECK,
    LIFECYCLE,
    RECORD,
    REPLICATION,
    ROTATION,
    SECRET,
    SUBNET,
    SUBSCRIPTION,
    TOPIC,
    VERSIONING,
    of,
    slowest_timing,
)
from drgen.text import plural

#: How long resolvers keep an alias answer for an API Gateway target: Route 53 answers alias
#: queries with the target's TTL, 60 s for API Gateway regional domains.
ALIAS_TTL_SECONDS = 60
PREVIEW_IN_CI = " (the generated deploy workflow runs it on each pull request)"
DEPLOY_WORKFLOW = Path(".github/workflows/deploy.yml")
RESTORE_SCRIPT = Path("ops/restore.py")


def _minutes(res: list[dict[str, Any]]) -> list[int]:
    found = []
    for config in of(res, REPLICATION):
        for rule in config["inputs"].get("rules", []):
            time = rule.get("destination", {}).get("replicationTime", {})
            if time.get("status") == "Enabled":
                found.append(int(time["time"]["minutes"]))
    return found


def add_survival(posture: Posture, res: list[dict[str, Any]], answers: dict[str, Any]) -> None:
    """Fill in what each failure does to the stack and each store's recovery objectives."""
    checks = of(res, HEALTH_CHECK)
    failover = [r for r in of(res, RECORD) if r["inputs"].get("failoverRoutingPolicies")]
    tables = of(res, DYNAMODB_TABLE)
    secrets = of(res, SECRET)
    minutes = _minutes(res)
    versioned = [
        v for v in of(res, VERSIONING)
        if v["inputs"].get("versioningConfiguration", {}).get("status") == "Enabled"
    ]  # fmt: skip
    subnets = Counter(s["region"] for s in of(res, SUBNET))
    order = " -> ".join(posture.regions)
    kept = [
        int(rule["noncurrentVersionExpiration"]["noncurrentDays"])
        for lifecycle in of(res, LIFECYCLE)
        for rule in lifecycle["inputs"].get("rules", [])
        if rule.get("status") == "Enabled" and rule.get("noncurrentVersionExpiration")
    ]

    if checks and failover:
        interval, threshold = slowest_timing(checks)
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
    rotation = bool(of(res, ROTATION))
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
            "from": f"replicas in {plural(len(table.get('replicas', [])), 'other region')}, "
            f"PITR {'on' if pitr else 'off'}",
        },
        "S3 buckets": {
            "rpo": f"{max(minutes)} min for 99.99% of objects (RTC target, not a bound)"
            if minutes
            else "unbounded (no Replication Time Control)",
            "rto": "none: every bucket serves reads",
            "from": f"{plural(len(minutes), 'replication rule')} with RTC",
        },
        "secret": {
            "rpo": "until Secrets Manager replicates the last change (asynchronous)",
            "rto": "none for reads: each region reads its replica",
            "from": f"in {plural(secret_regions, 'region')}",
        },
        "traffic": traffic,
    }


def _ci_sts_regions(path: Path) -> list[str]:
    """The regions whose STS the deploy workflow gets its credentials from (`aws-region`)."""
    try:
        workflow = load_yaml(read_text(path / DEPLOY_WORKFLOW))
        jobs = workflow["jobs"].values()
        steps = [step for job in jobs for step in job.get("steps", [])]
    except (OSError, InputError, yaml.YAMLError, TypeError, KeyError, AttributeError):
        return []
    found = {
        str(step["with"]["aws-region"])
        for step in steps
        if isinstance(step, dict) and isinstance(step.get("with"), dict)
        and "aws-region" in step["with"]
    }  # fmt: skip
    return sorted(found)


def add_not_covered(
    posture: Posture, res: list[dict[str, Any]], invokes: list[dict[str, Any]], path: Path
) -> None:
    """Fill in the failures the stack does not recover from, lookups and CI included."""
    checks = of(res, HEALTH_CHECK)
    failover = [r for r in of(res, RECORD) if r["inputs"].get("failoverRoutingPolicies")]
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
    if not of(res, ROTATION):
        posture.not_covered.append("secret rotation")
    if of(res, REPLICATION):
        # S3 publishes ReplicationLatency in the destination's region only:
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
        posture.not_covered.append(
            "S3 replication towards a region that is down: its latency is published and alarmed "
            "only in that region, and its objects stay pending, not failed, so the surviving "
            "regions raise no S3 replication alarm (the failed-operations alarm stays in the "
            "source region)"
        )


def paged(res: list[dict[str, Any]]) -> str:
    """Who hears the alarms: the addresses subscribed, and every topic nobody hears."""
    topics = [str(t["inputs"].get("name", t["name"])) for t in of(res, TOPIC)]
    heard: dict[str, set[str]] = {}
    for subscription in of(res, SUBSCRIPTION):
        inputs = subscription["inputs"]
        # a topic's ARN ends with its name
        topic = str(inputs.get("topic", "")).rsplit(":", 1)[-1]
        heard.setdefault(topic, set()).add(str(inputs.get("endpoint", "")))
    deaf = sorted(name for name in topics if name not in heard)
    if not topics:
        return "nobody: the stack has no alarm topic"
    if len(deaf) == len(topics):
        which = (
            "the alarm topic has no subscription"
            if len(topics) == 1
            else f"none of the {len(topics)} alarm topics has a subscription"
        )
        return (
            f"NOBODY: {which}, so no alarm reaches a person "
            "(set alarmEmail: drgen update --set alarm_email=ADDRESS)"
        )
    addresses = sorted(set().union(*heard.values()))
    heard_on = f"{len(topics) - len(deaf)} of {plural(len(topics), 'alarm topic')}"
    line = f"{', '.join(addresses)} on {heard_on}"
    return line + (f"; nobody hears {', '.join(deaf)}" if deaf else "")
