"""Bake projects and run their own suites: the proof that what drgen generates holds.

Marked slow: each project runs its full pytest suite (seconds). CI runs them all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from drgen.answers.rules import build_answers, longest_env_suffix
from drgen.audit.program import load_program
from drgen.audit.records import run_programs
from drgen.project.render import generate
from drgen.verification.run import verify_project

pytestmark = pytest.mark.slow


ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "example.com", "record_name": "api"}


def python_module(
    cwd: Path, module: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m module args` in `cwd`, with this interpreter, output captured."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def bake(
    tmp_path: Path,
    regions: list[str],
    suffix: str = "dev",
    name: str = "demo",
    *,
    route53: bool = False,
    network: str = "none",
    ci: str = "none",
) -> Path:
    raw: dict[str, object] = {
        "regions": regions,
        "env_suffix": suffix,
        "route53": route53,
        "network": network,
        "ci": ci,
    }
    if route53:
        raw.update(ZONE)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    return generate(build_answers(name, raw), tmp_path / name)


def test_drgen_new_defaults_verifies_at_full_coverage(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none")
    assert result.exit_code == 0, result.output
    assert re.search(r"Verified: \d+ passed, 0 failed; coverage 100\.0%", result.stdout), (
        result.stdout
    )
    project = tmp_path / "demo"
    # the project stays clean: reports and caches went elsewhere
    assert not list(project.rglob(".coverage*")) and not list(project.rglob("__pycache__"))
    # and its suite passes by itself, as a user would run it
    alone = python_module(project, "pytest", "-q", "-p", "no:cacheprovider")
    assert alone.returncode == 0, alone.stdout + alone.stderr


@pytest.mark.parametrize("network", ["none", "vpc"])
@pytest.mark.parametrize("route53", [False, True], ids=["no-route53", "route53"])
@pytest.mark.parametrize(
    "regions",
    [["us-east-1", "us-west-2"], ["ap-southeast-1", "eu-west-1", "ap-northeast-3"]],
    ids=["2-regions", "3-regions"],
)
def test_every_combination_verifies_at_the_longest_suffix(
    tmp_path: Path, regions: list[str], route53: bool, network: str
) -> None:
    """Lint and format are tests/project/test_format.py's, over all 24 combinations."""
    suffix = "s" * longest_env_suffix("demo", tuple(regions))
    project = bake(tmp_path, regions, suffix, route53=route53, network=network)
    result = verify_project(project)
    assert result.ok, result.output[-3000:]
    readme = (project / "README.md").read_text()
    assert ("failover alias records" in readme) is route53
    assert ("No NAT gateway" in readme) is (network == "vpc")
    files = {p.name for p in project.rglob("*.py")}
    assert ("dns.py" in files) is route53 and ("test_dns.py" in files) is route53
    assert ("network.py" in files) is (network == "vpc")
    program = "".join(p.read_text() for p in (project / "infra").glob("*.py"))
    assert ("route53" in program) is route53, "no dead code for features that are off"
    assert ("vpc_config" in program) is (network == "vpc")
    assert "failoverRegion" not in "".join(
        p.read_text() for p in project.rglob("*") if p.is_file()
    ), "the failover chain follows the region order; no failoverRegion setting is left"


def test_the_largest_combination_verifies_with_four_regions(tmp_path: Path) -> None:
    """Route 53 on, VPC, four regions (five in the suite's extra-region variant)."""
    regions = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
    project = bake(tmp_path, regions, route53=True, network="vpc")
    result = verify_project(project)
    assert result.ok, result.output[-3000:]
    assert result.percent == 100.0


def resources_with(project: Path, secondaries: list[str]) -> dict[str, dict[str, Any]]:
    """The program's resources by logical name, run under the audit's mocks with these
    secondary regions in the stack file."""
    stack = project / "Pulumi.dev.yaml"
    text = stack.read_text()
    varied = re.sub(
        r"(?m)^(  demo:secondaryRegions: ).*$", rf"\g<1>{json.dumps(secondaries)}", text
    )
    stack.write_text(varied)
    try:
        record = run_programs([load_program(project)], 120)[0]
    finally:
        stack.write_text(text)
    assert not isinstance(record, Exception), record
    return {r["name"]: r for r in record.resources}


def test_removing_the_last_region_does_what_the_readme_says(tmp_path: Path) -> None:
    """The README's "Remove a region" against the program: the replica it unprotects first
    is protected, only that region's resources go, the others change only where they name
    it, and (vpc) removing a region other than the last moves a later region's VPC."""
    regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
    project = bake(tmp_path, regions, route53=True, network="vpc")
    full = resources_with(project, regions[1:])
    fewer = resources_with(project, regions[1:-1])
    removed = regions[-1]
    (table,) = [r for r in full.values() if r["type"] == "aws:dynamodb/table:Table"]
    (replica,) = [r for r in table["inputs"]["replicas"] if r["regionName"] == removed]
    assert replica["deletionProtectionEnabled"] is True, "step 1 would not be needed"
    assert not [n for n, r in fewer.items() if r["region"] == removed]
    gone = set(full) - set(fewer)
    assert {n for n in gone if removed not in n} == {"failover-2-primary", "failover-2-secondary"}
    changed = {
        n for n in fewer if json.dumps(fewer[n]["inputs"], sort_keys=True)
        != json.dumps(full[n]["inputs"], sort_keys=True)
    }  # fmt: skip
    assert changed == {
        "table-us-east-1", "secret-us-east-1", "failover-1-secondary",
        *(f"replication-{r}" for r in regions[:-1]),
        *(f"replication-policy-{r}" for r in regions[:-1]),
        # every function lists the regions (/health reads their heartbeats), every probe its
        # targets: both are updated in place, not replaced
        *(f"function-{r}" for r in regions[:-1]),
        *(f"probe-{r}" for r in regions[:-1]),
        # the drills: the S3 pause and its role's destinations, and one stop condition fewer
        *(f"fis-{kind}-{r}" for r in regions[:-1] for kind in ("dynamodb", "s3", "policy")),
    }  # fmt: skip
    middle = resources_with(project, [regions[1], regions[3]])
    assert (
        middle["vpc-ap-southeast-2"]["inputs"]["cidrBlock"]
        != (full["vpc-ap-southeast-2"]["inputs"]["cidrBlock"])
    ), "removing a middle region would leave the later VPCs in place"
    readme = (project / "README.md").read_text()
    section = readme.split("## Remove a region\n", 1)[1].split("\n## ", 1)[0]
    assert "remove only the last region" in section
    assert "update-table --region <region> --table-name demo-items-dev --no-deletion" in section
    assert f"drgen update --set regions={','.join(regions[:-1])}\n" in section


#: Each pitfall fix, removed from a baked project: its own suite must then fail.
#: (file, text of the fix, text without it, the pitfall).
MUTATIONS = [
    ("infra/providers.py", "region=region,", "", "10: provider without its region"),
    (
        "infra/storage.py",
        "opts = pulumi.ResourceOptions(provider=provider)\n    bucket",
        "opts = pulumi.ResourceOptions()\n    bucket",
        "10: regional resource on the default provider",
    ),
    (
        "infra/storage.py",
        "*(dest.versioning for dest in destinations),",
        "",
        "4: replication before destination versioning",
    ),
    (
        "infra/storage.py",
        "                source.versioning,\n",
        "",
        "4: replication before source versioning",
    ),
    (
        "infra/compute.py",
        "        invoked_via_function_url=True,\n",
        "",
        "5: URL invoke permission",
    ),
    ("infra/compute.py", 'function_url_auth_type="NONE",', "", "5: URL auth type"),
    (
        "infra/compute.py",
        "table_arn = inputs.table.arn.apply(lambda arn: arn_in_region(arn, region))",
        'table_arn = f"{inputs.table.arn}"',
        "3: Output pasted into a string",
    ),
    (
        "infra/secret.py",
        "secret_string=value,",
        'secret_string="hunter2-hunter2",',
        "6: secret literal in code",
    ),
    (
        "infra/config.py",
        'return "-".join((self.project, *parts, self.env_suffix))',
        'return "-".join((self.project, *parts))',
        "8: names without the suffix",
    ),
    (
        "infra/storage.py",
        "restrict_public_buckets=True",
        "restrict_public_buckets=False",
        "S3 public access",
    ),
    (
        "infra/storage.py",
        "noncurrent_days=NONCURRENT_VERSION_DAYS",
        "noncurrent_days=36500",
        "noncurrent versions pile up in every region",
    ),
    (
        "infra/database.py",
        'stream_view_type="NEW_AND_OLD_IMAGES",',
        'stream_view_type="KEYS_ONLY",',
        "global table streams",
    ),
    (
        "app/handler.py",
        "    if not isinstance(data, dict):\n",
        "    if False:\n",
        "7: untested branch",
    ),
    (
        "app/handler.py",
        '    found = _client("dynamodb").batch_get_item(',
        '    _client("dynamodb").describe_table(TableName=table)\n'
        '    found = _client("dynamodb").batch_get_item(',
        "health probes the control plane",
    ),
    (
        "infra/compute.py",
        '"Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchGetItem"],',
        '"Action": ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", '
        '"dynamodb:BatchGetItem"],',
        "function may call DescribeTable",
    ),
    (
        "infra/compute.py",
        "        reserved_concurrent_executions=config.reserved_concurrency,\n",
        "",
        "no reserved concurrency",
    ),
    (
        "infra/config.py",
        "DEFAULT_RESERVED_CONCURRENCY = NO_RESERVATION",
        "DEFAULT_RESERVED_CONCURRENCY = 50",
        "a default reservation fails CreateFunction on new accounts",
    ),
    (
        "infra/compute.py",
        "return pulumi.AssetArchive({HANDLER_FILE: pulumi.FileAsset(str(APP_DIR / HANDLER_FILE))})",
        "return pulumi.FileArchive(str(APP_DIR))  # type: ignore[return-value]",
        "code asset holds more than the handler",
    ),
    (
        "infra/compute.py",
        "                log_group,\n",
        "",
        "function before its log group",
    ),
    (
        "infra/storage.py",
        "depends_on=[public_access]",
        "depends_on=[]",
        "bucket policy before the public access block",
    ),
    (
        "infra/storage.py",
        '"ArnLike": {"aws:SourceArn": source.bucket.arn},',
        "",
        "replication role trusted without aws:SourceArn",
    ),
    (
        "infra/storage.py",
        'ReplicaModificationsArgs(\n                    status="Enabled"',
        'ReplicaModificationsArgs(\n                    status="Disabled"',
        "no replica modification sync",
    ),
    (
        "infra/stack.py",
        "for region in config.regions\n    }\n    table",
        "for region in config.regions[:1]\n    }\n    table",
        "one-way replication from the primary only",
    ),
    (
        "infra/stack.py",
        "table_replication_alarms(config, table, region, topics[region], providers[region])",
        "table_replication_alarms(config, table, config.primary_region, topics[region], primary)",
        "replication alarms only in the primary",
    ),
    (
        "infra/stack.py",
        "get_caller_identity_output(\n"
        "        opts=pulumi.InvokeOutputOptions(provider=primary)\n    )",
        "get_caller_identity_output()",
        "10: lookup on the default provider",
    ),
    (
        "infra/monitoring.py",
        'metric_name="ReplicationLatency",\n                dimensions=dimensions,',
        'metric_name="OperationsPendingReplication",\n                dimensions=dimensions,',
        "S3 replication stopping goes unseen",
    ),
    (
        "infra/monitoring.py",
        "                topics[dest.region],\n                published_in(dest.region),",
        "                topics[source.region],\n                published_in(source.region),",
        "S3 latency alarm in the source region",
    ),
    (
        "infra/compute.py",
        'metric_name="Url5xxCount",',
        'metric_name="Url4xxCount",',
        "no 5xx alarm on the Function URL",
    ),
    (
        "infra/monitoring.py",
        "    if config.alarm_email is not None:\n",
        "    if False:\n",
        "alarm e-mail not subscribed",
    ),
    (
        "infra/database.py",
        "        deletion_protection_enabled=True,\n        replicas",
        "        replicas",
        "table without deletion protection",
    ),
    (
        "infra/database.py",
        "                deletion_protection_enabled=True,\n",
        "",
        "replica without deletion protection",
    ),
    (
        "infra/database.py",
        "propagate_tags=True",
        "propagate_tags=False",
        "replicas without the table's tags",
    ),
    (
        "app/handler.py",
        'region_name=os.environ["AWS_REGION"], config=config)',
        'region_name=os.environ["AWS_REGION"])',
        "boto3's 60 s timeouts and legacy retries",
    ),
    (
        "app/handler.py",
        "PROBE_ATTEMPTS = 1\n",
        "PROBE_ATTEMPTS = 3\n",
        "health retries past Route 53's answer window",
    ),
    (
        "app/handler.py",
        '_client("dynamodb", REQUEST).put_item(',
        '_client("dynamodb").put_item(',
        "a user's write is never retried",
    ),
    (
        "app/handler.py",
        'raise ClientFault(400, "body is not base64-encoded UTF-8 text") from None',
        "raise",
        "an invalid base64 body crashes (502)",
    ),
    (
        "app/handler.py",
        'if ITEM_TOO_LARGE in error.response.get("Error", {}).get("Message", ""):',
        "if False:",
        "an item over 400 KB answers 503 and pages",
    ),
    (
        "ops/restore.py",
        'if item[HASH_KEY]["S"].startswith(RESERVED_PREFIX):',
        "if False:",
        "a restore copies /health's stale keys back",
    ),
    (
        "ops/restore.py",
        'requests = client.batch_write_item(RequestItems=requests)["UnprocessedItems"]',
        "client.batch_write_item(RequestItems=requests)\n        requests = {}",
        "a restore drops the items DynamoDB left unprocessed",
    ),
    (
        "app/handler.py",
        "healthy = serving and not lag.lagging and not drained",
        "healthy = serving and not lag.lagging",
        "a drained region's /health still answers 200",
    ),
    (
        "app/handler.py",
        "        DRAINED_PREFIX + region,\n",
        "",
        "/health never reads the drain flag",
    ),
    (
        "app/handler.py",
        "if cached is not None and now - cached[0] < DRAIN_CACHE_SECONDS:",
        "if cached is not None:",
        "the drain flag is cached past its bound",
    ),
    (
        "app/handler.py",
        "    if not is_drained():\n        return response\n",
        "    return response\n",
        "a drained region's answers do not say so",
    ),
    (
        "ops/drain.py",
        "if not args.undo and not serving and not args.force:",
        "if False:",
        "the last serving region is drained without --force",
    ),
    (
        "ops/drain.py",
        "via = args.via if args.via is not None else args.region",
        "via = args.region",
        "--via still writes through the drained region",
    ),
    (
        "ops/drain-policy.json",
        '"Action": ["dynamodb:BatchGetItem", "dynamodb:PutItem"],',
        '"Action": ["dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:GetItem"],',
        "the drain policy grants more than the switch calls",
    ),
    (
        "ops/drain-policy.json",
        '"ForAllValues:StringEquals": {',
        '"ForAnyValue:StringEquals": {',
        "the drain policy reaches items other than the flags",
    ),
    (
        "ops/drain-policy.json",
        '        "StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"},\n',
        "",
        "the drain policy reaches other accounts' tables",
    ),
    (
        "ops/drill.py",
        "    finally:\n        drill.put_back()\n",
        "    finally:\n        pass\n",
        "a stopped drill leaves the primary drained",
    ),
    (
        "ops/drill_steps.py",
        "for region, experiment in list(self.experiments):",
        "for region, experiment in []:",
        "a stopped drill leaves its FIS experiments running",
    ),
    (
        "ops/drill_steps.py",
        'if answer.status != 200 or answer.body.get("region") != region:',
        "if False:",
        "the drill starts with an unhealthy region",
    ),
    (
        "ops/drill_steps.py",
        "            if self.env.clock() - since > limit:\n",
        "            if False:\n",
        "the drill waits forever for DNS that never moves",
    ),
    (
        "ops/drill_steps.py",
        "return addresses[0], self.env.http(method, url, headers, body, addresses[0])",
        "return addresses[0], self.env.http(method, url, headers, body, None)",
        "the drill's requests go through a caching resolver",
    ),
    (
        "ops/drill_steps.py",
        "        paused = self.target.regions[-1]\n",
        "        paused = self.target.regions[0]\n",
        "the replication drill pauses the primary, which a two-region pause keeps serving",
    ),
    (
        "ops/drill_steps.py",
        '            self.env.aws("s3", paused).put_object(\n',
        "            (lambda **_: None)(\n",
        "the S3 drill writes nothing, so no replication is ever late",
    ),
    (
        "ops/drill_model.py",
        'name = "unreachable-{paused}-from-{other}" if kind == "dynamodb" else REPLICATION_LATE',
        'name = "table-latency-{paused}-{other}" if kind == "dynamodb" else REPLICATION_LATE',
        "the DynamoDB drill waits for the latency alarm, which a pause never fires",
    ),
    (
        "ops/drill_steps.py",
        'and (state != "ALARM" or bool(topics & set(found[0].get("AlarmActions", []))))',
        "",
        "an alarm that notifies nobody counts as fired",
    ),
    (
        "infra/stack.py",
        "{other: url for other, url in health_urls.items() if other != region}",
        "{other: url for other, url in health_urls.items() if other == region}",
        "a region probes only itself",
    ),
    (
        "infra/stack.py",
        "            topics[region],\n            {other",
        "            topics[config.primary_region],\n            {other",
        "probe alarms page through the primary's topic",
    ),
    (
        "infra/probes.py",
        '            treat_missing_data="breaching",\n',
        "",
        "a probe that stops is silence",
    ),
    (
        "infra/probes.py",
        'handler="probe.handler",',
        'handler="probe.handler", vpc_config=aws.lambda_.FunctionVpcConfigArgs('
        'subnet_ids=["subnet-1"], security_group_ids=["sg-1"]),',
        "probe inside a VPC",
    ),
    (
        "infra/probes.py",
        '"Condition": {"StringEquals": {"cloudwatch:namespace": namespace(config)}},',
        "",
        "probe may publish into any namespace",
    ),
    (
        "infra/probes.py",
        '"Condition": {\n                        "ForAllValues:StringEquals"',
        '"Unused": {\n                        "ForAllValues:StringEquals"',
        "probe may write any item",
    ),
    (
        "infra/probes.py",
        "        source_arn=rule.arn,\n",
        "",
        "any rule may invoke the probe",
    ),
    (
        "infra/probes.py",
        "        maximum_retry_attempts=0,\n",
        "",
        "failed probe runs retried late",
    ),
    (
        "app/handler.py",
        "        if item_id.startswith(RESERVED_PREFIX):\n",
        "        if False:\n",
        "clients can overwrite the drain flag and the heartbeats",
    ),
    (
        "app/handler.py",
        "    healthy = serving and not lag.lagging and not drained\n",
        "    healthy = serving and not drained\n",
        "a lagging replica takes traffic",
    ),
    (
        "app/handler.py",
        '    serving = checks["table"] and checks["secret"]\n',
        "    serving = all(checks.values())\n",
        "an S3-only problem fails the service over",
    ),
    (
        "app/handler.py",
        '        if now - float(sighting["at"]) <= SIGHTING_TTL_SECONDS\n',
        "",
        "a stopped probe keeps its region out",
    ),
    (
        "app/handler.py",
        'if not sighting.get("serving") or reported is None',
        "if reported is None",
        "a region that does not serve still holds others out",
    ),
    (
        "app/handler.py",
        '        if not theirs.get("healthy"):\n            return False\n',
        "",
        "a region yields to one that is out, and a drain leaves nothing serving",
    ),
    (
        "app/handler.py",
        '        if region in theirs.get("ahead", []):\n',
        "        if False:\n",
        "both ends of a paused link leave",
    ),
    (
        "app/handler.py",
        'return (True, len(theirs.get("inSync", [])), -place(other)) > mine',
        "return True",
        "a pause's tie-break takes both ends out",
    ),
    (
        "app/handler.py",
        "return behind[other] > MAX_LAG_SECONDS + CONFIRM_SECONDS",
        "return True",
        "a region leaves before the far end of a pause could report it, and all flap",
    ),
    (
        "app/handler.py",
        'if region not in theirs.get("inSync", []) or not seen_healthy:',
        'if region not in theirs.get("inSync", []):',
        "a region out for lag comes back while it still lags",
    ),
    (
        "app/probe.py",
        'serving = answer.get("serving") is True',
        "serving = status == 200",
        "a region out for lag is no reference, and the pause's survivor flaps",
    ),
    (
        "app/probe.py",
        'judged = serving and answer.get("lagChecked") is True',
        "judged = serving",
        "a region back before its probe ran pushes the others out",
    ),
    (
        "app/probe.py",
        "timeout=TIMEOUT_SECONDS",
        "timeout=None",
        "probe calls without a timeout",
    ),
    (
        "infra/compute.py",
        '"dynamodb:PutItem", "dynamodb:BatchGetItem"]',
        '"dynamodb:PutItem"]',
        "/health may not read the probes' items",
    ),
    (
        "infra/storage.py",
        "        tags={FIS_TARGET_TAG: fis_target(config, region)},\n",
        "",
        "the S3 drill finds no bucket (FIS targets it by tag only)",
    ),
    (
        "infra/fis.py",
        "resource_arns=[table_arn],",
        "resource_arns=[table.arn],",
        "the DynamoDB drill targets another region's replica",
    ),
    (
        "infra/fis.py",
        'parameter("region", dest.region),',
        'parameter("region", region),',
        "the S3 drill pauses towards its own region",
    ),
    ("infra/fis.py", "PAUSE_MINUTES = 20", "PAUSE_MINUTES = 5", "a drill too short to alarm"),
    (
        "infra/fis.py",
        '"Resource": [table_arn, pulumi.Output.concat(table_arn, "/stream/*")],',
        '"Resource": [table_arn],',
        "the FIS role cannot pause the replica's stream",
    ),
    (
        "infra/fis.py",
        '"Condition": {"BoolIfExists": {"s3:IsReplicationPauseRequest": "true"}},',
        "",
        "the FIS role drops the pause-request condition FIS documents",
    ),
    (
        "infra/fis.py",
        '"arn:aws:fis:", region, ":", account_id, ":experiment/*"',
        '"arn:aws:fis:*:", account_id, ":*"',
        "the FIS role may be assumed for any experiment",
    ),
    (
        "infra/fis.py",
        "    return [*probe_alarms.values(), errors][:MAX_STOP_CONDITIONS]",
        "    return [errors]",
        "a drill goes on while another region is lost",
    ),
    (
        "infra/fis.py",
        'empty_target_resolution_mode="fail"',
        'empty_target_resolution_mode="skip"',
        "a drill that paused nothing passes",
    ),
]


#: Fixes only the coverage gate guards; every other removed fix must fail a test.
COVERAGE_ONLY = {"7: untested branch"}
#: The generated test files that judge a file most directly, by the file's path.
FIRST_TESTS = {
    "app/handler.py": ("test_handler.py", "test_lag.py", "test_drain.py"),
    "app/probe.py": ("test_probe.py", "test_lag.py"),
    "ops/drain.py": ("test_drain.py",),
    "ops/drain-policy.json": ("test_drain.py",),
    "ops/drill.py": ("test_drill.py",),
    "ops/drill_model.py": ("test_drill.py",),
    "ops/drill_steps.py": ("test_drill.py",),
    "ops/restore.py": ("test_restore.py",),
    "infra/fis.py": ("test_fis.py", "test_policies.py"),
    "infra/probes.py": ("test_probes.py", "test_policies.py"),
    "infra/dns.py": ("test_dns.py", "test_policies.py"),
    "infra/network.py": ("test_network.py", "test_policies.py"),
    "infra/config.py": ("test_config.py", "test_policies.py"),
    "infra/compute.py": ("test_network.py", "test_policies.py", "test_dependencies.py"),
    "infra/storage.py": ("test_fis.py", "test_policies.py", "test_dependencies.py"),
    "requirements-dev.txt": ("test_workflows.py",),
}


#: The test files that judge a fix of a file whose FIRST_TESTS miss it (each saves a run of
#: the whole suite), by the fix's pitfall.
FIRST_TESTS_OF_FIX = {
    "private hosted zone accepted": ("test_config.py",),
    "stage settings before the route they name": ("test_dependencies.py",),
}


def first_tests(path: str, pitfall: str = "") -> tuple[str, ...]:
    """The test files a mutant of `path` runs first: its own, else the stack's policies."""
    if pitfall in FIRST_TESTS_OF_FIX:
        return FIRST_TESTS_OF_FIX[pitfall]
    if path.startswith(".github/"):
        return ("test_workflows.py",)
    return FIRST_TESTS.get(path, ("test_policies.py", "test_dependencies.py"))


def assert_mutant_fails(
    pristine: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    fix: str,
    broken: str,
    pitfall: str,
) -> None:
    """Copy the project, take the fix out of `path`, and expect its own suite to fail: a test
    must fail (checked without the coverage gate, which also halves the run), or for the
    fixes in COVERAGE_ONLY, the gate."""
    project = tmp_path / "mutant"
    shutil.copytree(pristine, project)
    source = project / path
    text = source.read_text()
    assert text.count(fix) == 1, f"the fix for {pitfall} is no longer in {path}"
    source.write_text(text.replace(fix, broken))
    if pitfall in COVERAGE_ONLY:
        result = verify_project(project, fail_fast=True)
        assert not result.ok, f"removing the fix for {pitfall} went unnoticed"
        return
    # the tests that judge the file first, alone: pytest collects the files of one package
    # in directory order whatever order they are named in, so naming them before `tests`
    # would not run them first. Only a mutant they miss runs the whole suite. Without the
    # coverage gate (--no-cov) a run is never ok: a failing test is what counts.
    tests = project / "tests"
    first = [f"tests/{name}" for name in first_tests(path, pitfall) if (tests / name).is_file()]
    base = os.environ.get("PYTEST_ADDOPTS", "")
    for selection in ([first] if first else []) + [["tests"]]:
        monkeypatch.setenv("PYTEST_ADDOPTS", " ".join([base, "--no-cov", *selection]))
        result = verify_project(project, fail_fast=True)
        if result.failing_tests:
            break
    assert result.failing_tests, f"removing the fix for {pitfall} fails no test"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("pristine"), ["us-east-1", "us-west-2"])


@pytest.mark.parametrize(
    ("path", "fix", "broken", "pitfall"), MUTATIONS, ids=[m[3] for m in MUTATIONS]
)
def test_removing_a_fix_fails_the_generated_suite(
    pristine: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    fix: str,
    broken: str,
    pitfall: str,
) -> None:
    assert_mutant_fails(pristine, tmp_path, monkeypatch, path, fix, broken, pitfall)


def test_the_wheel_ships_the_template(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    built = python_module(
        tmp_path,
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(tmp_path),
        str(root),
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("drgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "drgen/templates/copier.yml",
        "drgen/templates/project/infra/stack.py.jinja",
        "drgen/templates/project/infra/{% if route53 %}dns.py{% endif %}",
        "drgen/templates/project/infra/{% if network == 'vpc' %}network.py{% endif %}",
        "drgen/templates/project/Pulumi.{{ env_suffix }}.yaml.jinja",
    }
    assert expected <= names, sorted(n for n in names if "templates" in n)

    # installed as pip installs it (bytecode compiled next to the template), drgen renders
    # from the packaged template, and no bytecode reaches the project
    site = tmp_path / "site"
    installed = python_module(
        tmp_path, "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)
    )
    assert installed.returncode == 0, installed.stderr
    assert list((site / "drgen" / "templates").rglob("*.pyc")), "pip compiled the template"
    env = {**os.environ, "PYTHONPATH": str(site)}
    new = python_module(
        tmp_path,
        "drgen",
        "new",
        "demo",
        "--defaults",
        "--alarm-email",
        "none",
        "--no-verify",
        "--json",
        env=env,
    )
    assert new.returncode == 0, new.stdout + new.stderr
    project = tmp_path / "demo"
    assert (project / "infra" / "stack.py").is_file()
    assert not list(project.rglob("__pycache__")) and not list(project.rglob("*.pyc"))


#: The same for the fixes the toggles bring, on a project with route53 on, network vpc and
#: the GitHub workflows.
NETWORK = "infra/network.py"
DNS = "infra/dns.py"
DEPLOY = ".github/workflows/deploy.yml"
CI = ".github/workflows/ci.yml"
TOGGLE_MUTATIONS = [
    (
        CI,
        "        run: python -m pip install -r requirements-dev.txt\n",
        "        run: |\n"
        "          version=\"$(sed -n 's/^drgen_version: *//p' .drgen/answers.yml)\"\n"
        '          python -m pip install -r requirements-dev.txt "drgen==${version}"\n',
        "the freshness check runs the recorded drgen (it can never fail)",
    ),
    (
        ".github/dependabot.yml",
        "    allow:\n      - dependency-name: drgen\n",
        "    allow:\n      - dependency-name: boto3\n",
        "nothing bumps the drgen pin",
    ),
    (
        "requirements-dev.txt",
        "\ndrgen==",
        "\n# drgen==",
        "no drgen pin to check the template against",
    ),
    (
        DEPLOY,
        "role-to-assume: ${{ secrets.AWS_PREVIEW_ROLE_ARN }}",
        "role-to-assume: ${{ secrets.AWS_DEPLOY_ROLE_ARN }}",
        "pull-request previews get the deploy role",
    ),
    (
        DEPLOY,
        "PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}",
        "PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
        "pull-request previews get the deploy token",
    ),
    (
        DEPLOY,
        "    environment: ${{ matrix.stack }}\n",
        "",
        "deploys outside the protected environment",
    ),
    (
        "infra/stack.py",
        "region: pulumi.Output.concat(front.api.api_endpoint, HEALTH_PATH)",
        'region: pulumi.Output.concat(functions[region].url.function_url, "health")',
        "probes skip the front clients use",
    ),
    (
        NETWORK,
        'for service in ("dynamodb", "s3")',
        'for service in ("dynamodb",)',
        "1: no S3 gateway endpoint",
    ),
    (
        NETWORK,
        'vpc_endpoint_type="Interface"',
        'vpc_endpoint_type="Gateway"',
        "1: no Secrets Manager interface endpoint",
    ),
    (
        "infra/compute.py",
        "policy_arn=VPC_ACCESS_POLICY",
        'policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"',
        "1: no VPC access policy",
    ),
    (
        "infra/compute.py",
        "service-role/AWSLambdaENIManagementAccess",
        "service-role/AWSLambdaVPCAccessExecutionRole",
        "VPC access grants log writes on every group",
    ),
    (
        NETWORK,
        "        if all(name in zones for zones in offered)\n",
        "",
        "subnets in zones without the endpoint",
    ),
    (
        NETWORK,
        'ZONE_SERVICES = ("secretsmanager", "lambda")',
        'ZONE_SERVICES = ("secretsmanager",)',
        "subnets in zones Lambda may not support",
    ),
    (
        NETWORK,
        'aws.GetAvailabilityZonesFilterArgs(name="zone-type", values=["availability-zone"]),',
        "",
        "Local Zones eligible",
    ),
    (
        NETWORK,
        "            policy=endpoint_policy(service, resources[service]),\n",
        "",
        "gateway endpoints admit any account's tables and buckets",
    ),
    (
        NETWORK,
        '            policy=endpoint_policy("secretsmanager", resources["secretsmanager"]),\n',
        "",
        "secrets endpoint admits any account's secrets",
    ),
    (
        NETWORK,
        '"s3": [targets.bucket.arn, pulumi.Output.concat(targets.bucket.arn, "/*")],',
        '"s3": ["arn:aws:s3:::*"],',
        "S3 endpoint admits every bucket",
    ),
    (
        "infra/compute.py",
        '"Action": ["ec2:DescribeSubnets"],',
        '"Action": ["ec2:DescribeSubnets", "ec2:DescribeVpcs"],',
        "Resource * beyond the actions that need it",
    ),
    (
        "infra/compute.py",
        '                    "Sid": "DescribeSubnets",\n'
        '                    "Effect": "Allow",\n'
        '                    "Action": ["ec2:DescribeSubnets"],\n'
        '                    "Resource": "*",\n',
        '                    "Sid": "DescribeSubnets",\n'
        '                    "Effect": "Deny",\n'
        '                    "Action": ["ec2:DescribeSubnets"],\n'
        '                    "Resource": "*",\n',
        "no ec2:DescribeSubnets for the VPC function",
    ),
    (NETWORK, "        auto_accept=True,\n", "        auto_accept=False,\n", "9: nobody accepts"),
    (
        NETWORK,
        "pulumi.ResourceOptions(depends_on=[accepter])",
        "pulumi.ResourceOptions()",
        "9: routes before acceptance",
    ),
    (
        NETWORK,
        "((primary, peer, requester_opts), (peer, primary, peer_opts))",
        "((primary, peer, requester_opts),)",
        "9: a route on one side only",
    ),
    (
        DNS,
        "fqdn=api.api_endpoint.apply(host_of),",
        "ip_address=api.api_endpoint.apply(host_of),",
        "2: health check on an ip_address",
    ),
    (
        DNS,
        "        health_check_id=health_check.id if health_check is not None else None,\n",
        "",
        "2: failover record without its health check",
    ),
    (
        DNS,
        "        last = level == len(regions) - 2\n",
        "        last = True\n",
        "chain leaves a region out",
    ),
    (
        DNS,
        "    regions = config.regions\n",
        "    regions = tuple(sorted(config.regions))\n",
        "chain in the wrong order",
    ),
    (
        DNS,
        "zone_id=zone_id,\n                evaluate_target_health=True,",
        "zone_id=zone_id,\n                evaluate_target_health=False,",
        "chain ignores the next level's health",
    ),
    (
        DNS,
        "front_alias(front), front.health_check, provider",
        "front_alias(front), None, provider",
        "PRIMARY without its health check",
    ),
    (
        DNS,
        "        allow_overwrite=True,\n",
        "",
        "validation record cannot take over ACM's CNAME",
    ),
    (
        DNS,
        "        if private:\n",
        "        if False:\n",
        "private hosted zone accepted",
    ),
    (
        DNS,
        "            throttling_rate_limit=config.api_rate_limit,\n",
        "",
        "API stage unthrottled",
    ),
    (
        DNS,
        'dimensions={"HealthCheckId": front.health_check.id},',
        'dimensions={"HealthCheckId": fronts[config.primary_region].health_check.id},',
        "only the primary's health check alarmed",
    ),
    (
        DNS,
        'metric_name="5xx",',
        'metric_name="4xx",',
        "no 5xx alarm on the API",
    ),
    (
        DNS,
        "                throttling_rate_limit=HEALTH_RATE_LIMIT,\n",
        "",
        "/health without a throttle of its own",
    ),
    (
        DNS,
        "        route_key=HEALTH_ROUTE,\n        target=target,",
        '        route_key="$default",\n        target=target,',
        "/health shares the default route",
    ),
    (
        DNS,
        "depends_on=[health_route]",
        "depends_on=[]",
        "stage settings before the route they name",
    ),
    (
        "infra/config.py",
        'api_rate_limit=positive_int(config, "apiRateLimit", DEFAULT_API_RATE_LIMIT),',
        "api_rate_limit=DEFAULT_API_RATE_LIMIT,",
        "apiRateLimit ignored",
    ),
    (
        DNS,
        'dimensions={"CertificateArn": certificates[region].arn},',
        'dimensions={"CertificateArn": certificates[config.primary_region].arn},',
        "certificate expiry watched in one region only",
    ),
    (
        "infra/stack.py",
        '            "dnsAlarmTopicArn": self.failover.alarm_topic.arn,\n',
        "",
        "Route 53 alarm topic not exported",
    ),
    (
        DNS,
        "zone_id, name_servers = existing_zone(config, primary)",
        "zone_id, name_servers = (\n"
        "        pulumi.Output.from_input(config.hosted_zone_id), pulumi.Output.from_input([])\n"
        "    )",
        "2: the zone is not looked up",
    ),
    (
        DNS,
        'config, level, "SECONDARY", zone_id, alias, check, provider, after=below',
        'config, level, "SECONDARY", zone_id, alias, check, provider',
        "chain level created before the level it aliases",
    ),
    (
        DNS,
        "opts = pulumi.ResourceOptions(provider=provider)\n    api =",
        "opts = pulumi.ResourceOptions()\n    api =",
        "10: toggle resources on the default provider",
    ),
]


@pytest.fixture(scope="module")
def pristine_full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(
        tmp_path_factory.mktemp("pristine-full"),
        ["us-east-1", "us-west-2", "eu-west-1"],
        route53=True,
        network="vpc",
        ci="github",
    )


@pytest.mark.parametrize(
    ("path", "fix", "broken", "pitfall"), TOGGLE_MUTATIONS, ids=[m[3] for m in TOGGLE_MUTATIONS]
)
def test_removing_a_toggle_fix_fails_the_generated_suite(
    pristine_full: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    fix: str,
    broken: str,
    pitfall: str,
) -> None:
    assert_mutant_fails(pristine_full, tmp_path, monkeypatch, path, fix, broken, pitfall)
