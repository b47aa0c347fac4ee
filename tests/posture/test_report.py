"""`drgen report`: the posture and the idle cost come from the project's own code and drgen's
dated price table, so editing the project changes the report and nothing is restated by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drgen.answers.rules import build_answers
from drgen.errors import EXIT_USAGE
from drgen.posture.costs import (
    HEALTH_SECONDS,
    LOG_BYTES_PER_INVOCATION,
    MINUTES_PER_MONTH,
    PROBE_SECONDS_PER_REGION,
    PROBES_PER_INTERVAL,
    SECONDS_PER_MONTH,
    load_prices,
)
from drgen.posture.derive import build
from drgen.posture.survival import ALIAS_TTL_SECONDS
from drgen.project.render import generate

FIXTURES = Path(__file__).parent.parent / "fixtures" / "report"
ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "example.com", "record_name": "api"}
FOUR = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]


def bake(tmp_path: Path, regions: list[str], route53: bool, network: str) -> Path:
    raw: dict[str, object] = {
        "regions": regions, "env_suffix": "dev", "route53": route53, "network": network,
        "ci": "github",
    }  # fmt: skip
    if route53:
        raw.update(ZONE)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    return generate(build_answers("demo", raw), tmp_path / "demo")


def test_the_price_table_is_dated_and_every_price_names_its_aws_source() -> None:
    prices = load_prices()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prices["date"])
    for name, item in prices["items"].items():
        assert item["source"].startswith("https://aws.amazon.com/"), name
        assert item["price"] >= 0 and item["unit"], name


def test_every_resource_type_is_priced_or_free_with_its_reason_and_source() -> None:
    prices = load_prices()
    for kind, entry in prices["resources"].items():
        assert set(entry) in ({"priced", "how"}, {"free", "source"}), kind
        if "priced" in entry:
            assert entry["priced"] and set(entry["priced"]) <= set(prices["items"]), kind
            assert entry["how"], kind
        else:
            assert entry["free"] and entry["source"].startswith("https://"), kind


@pytest.mark.slow
@pytest.mark.parametrize(
    ("regions", "route53", "network"),
    [(FOUR[:2], False, "none"), (FOUR[:3], False, "vpc"), (FOUR[:3], True, "none"),
     (FOUR, True, "vpc")],
    ids=["default", "vpc", "route53", "largest"],
)  # fmt: skip
def test_every_type_a_combination_creates_has_a_price_entry(
    tmp_path: Path, regions: list[str], route53: bool, network: str
) -> None:
    """A type added to the template later fails here until prices.json prices it (or says
    why it is free); the stack file also sets alarmEmail, which adds its subscriptions."""
    project = bake(tmp_path, regions, route53, network)
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "  demo:alarmEmail: oncall@example.com\n")
    posture = build(project)
    assert posture.unpriced == []
    assert {line.item for line in posture.cost} >= {"cloudwatch_alarm", "s3_replication_metric"}


#: A whole record, as `drgen new` writes it: report checks it as update does.
RECORD = (
    "answers:\n  project_name: probes\n  regions: [us-east-1, us-west-2]\n  env_suffix: dev\n"
    "  route53: false\n  network: none\n  ci: none\n  alarm_email: none\n"
)


def probes_project(tmp_path: Path, extra: str = "") -> Path:
    """tests/fixtures/report/probes.py as a project `drgen report` reads."""
    project = tmp_path / "probes"
    (project / ".drgen").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: probes\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text((FIXTURES / "probes.py").read_text() + extra)
    (project / ".drgen" / "answers.yml").write_text(RECORD)
    return project


@pytest.mark.slow
def test_probes_custom_metrics_replication_metrics_and_usage_are_priced(
    tmp_path: Path,
) -> None:
    """What issue 19's other parts add (scheduled probes, probe alarms on a custom metric,
    ACM DaysToExpiry alarms, lifecycle rules), priced from a program of drgen's own."""
    posture = build(probes_project(tmp_path))
    assert posture.unpriced == []
    items = load_prices()["items"]
    invocations = MINUTES_PER_MONTH  # rate(1 minute)
    probe = invocations * PROBE_SECONDS_PER_REGION * 128 / 1024  # one other region, 128 MB
    answers = invocations * HEALTH_SECONDS * 256 / 1024  # the other region's app, 256 MB
    expected = {
        "cloudwatch_alarm": 2,  # the probe alarm and DaysToExpiry
        "cloudwatch_custom_metric": 1,  # DrProbe/Healthy for the other region
        "lambda_million": round(2 * invocations / 1e6, 3),
        "lambda_gb_second_arm64": round(probe) + round(answers),
        "cloudwatch_logs_gb": round(2 * round(invocations * LOG_BYTES_PER_INVOCATION / 1e9, 3), 3),
        "s3_replication_metric": 4,  # one rule with metrics towards this region
    }
    for region in ("us-east-1", "us-west-2"):
        lines = {line.item: line for line in posture.cost if line.region == region}
        assert {item: line.quantity for item, line in lines.items()} == expected, region
        for item, line in lines.items():
            assert line.monthly == round(line.quantity * items[item]["price"], 2), item
    assert [(u.region, u.price, u.unit) for u in posture.usage] == [
        ("us-east-1", 0.035, "GB written to this region's bucket"),
        ("us-west-2", 0.035, "GB written to this region's bucket"),
    ]


@pytest.mark.slow
def test_a_type_the_price_table_does_not_know_is_named_unpriced(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = 'aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(provider=providers["us-east-1"]))\n'
    project = probes_project(tmp_path, extra)
    result = invoke("report", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "\nNot priced (types drgen's price table does not know): aws:sqs/queue:Queue\n"
    )
    # no ops/drain.py, no ops/drill.py, no FIS template: no lever, no rehearsal is claimed
    assert "gray failure" not in result.stdout and "Rehearsed by" not in result.stdout
    assert "per run of" not in result.stdout


#: A failover pair whose health check leaves its timing to AWS (Route 53's API defaults).
UNTIMED_CHECK = """
east = pulumi.ResourceOptions(provider=providers["us-east-1"])
check = aws.route53.HealthCheck(
    "check", type="HTTPS", fqdn="a.example.com", resource_path="/health", opts=east
)
for role, target in (("PRIMARY", "a.example.com"), ("SECONDARY", "b.example.com")):
    aws.route53.Record(
        f"api-{role.lower()}", zone_id="Z0123456789ABCDEFGHIJ", name="api.example.com",
        type="CNAME", ttl=60, records=[target], set_identifier=role.lower(),
        failover_routing_policies=[{"type": role}],
        health_check_id=check.id if role == "PRIMARY" else None, opts=east,
    )
"""


@pytest.mark.slow
def test_a_health_check_without_its_timing_is_reported_with_aws_defaults(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path
) -> None:
    """Route 53 checks every 30 s and calls an endpoint unhealthy after 3 failures when the
    code leaves them out; report used to fail on the missing key (KeyError)."""
    result = invoke("report", str(probes_project(tmp_path, UNTIMED_CHECK)), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["report"]
    assert "every 30 s, unhealthy after 3 failures = 90 s" in report["survives"]["region down"]
    assert report["objectives"]["traffic"]["rto"] == f"about {90 + ALIAS_TTL_SECONDS} s"
    probes = [line for line in report["cost"] if line["item"] == "apigateway_http_million"]
    assert [line["quantity"] for line in probes] == [
        round(PROBES_PER_INTERVAL * SECONDS_PER_MONTH / 30 / 1e6, 3)
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("primary", "secondaries", "error"),
    [
        ("[1]", '["us-west-2"]', "deploys to '[1]': not an AWS commercial region code"),
        ('"eu-west-1"', '["us-west-2"]', "deploys to eu-west-1, us-west-2 but the record names"),
        ('"us-west-2"', '["us-east-1"]', "deploys to us-west-2, us-east-1 but the record names"),
    ],
    ids=["not-a-region", "another-region", "swapped"],
)
def test_a_stack_file_deploying_elsewhere_than_the_record_is_one_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, primary: str, secondaries: str, error: str
) -> None:
    """The stack file decides where the program deploys: report refuses to state a posture
    for regions the record does not name (it used to exit 0 and price a region "[1]")."""
    project = bake(tmp_path, FOUR[:2], False, "none")
    stack = project / "Pulumi.dev.yaml"
    text = stack.read_text(encoding="utf-8")
    text = text.replace('demo:primaryRegion: "us-east-1"', f"demo:primaryRegion: {primary}")
    text = text.replace(
        'demo:secondaryRegions: ["us-west-2"]', f"demo:secondaryRegions: {secondaries}"
    )
    stack.write_text(text, encoding="utf-8")
    result = invoke("report", str(project))
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        f"drgen: error: {str(stack)!r} {error} us-east-1, us-west-2, in failover order: change "
        "regions with `drgen update --set regions=...`\n"
        if "record names" in error
        else f"drgen: error: {str(stack)!r} {error} (the record names us-east-1, us-west-2)\n"
    )


def test_a_directory_without_a_drgen_record_is_refused(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("report", str(tmp_path))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: {str(tmp_path)!r} holds no readable .drgen/answers.yml: "
        "is it a drgen project?\n"
    )


@pytest.mark.parametrize(
    ("record", "error"),
    [
        (
            RECORD.replace("us-west-2", "mars-1"),
            "is damaged: region 'mars-1' is not an AWS commercial region code",
        ),
        (
            RECORD.replace("[us-east-1, us-west-2]", "[1, 2]"),
            "is damaged: regions: expected region codes, got integer 1",
        ),
        ("answers:\n  regions: [us-east-1, us-west-2]\n", "answers must be a mapping with"),
        ("a: &x [1]\nb: *x\n", "answers.yml' is damaged: YAML aliases are not accepted here"),
        ("answers: " + "x" * (9 * 1024 * 1024), "answers.yml' is damaged: it is larger than 8 MB"),
        (": [\n", "answers.yml' is damaged: expected <block end>, but found ':' (line 1)"),
    ],
    ids=["tampered-region", "regions-of-numbers", "no-name", "yaml-alias", "too-large", "not-yaml"],
)
def test_a_tampered_or_hostile_record_is_one_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, record: str, error: str
) -> None:
    """The record is read as drgen update reads it: bounded, without YAML aliases, and every
    answer checked, so report never states a posture for answers drgen would refuse."""
    project = probes_project(tmp_path)
    (project / ".drgen" / "answers.yml").write_text(record)
    result = invoke("report", str(project))
    assert result.exit_code == EXIT_USAGE, result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert error in result.stderr, result.stderr


@pytest.mark.slow
def test_the_default_project_reports_client_failover_and_its_priced_lines(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = bake(tmp_path, FOUR[:2], False, "none")
    result = invoke("report", str(project), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["report"]
    assert doc["regions"] == FOUR[:2]
    assert doc["objectives"]["traffic"]["rto"] == "your clients' retry time"
    assert "automatic traffic failover (route53 is off)" in doc["not_covered"]
    items = load_prices()["items"]
    assert {line["item"] for line in doc["cost"]} == {
        "cloudwatch_alarm", "secret", "s3_replication_metric",
        # each region's probe: its custom metric, and its and the probed /health's invocations
        "cloudwatch_custom_metric", "lambda_million", "lambda_gb_second_arm64",
        "cloudwatch_logs_gb",
    }  # fmt: skip
    # two regions built alike cost alike: each probes the other and is probed by it
    by_item: dict[str, list[float]] = {}
    for line in doc["cost"]:
        by_item.setdefault(line["item"], []).append(line["quantity"])
    assert all(len(q) == 2 and q[0] == q[1] for q in by_item.values()), by_item
    for line in doc["cost"]:  # every line is its quantity at the table's price
        assert line["unit_price"] == items[line["item"]]["price"]
        assert line["monthly"] == round(line["quantity"] * line["unit_price"], 2)
    for region in FOUR[:2]:
        total = sum(line["monthly"] for line in doc["cost"] if line["region"] == region)
        assert doc["cost_by_region"][region] == round(total, 2)
    assert doc["cost_total"] == round(sum(doc["cost_by_region"].values()), 2)
    assert [line["quantity"] for line in doc["cost"] if line["item"] == "secret"] == [1, 1]
    # RTC turns on four replication metrics per rule, one rule towards each region
    metrics = [line for line in doc["cost"] if line["item"] == "s3_replication_metric"]
    assert [(m["region"], m["quantity"]) for m in metrics] == [(r, 4) for r in FOUR[:2]]
    assert doc["unpriced"] == []
    assert [(u["item"], u["region"], u["price"]) for u in doc["usage"]] == [
        *(("s3_replication_gb", r, 0.035) for r in FOUR[:2]),
        # a run of each region's FIS drill: one action of 20 minutes at $0.10 a minute
        *(("fis_action_minute", r, 2.0) for r in FOUR[:2] for _ in "ds"),
    ]
    assert doc["survives"]["gray failure"].startswith("partly, by an operator: `python -m ops")
    assert [line.split(":")[0] for line in doc["rehearsed"]] == [
        "`python -m ops.drill` (game days)",
        "`python -m ops.drill --replication`",
    ]
    assert "4 AWS FIS experiment templates" in doc["rehearsed"][1]
    assert doc["prices_date"] == load_prices()["date"]
    text = invoke("report", str(project)).stdout
    assert f"prices of {doc['prices_date']}" in text and "an estimate, not a quote" in text
    assert text.endswith(
        f"  total: ${doc['cost_total']:.2f}\n\nPer use, on top (not idle):\n"
        "  us-east-1: $0.035 per GB written to this region's bucket (1 destination x transfer "
        "$0.02 + 1 x RTC $0.015)\n"
        "  us-west-2: $0.035 per GB written to this region's bucket (1 destination x transfer "
        "$0.02 + 1 x RTC $0.015)\n"
        "  us-east-1: $2 per run of its DynamoDB replica pause drill (1 action x 20 min x $0.1)\n"
        "  us-east-1: $2 per run of its S3 replication pause drill (1 action x 20 min x $0.1)\n"
        "  us-west-2: $2 per run of its DynamoDB replica pause drill (1 action x 20 min x $0.1)\n"
        "  us-west-2: $2 per run of its S3 replication pause drill (1 action x 20 min x $0.1)\n"
    )


@pytest.mark.slow
def test_the_largest_project_reads_its_health_checks_and_endpoints_from_its_code(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = bake(tmp_path, FOUR, True, "vpc")
    doc = json.loads(invoke("report", str(project), "--json").stdout)["report"]
    assert doc["objectives"]["traffic"]["rto"] == f"about {30 * 3 + ALIAS_TTL_SECONDS} s"
    assert doc["survives"]["gray failure"].endswith(
        f"Route 53 moves traffic in about {30 * 3 + ALIAS_TTL_SECONDS + 1} s"
    )
    assert "the zone's authoritative DNS answer moving" in doc["rehearsed"][0]
    drills = [
        (u["region"], u["price"], u["detail"]) for u in doc["usage"] if u["unit"].startswith("run")
    ]
    # each region's S3 drill pauses its replication towards each of the three others
    assert [d for d in drills if d[2].startswith("3 actions")] == [
        (region, 6.0, "3 actions x 20 min x $0.1") for region in FOUR
    ]
    assert doc["objectives"]["S3 buckets"]["from"] == "12 replication rules with RTC"
    endpoints = [line for line in doc["cost"] if line["item"] == "interface_endpoint_az_hour"]
    assert [(e["region"], e["quantity"], e["monthly"]) for e in endpoints] == [
        (region, 2 * 730, 14.6) for region in FOUR
    ]
    checks = [line["region"] for line in doc["cost"] if line["item"] == "route53_health_check"]
    assert checks == FOUR
    metrics = [line["quantity"] for line in doc["cost"] if line["item"] == "s3_replication_metric"]
    assert metrics == [4 * 3] * 4, "three rules towards each region, four metrics each"
    usage = [(u["price"], u["detail"]) for u in doc["usage"] if u["item"] == "s3_replication_gb"]
    assert usage == [(0.105, "3 destinations x transfer $0.02 + 3 x RTC $0.015")] * 4
    # The report follows the project's code: a faster, stricter health check changes the RTO.
    dns = project / "infra" / "dns.py"
    code = dns.read_text()
    code = code.replace("HEALTH_CHECK_INTERVAL_SECONDS = 30", "HEALTH_CHECK_INTERVAL_SECONDS = 10")
    code = code.replace("HEALTH_CHECK_FAILURE_THRESHOLD = 3", "HEALTH_CHECK_FAILURE_THRESHOLD = 2")
    dns.write_text(code)
    edited = json.loads(invoke("report", str(project), "--json").stdout)["report"]
    assert edited["objectives"]["traffic"]["rto"] == f"about {10 * 2 + ALIAS_TTL_SECONDS} s"


def readme_posture(readme: str) -> tuple[dict[str, str], dict[str, dict[str, str]], list[str]]:
    """The README's DR posture section: failures, objectives, what is not covered."""
    section = readme.split("## DR posture\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith(("| Failure |", "| Store |"))
    ]
    survives = {row[0]: row[1] for row in rows if len(row) == 2}
    objectives = {row[0]: {"rpo": row[1], "rto": row[2]} for row in rows if len(row) == 3}
    gaps = [line[2:] for line in section.split("Not covered:\n", 1)[1].splitlines() if line]
    return survives, objectives, gaps


@pytest.mark.slow
@pytest.mark.parametrize(
    ("regions", "route53", "network", "ci"),
    [
        (FOUR[:2], False, "none", "github"),
        (FOUR[:2], False, "vpc", "none"),
        (FOUR[:2], True, "none", "github"),
        (FOUR[:2], True, "vpc", "github"),
        (FOUR, True, "vpc", "github"),
    ],
    ids=["default", "vpc-no-ci", "route53", "route53-vpc", "largest"],
)
def test_the_readme_posture_is_what_drgen_report_derives_from_the_code(
    invoke, tmp_path: Path, regions: list[str], route53: bool, network: str, ci: str
) -> None:  # type: ignore[no-untyped-def]
    raw: dict[str, object] = {
        "regions": regions, "env_suffix": "dev", "route53": route53, "network": network, "ci": ci,
    }  # fmt: skip
    if route53:
        raw.update(ZONE)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    project = generate(build_answers("demo", raw), tmp_path / "demo")
    result = invoke("report", str(project), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["report"]
    survives, objectives, gaps = readme_posture((project / "README.md").read_text())
    assert survives == doc["survives"]
    assert objectives == {
        store: {"rpo": value["rpo"], "rto": value["rto"]}
        for store, value in doc["objectives"].items()
    }
    assert gaps == doc["not_covered"]


@pytest.mark.slow
def test_the_report_says_plainly_who_the_alarms_reach(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = bake(tmp_path, FOUR[:2], False, "none")
    nobody = invoke("report", str(project))
    assert nobody.exit_code == 0, nobody.output
    assert (
        "Alarms reach: NOBODY: none of the 2 alarm topics has a subscription, so no alarm "
        "reaches a person (set alarmEmail: drgen update --set alarm_email=ADDRESS)\n"
    ) in nobody.stdout
    # the report reads the stack's code and config: an address set by hand counts too
    stack_file = project / "Pulumi.dev.yaml"
    stack_file.write_text(
        stack_file.read_text().replace(
            "config:\n", 'config:\n  demo:alarmEmail: "oncall@example.com"\n', 1
        )
    )
    heard = json.loads(invoke("report", str(project), "--json").stdout)["report"]
    assert heard["paged"] == "oncall@example.com on 2 of 2 alarm topics"
