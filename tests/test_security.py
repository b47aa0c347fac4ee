"""The generated stack's security, checked by real tools over every combination of answers.

- parliament (an IAM policy linter) on every identity policy the program produces under mocks;
- detect-secrets on every generated file;
- bandit on the generated program and handler.

Marked slow: each combination is baked and its program run under mocks in a child process.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drgen.answers.rules import build_answers
from drgen.project.render import generate

pytestmark = pytest.mark.slow

ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "example.com", "record_name": "api"}
COMBINATIONS = [(r, n) for r in (False, True) for n in ("none", "vpc")]
IDS = [f"{'route53' if r else 'no-route53'}-{n}" for r, n in COMBINATIONS]
#: Parliament's severities, lowest first; anything above LOW fails.
ALLOWED_SEVERITIES = {"INFO", "LOW"}
#: Actions that support no resource-level permissions, so "*" is their only resource: EC2's
#: Describe actions (https://docs.aws.amazon.com/service-authorization/latest/reference/
#: list_amazonec2.html); Lambda needs DescribeSubnets for a function in a VPC
#: (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html). And how FIS finds
#: the replication drills' targets (list_amazons3.html, list_awsresourcegroupstaggingapi.html).
ACTIONS_WITHOUT_RESOURCES = {"ec2:DescribeSubnets", "s3:ListAllMyBuckets", "tag:GetResources"}

DUMP_POLICIES = """
import json, sys, warnings
warnings.simplefilter("ignore")
from tests.harness import run_program, stack_config, stack_files, unwrap
run = run_program(stack_config(stack_files()[0]))
json.dump([
    {"type": r.typ, "name": r.name, "key": key, "document": unwrap(r.inputs[key])}
    for r in run.aws_resources() for key in ("policy", "assumeRolePolicy") if key in r.inputs
], sys.stdout)
"""


# session, not module: pytest-xdist may run other modules' tests on this worker in between,
# and module fixtures would then be built again
@pytest.fixture(scope="session", params=COMBINATIONS, ids=IDS)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    route53, network = request.param
    raw: dict[str, object] = {
        "regions": ["us-east-1", "us-west-2", "eu-west-1"],
        "env_suffix": "prod",
        "route53": route53,
        "network": network,
        **(ZONE if route53 else {}),
        **({"base_cidr": "10.0.0.0/8"} if network == "vpc" else {}),
    }
    return generate(build_answers("shop", raw), tmp_path_factory.mktemp("security") / "shop")


@pytest.fixture(scope="session")
def policies(project: Path) -> list[dict[str, str]]:
    dumped = subprocess.run(
        [sys.executable, "-c", DUMP_POLICIES],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    documents: list[dict[str, str]] = json.loads(dumped.stdout)
    return documents


@pytest.fixture(scope="session")
def analyze_policy_string() -> Callable[[str], Any]:
    """Parliament's analyzer; it leaves its data files open at import, so close them here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import parliament

        gc.collect()
    analyze: Callable[[str], Any] = parliament.analyze_policy_string
    return analyze


def test_every_identity_policy_passes_parliament(
    policies: list[dict[str, str]], analyze_policy_string: Callable[[str], Any]
) -> None:
    identity = [p for p in policies if p["type"] == "aws:iam/rolePolicy:RolePolicy"]
    assert len(identity) >= 4, "expected the replication policy and one per function"
    for policy in identity:
        findings = analyze_policy_string(policy["document"]).findings
        serious = [
            (f.issue, f.severity, f.detail) for f in findings
            if f.severity not in ALLOWED_SEVERITIES
        ]  # fmt: skip
        assert not serious, f"{policy['name']}: {serious}"


def test_the_operators_drain_policy_passes_parliament(
    project: Path, analyze_policy_string: Callable[[str], Any]
) -> None:
    """ops/drain-policy.json, which an operator attaches to drain: no finding above LOW."""
    document = (project / "ops" / "drain-policy.json").read_text()
    findings = analyze_policy_string(document).findings
    serious = [
        (f.issue, f.severity, f.detail) for f in findings if f.severity not in ALLOWED_SEVERITIES
    ]
    assert not serious, serious


def test_no_statement_pairs_every_action_with_every_resource(
    policies: list[dict[str, str]],
) -> None:
    for policy in policies:
        for statement in json.loads(policy["document"])["Statement"]:
            actions = statement.get("Action", [])
            resources = statement.get("Resource", [])
            actions = actions if isinstance(actions, list) else [actions]
            resources = resources if isinstance(resources, list) else [resources]
            assert not ("*" in actions and "*" in resources), policy["name"]
            if set(actions) <= ACTIONS_WITHOUT_RESOURCES:
                assert resources == ["*"], f"{policy['name']}: {resources}"
                continue
            if statement["Effect"] == "Allow" and policy["type"] == "aws:iam/rolePolicy:RolePolicy":
                if actions == ["cloudwatch:PutMetricData"]:
                    # no resource-level permission exists: "*", limited to the stack's namespace
                    assert resources == ["*"], policy["name"]
                    namespace = statement["Condition"]["StringEquals"]["cloudwatch:namespace"]
                    assert namespace == "drgen/shop-prod", policy["name"]
                    continue
                for arn in resources:
                    assert arn != "*" and ("shop" in arn or "prod" in arn), (
                        f"{policy['name']} reaches beyond this stack: {arn}"
                    )


def test_trust_policies_name_one_service(policies: list[dict[str, str]]) -> None:
    trusts = [p for p in policies if p["key"] == "assumeRolePolicy"]
    assert trusts
    for trust in trusts:
        (statement,) = json.loads(trust["document"])["Statement"]
        assert statement["Action"] == "sts:AssumeRole"
        assert set(statement["Principal"]) == {"Service"}, trust["name"]
        assert statement["Principal"]["Service"].endswith(".amazonaws.com")


def test_s3_may_assume_replication_roles_only_for_this_account_and_bucket(
    policies: list[dict[str, str]],
) -> None:
    trusts = [
        json.loads(p["document"])["Statement"][0]
        for p in policies
        if p["key"] == "assumeRolePolicy" and "s3.amazonaws.com" in p["document"]
    ]
    assert len(trusts) == 3, "one replication role per bucket"  # three regions
    for statement in trusts:
        condition = statement["Condition"]
        assert set(condition["StringEquals"]) == {"aws:SourceAccount"}
        assert condition["ArnLike"]["aws:SourceArn"].startswith("arn:aws:s3:::shop-")


def test_detect_secrets_finds_nothing(project: Path) -> None:
    scan = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", "--all-files", "."],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(scan.stdout)["results"] == {}


def test_bandit_finds_nothing_above_low(project: Path) -> None:
    scan = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "-ll", "-f", "json",
         "infra", "app", "ops", "__main__.py"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    report = json.loads(scan.stdout)
    assert report["results"] == [], report["results"]
    assert report["errors"] == []
