"""The answers model: each field, the cross-field rules, and the answers file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drgen.answers import (
    PHYSICAL_NAMES,
    Answers,
    build_answers,
    collect_answers,
    load_answers_file,
    longest_env_suffix,
    validate_env_suffix,
    validate_project_name,
    validate_regions,
)
from drgen.errors import AnswerError
from drgen.regions import COMMERCIAL_REGIONS

DEFAULT: dict[str, object] = {
    "regions": ["us-east-1", "us-west-2"],
    "env_suffix": "dev",
    "route53": False,
    "network": "none",
    "ci": "github",
}
ROUTE53 = {
    **DEFAULT,
    "route53": True,
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "domain": "example.com",
    "record_name": "api",
}


@pytest.mark.parametrize("name", ["a", "demo", "my-app", "app2", "a-b-c-1"])
def test_valid_project_names(name: str) -> None:
    assert validate_project_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "not valid"),
        ("Demo", "not valid"),
        ("1app", "not valid"),
        ("my_app", "not valid"),
        ("my--app", "not valid"),
        ("app-", "not valid"),
        ("-app", "not valid"),
        ("my app", "not valid"),
        ("../etc", "not valid"),
        ("sthree-app", "prefix S3 reserves"),
        ("amzn-s3-demo-x", "prefix S3 reserves"),
        (42, "expected a string"),
    ],
)
def test_invalid_project_names_name_the_value(name: object, why: str) -> None:
    with pytest.raises(AnswerError, match=why) as error:
        validate_project_name(name)
    assert repr(name) in str(error.value)


@pytest.mark.parametrize("suffix", ["", "Dev", "dev_1", "prod-", "s3alias", "dev\n", None])
def test_invalid_suffixes(suffix: object) -> None:
    with pytest.raises(AnswerError, match="env_suffix"):
        validate_env_suffix(suffix)


@pytest.mark.parametrize(
    ("regions", "why"),
    [
        ("us-east-1", "expected a list"),
        (None, "expected a list"),
        (["us-east-1"], "at least two"),
        ([], "at least two"),
        (["us-east-1", "us-east-1"], "given twice"),
        (["us-east-1", "mars-1"], "'mars-1' is not an AWS commercial region"),
        (["us-east-1", "cn-north-1"], "not an AWS commercial region"),
        (["us-east-1", "us-gov-west-1"], "not an AWS commercial region"),
        (["us-east-1", 5], "not an AWS commercial region"),
        (["US-EAST-1", "us-west-2"], "not an AWS commercial region"),
    ],
)
def test_invalid_regions(regions: object, why: str) -> None:
    with pytest.raises(AnswerError, match=why):
        validate_regions(regions)


def test_regions_keep_their_order() -> None:
    assert validate_regions(["eu-west-1", "us-east-1", "ap-south-1"]) == (
        "eu-west-1",
        "us-east-1",
        "ap-south-1",
    )


def test_region_list_matches_the_sdk_commercial_regions() -> None:
    from pulumi_aws import Region

    sdk = {
        r.value
        for r in Region
        if not r.value.startswith(("cn-", "us-gov-", "eusc-")) and "-iso" not in r.value
    }
    assert sdk == set(COMMERCIAL_REGIONS)


def test_build_answers_gives_a_typed_model() -> None:
    answers = build_answers("demo", DEFAULT)
    assert answers == Answers("demo", ("us-east-1", "us-west-2"), "dev")
    assert answers.to_data() == {"project_name": "demo", **DEFAULT}
    assert answers.primary_region == "us-east-1"
    assert answers.secondary_regions == ("us-west-2",)


def test_unknown_and_missing_answers_are_refused() -> None:
    with pytest.raises(AnswerError, match="unknown answer 'colour'"):
        build_answers("demo", {**DEFAULT, "colour": "red"})
    with pytest.raises(AnswerError, match="missing answers: env_suffix"):
        build_answers("demo", {key: v for key, v in DEFAULT.items() if key != "env_suffix"})


@pytest.mark.parametrize("regions", [("us-east-1", "us-west-2"), ("ap-southeast-1", "eu-west-1")])
def test_the_longest_suffix_fits_and_one_more_character_does_not(regions: tuple[str, ...]) -> None:
    longest = longest_env_suffix("demo", regions)
    assert longest > 0
    build_answers("demo", {**DEFAULT, "regions": list(regions), "env_suffix": "e" * longest})
    with pytest.raises(AnswerError, match=r"at most 63: shorten them by 1"):
        build_answers(
            "demo", {**DEFAULT, "regions": list(regions), "env_suffix": "e" * (longest + 1)}
        )


def test_every_physical_name_is_checked_in_every_region() -> None:
    # the longest region decides: ap-southeast-1 is 5 characters longer than us-west-2
    short = longest_env_suffix("demo", ("us-east-1", "us-west-2"))
    long = longest_env_suffix("demo", ("us-east-1", "ap-southeast-1"))
    assert short - long == len("ap-southeast-1") - len("us-west-2")
    assert {n.limit for n in PHYSICAL_NAMES} == {63, 64}


def test_a_project_name_too_long_for_any_suffix() -> None:
    with pytest.raises(AnswerError, match="S3 bucket name"):
        build_answers("a" * 40, DEFAULT)


def test_answers_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "answers.yml"
    path.write_text("regions: [eu-west-1, eu-central-1]\nenv_suffix: prod\n")
    assert load_answers_file(path) == {
        "regions": ["eu-west-1", "eu-central-1"],
        "env_suffix": "prod",
    }


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("regions: [eu-west-1\n", "not valid YAML at line"),
        ("- a\n- b\n", "must be a mapping"),
        ("colour: red\n", "unknown key 'colour'"),
        ("'just a string'\n", "must be a mapping"),
    ],
)
def test_malformed_answers_files(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "answers.yml"
    path.write_text(text)
    with pytest.raises(AnswerError, match=why):
        load_answers_file(path)


def test_unreadable_answers_files(tmp_path: Path) -> None:
    with pytest.raises(AnswerError, match="cannot be read"):
        load_answers_file(tmp_path / "missing.yml")
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AnswerError, match="not UTF-8"):
        load_answers_file(binary)


def test_an_empty_answers_file_answers_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.yml"
    path.write_text("")
    assert load_answers_file(path) == {}


def test_flags_override_the_file_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "answers.yml"
    path.write_text("env_suffix: staging\nregions: [eu-west-1, eu-central-1]\n")
    raw, missing = collect_answers(
        "demo", path, {"regions": ["sa-east-1", "us-east-1"], "env_suffix": None}, use_defaults=True
    )
    assert raw == {
        "regions": ["sa-east-1", "us-east-1"],
        "env_suffix": "staging",
        "route53": False,
        "network": "none",
        "ci": "github",
    }
    assert missing == []
    raw, missing = collect_answers("demo", None, {"env_suffix": "qa"}, use_defaults=False)
    assert missing == ["regions", "route53", "network", "ci"]


def test_defaults_follow_the_toggles() -> None:
    raw, missing = collect_answers(
        "shop", None, {"route53": True, "network": "vpc", "env_suffix": "prod"}, use_defaults=True
    )
    assert missing == ["hosted_zone_id", "domain"], "a zone has no sensible default"
    assert raw["record_name"] == "shop-prod"
    assert raw["base_cidr"] == "10.0.0.0/8"


def test_route53_and_vpc_answers() -> None:
    answers = build_answers("demo", {**ROUTE53, "network": "vpc", "base_cidr": "10.20.0.0/14"})
    assert answers.route53 and answers.network == "vpc"
    assert answers.to_data()["record_name"] == "api"
    assert answers.to_data()["base_cidr"] == "10.20.0.0/14"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"route53": "yes"}, "route53: expected true or false, got str 'yes'"),
        ({"hosted_zone_id": "/hostedzone/Z123"}, "not a Route 53 hosted zone id"),
        ({"hosted_zone_id": "z123"}, "not a Route 53 hosted zone id"),
        ({"domain": "example"}, "domain 'example' is not a valid DNS name"),
        ({"domain": "Example.com"}, "not a valid DNS name"),
        ({"domain": "example.com."}, "no trailing dot"),
        ({"domain": "-x.example.com"}, "not a valid DNS name"),
        ({"domain": "a" * 64 + ".com"}, "not a valid DNS name"),
        ({"record_name": "api_v1"}, "record_name 'api_v1' is not a valid DNS name"),
        ({"record_name": "a" * 60}, "ACM certificates accept at most 64"),
        ({"network": "vpn"}, "network 'vpn' is not accepted; accepted: none, vpc"),
    ],
)
def test_bad_route53_and_network_answers(changes: dict[str, object], why: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(why)):
        build_answers("demo", {**ROUTE53, **changes})


@pytest.mark.parametrize(
    ("cidr", "why"),
    [
        ("10.0.0.0/33", "not an IPv4 network"),
        ("10.0.0.1/8", "not an IPv4 network"),
        ("fd00::/8", "not an IPv4 network"),
        ("10.0.0.0/17", "smaller than a /16"),
        ("8.0.0.0/8", "not a private range"),
        ("0.0.0.0/0", "not a private range"),
        ("10.0.0.0/16", "holds 1 /16 networks but 2 regions"),
        (8, "expected a string"),
    ],
)
def test_bad_base_cidrs(cidr: object, why: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(why)):
        build_answers("demo", {**DEFAULT, "network": "vpc", "base_cidr": cidr})


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"hosted_zone_id": "Z1"}, "hosted_zone_id 'Z1' is only used when route53 is on"),
        ({"base_cidr": "10.0.0.0/8"}, "base_cidr '10.0.0.0/8' is only used when network is vpc"),
    ],
)
def test_answers_for_a_feature_that_is_off_are_refused(
    changes: dict[str, object], why: str
) -> None:
    with pytest.raises(AnswerError, match=re.escape(why)):
        build_answers("demo", {**DEFAULT, **changes})


def test_route53_needs_its_zone() -> None:
    with pytest.raises(AnswerError, match="missing answers: hosted_zone_id, domain, record_name"):
        build_answers("demo", {**DEFAULT, "route53": True})
