"""Property-based tests of the answers model: whatever comes in, a clear refusal or a project
whose names fit AWS and whose files give back exactly what was answered."""

from __future__ import annotations

import ast
import re
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.answers.rules import build_answers
from drgen.errors import AnswerError
from drgen.project.render import generate
from drgen.update.record import read_recorded
from tests.template_names import template_sites, too_long

#: What a hostile person or pipeline variable might hold.
NASTY = st.sampled_from(
    ["", " ", "\t", "\n", "..", "../x", "a/b", "a\\b", "{{ x }}", "{% if 1 %}", "'", '"',
     "a: b", "- a", "# x", "__import__('os')", "é", "ü-x", "\x00", "x" * 300, "A", "a--b"]
)  # fmt: skip
TEXT = st.text(max_size=80) | NASTY
LABEL = st.from_regex(r"[a-z][a-z0-9]{0,12}(-[a-z0-9]{1,6}){0,3}", fullmatch=True)
REGIONS = st.lists(st.sampled_from(sorted(COMMERCIAL_REGIONS)), min_size=2, max_size=5, unique=True)
S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


def base(regions: list[str], suffix: object) -> dict[str, object]:
    return {"regions": regions, "env_suffix": suffix, "route53": False, "network": "none"}


@pytest.mark.integration
@settings(max_examples=300, deadline=None)
@given(name=TEXT | LABEL, suffix=TEXT | LABEL, regions=REGIONS)
def test_names_are_accepted_only_when_every_physical_name_fits(
    name: str, suffix: str, regions: list[str]
) -> None:
    # the oracle: the names a rendered project builds (tests/template_names.py)
    try:
        answers = build_answers(name, base(regions, suffix))
    except AnswerError as error:
        message = str(error)
        assert "\n" not in message, "one line, whatever the value held"
        assert message.startswith(("project name", "env_suffix")), message
        if "characters long in" in message:
            assert too_long(name, suffix, tuple(regions)), f"refused, yet all fit: {message}"
        return
    assert too_long(answers.project_name, answers.env_suffix, answers.regions) == []
    for site in template_sites():
        for region in answers.regions:
            rendered = site.render(answers.project_name, answers.env_suffix, region)
            assert rendered.endswith(f"-{answers.env_suffix}")
            assert rendered == rendered.lower() and rendered.isascii()
            if site.resource == ("Bucket", "bucket"):
                assert S3_BUCKET.fullmatch(rendered) and ".." not in rendered


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(["hosted_zone_id", "domain", "record_name"]), value=TEXT)
def test_route53_answers_are_refused_naming_their_field_or_fit(field: str, value: str) -> None:
    raw = {
        **base(["us-east-1", "us-west-2"], "dev"),
        "route53": True,
        "hosted_zone_id": "Z0123ABC",
        "domain": "example.com",
        "record_name": "api",
        field: value,
    }
    try:
        answers = build_answers("demo", raw)
    except AnswerError as error:
        assert field in str(error) or "custom domain" in str(error), str(error)
        return
    fqdn = f"{answers.record_name}.{answers.domain}"
    assert len(fqdn) <= 64 and fqdn.isascii() and fqdn == fqdn.lower()
    assert re.fullmatch(r"[a-z0-9.-]+", fqdn) and ".." not in fqdn


@settings(max_examples=200, deadline=None)
@given(value=TEXT | st.from_regex(r"10\.[0-9]{1,3}\.0\.0/(8|1[0-6])", fullmatch=True))
def test_base_cidrs_are_refused_or_hold_every_region(value: str) -> None:
    raw = {
        **base(["us-east-1", "us-west-2", "eu-west-1"], "dev"),
        "network": "vpc",
        "base_cidr": value,
    }
    try:
        answers = build_answers("demo", raw)
    except AnswerError as error:
        assert "base_cidr" in str(error)
        return
    prefix = int(str(answers.base_cidr).split("/")[1])
    assert prefix <= 16 and 2 ** (16 - prefix) >= 3


DOMAIN = st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|org|example|co\.uk)", fullmatch=True)


@pytest.mark.integration
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=LABEL,
    suffix=LABEL,
    regions=REGIONS,
    route53=st.booleans(),
    domain=DOMAIN,
    record=LABEL,
    network=st.sampled_from(["none", "vpc"]),
)
def test_accepted_answers_come_back_unchanged_from_the_generated_files(
    name: str, suffix: str, regions: list[str], route53: bool, domain: str, record: str,
    network: str,
) -> None:  # fmt: skip
    raw: dict[str, object] = {**base(regions, suffix), "route53": route53, "network": network}
    if route53:
        raw.update(hosted_zone_id="Z0123ABC", domain=domain, record_name=record)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    try:
        answers = build_answers(name, raw)
    except AnswerError as error:  # only the length rules may refuse these
        assert "characters" in str(error), str(error)
        return
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(answers, Path(tmp) / name)
        config = yaml.safe_load((project / f"Pulumi.{suffix}.yaml").read_text())["config"]
        assert config[f"{name}:envSuffix"] == suffix
        assert [config[f"{name}:primaryRegion"], *config[f"{name}:secondaryRegions"]] == regions
        if route53:
            assert config[f"{name}:domain"] == domain
            assert config[f"{name}:recordName"] == record
        else:
            assert not any(key.endswith(("domain", "hostedZoneId")) for key in config)
        assert yaml.safe_load((project / "Pulumi.yaml").read_text())["name"] == name
        assert read_recorded(project).answers == answers
        tomllib.loads((project / "pyproject.toml").read_text())
        for source in project.rglob("*.py"):
            ast.parse(source.read_text(), filename=str(source))
