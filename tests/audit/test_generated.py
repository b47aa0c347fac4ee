"""Every project drgen generates, for every answer combination, must audit clean.

The rules include the outage rules (R11 to R14): every region reachable through
health-checked DNS, alarm topics reachable, every health check alarmed, stateful data protected.
"""

from __future__ import annotations

import itertools

import pytest

from drgen.answers.rules import build_answers
from drgen.audit import RULES, AuditResult, audit_many
from drgen.audit.program import load_program
from drgen.project.render import generate

pytestmark = pytest.mark.slow

ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "example.com", "record_name": "api"}
REGIONS = {
    2: ["us-east-1", "us-west-2"],
    3: ["ap-southeast-1", "eu-west-1", "ap-northeast-3"],
    4: ["eu-central-1", "us-east-1", "us-west-2", "sa-east-1"],
}
COMBINATIONS = list(itertools.product(sorted(REGIONS), [False, True], ["none", "vpc"]))


def combination_id(count: int, route53: bool, network: str) -> str:
    return f"{count}-regions-{'route53' if route53 else 'no-route53'}-{network}"


# session, not module: pytest-xdist may run other modules' tests on this worker in between,
# and a module fixture would then be built again
@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult]:
    """Bake every combination, then audit them all in one child process."""
    root = tmp_path_factory.mktemp("generated")
    programs = []
    for count, route53, network in COMBINATIONS:
        raw: dict[str, object] = {
            "regions": REGIONS[count],
            "env_suffix": "dev",
            "route53": route53,
            "network": network,
        }
        if route53:
            raw.update(ZONE)
        if network == "vpc":
            raw["base_cidr"] = "10.0.0.0/8"
        name = combination_id(count, route53, network)
        programs.append(load_program(generate(build_answers("demo", raw), root / name)))
    results = audit_many(programs)
    ids = [combination_id(*c) for c in COMBINATIONS]
    failed = {
        i: str(r) for i, r in zip(ids, results, strict=True) if not isinstance(r, AuditResult)
    }
    assert not failed, failed
    return dict(zip(ids, results, strict=True))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "route53", "network"), COMBINATIONS, ids=[combination_id(*c) for c in COMBINATIONS]
)
def test_every_generated_combination_audits_clean(
    audited: dict[str, AuditResult], count: int, route53: bool, network: str
) -> None:
    result = audited[combination_id(count, route53, network)]
    assert [
        f"{f.rule} {f.file}:{f.line} {f.resource_name}: {f.message}" for f in result.findings
    ] == []
    assert len(result.rules) == len(RULES)


def test_generated_projects_are_recorded_whole(audited: dict[str, AuditResult]) -> None:
    """The audit sees every region's resources and where each was declared."""
    for (count, route53, _network), key in zip(
        COMBINATIONS, [combination_id(*c) for c in COMBINATIONS], strict=True
    ):
        record = audited[key].record
        aws = [r for r in record.resources if r["type"].startswith("aws:")]
        regions = {r["region"] for r in aws if r["type"] != "pulumi:providers:aws"}
        # Route 53 health-check alarms live in us-east-1 whatever the regions
        assert regions == set(REGIONS[count]) | ({"us-east-1"} if route53 else set()), key
        assert all(r["file"] and r["file"].startswith("infra/") for r in aws), key
        assert all(r["provider"] for r in aws), key
        tokens = {i["token"] for i in record.invokes}
        assert "aws:index/getCallerIdentity:getCallerIdentity" in tokens, key
        assert all(i["provider"] and i["file"] for i in record.invokes), key
