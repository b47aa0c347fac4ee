"""The answers model: each field, the cross-field rules, and the answers file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drgen.answers import (
    LABEL_RULE,
    PHYSICAL_NAMES,
    Answers,
    build_answers,
    collect_answers,
    gather_answers,
    load_answers_file,
    longest_env_suffix,
    missing_answers_message,
    read_answers_file,
    validate_env_suffix,
    validate_project_name,
    validate_regions,
)
from drgen.errors import AnswerError, AnswerErrors
from drgen.regions import COMMERCIAL_REGIONS
from tests.template_names import template_sites, tightest, too_long

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
        ("us-east-1", "at least two"),
        (None, "expected a list"),
        (["us-east-1"], "at least two"),
        ([], "at least two"),
        (["us-east-1", "us-east-1"], "given twice"),
        (["us-east-1", "mars-1"], "'mars-1' is not an AWS commercial region"),
        (["us-east-1", "cn-north-1"], "'cn-north-1' is in the China partition"),
        (["us-east-1", "us-gov-west-1"], "'us-gov-west-1' is in the GovCloud partition"),
        (["us-east-1", "us-isob-east-1"], "'us-isob-east-1' is in an isolated partition"),
        (
            ["us-east-1", "eusc-de-east-1"],
            "'eusc-de-east-1' is in the European Sovereign Cloud partition",
        ),
        (["us-east-1", 5], "regions: expected region codes, got int 5"),
        (["us-east-1", "US-EAST-1"], "region 'us-east-1' is given twice"),
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


@pytest.mark.parametrize(
    ("name", "regions"),
    [
        ("demo", ("us-east-1", "us-west-2")),
        ("demo", ("us-east-1", "ap-southeast-1")),  # the longest region is not the primary
        ("shop", ("eu-west-1", "eu-central-1", "ap-northeast-3")),
        ("a", ("ap-southeast-1", "us-east-1")),
    ],
)
def test_the_longest_suffix_is_the_one_the_rendered_names_allow(
    name: str, regions: tuple[str, ...]
) -> None:
    """Oracle: the names a rendered project builds (tests/template_names.py), not drgen's table."""
    longest = longest_env_suffix(name, regions)
    fits = "e" * longest
    assert too_long(name, fits, regions) == []
    assert tightest(name, fits, regions) == 0, "one rendered name is exactly at its limit"
    assert build_answers(name, {**DEFAULT, "regions": list(regions), "env_suffix": fits})

    over = fits + "e"
    bucket = next(site for site in template_sites() if site.resource == ("Bucket", "bucket"))
    region = next(r for r in regions if len(bucket.render(name, over, r)) > bucket.limit)
    rendered = bucket.render(name, over, region)
    with pytest.raises(AnswerError) as error:
        build_answers(name, {**DEFAULT, "regions": list(regions), "env_suffix": over})
    assert str(error.value) == (
        f"project name {name!r} with env_suffix {over!r} makes the S3 bucket name "
        f"{rendered!r} {len(rendered)} characters long in {region}; AWS accepts at most 63: "
        "shorten them by 1"
    )


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
        "demo",
        path,
        {"regions": ["sa-east-1", "us-east-1"], "env_suffix": None, "alarm_email": "none"},
        use_defaults=True,
    )
    assert raw == {
        "regions": ["sa-east-1", "us-east-1"],
        "env_suffix": "staging",
        "alarm_email": "none",
        "route53": False,
        "network": "none",
        "ci": "github",
    }
    assert missing == []
    raw, missing = collect_answers("demo", None, {"env_suffix": "qa"}, use_defaults=False)
    assert missing == ["regions", "route53", "network", "ci", "alarm_email"]


def test_defaults_follow_the_toggles() -> None:
    raw, missing = collect_answers(
        "shop", None, {"route53": True, "network": "vpc", "env_suffix": "prod"}, use_defaults=True
    )
    assert missing == ["hosted_zone_id", "domain", "alarm_email"], "no default zone or address"
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
        ({"ci": "gitlab"}, "ci 'gitlab' is not accepted; accepted: github, none"),
        ({"ci": True}, "ci true is not accepted; accepted: github, none"),
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


def test_a_hosted_zone_id_of_32_characters_is_accepted_and_33_refused() -> None:
    longest = "Z" + "A1" * 15 + "B"  # Route 53's API: a hosted zone Id is at most 32 long
    assert len(longest) == 32
    assert build_answers("demo", {**ROUTE53, "hosted_zone_id": longest}).hosted_zone_id == longest
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**ROUTE53, "hosted_zone_id": longest + "C"})
    assert str(error.value) == (
        f"hosted_zone_id {longest + 'C'!r} is 33 characters long; Route 53 hosted zone ids "
        "have at most 32"
    )


def test_the_shortest_hosted_zone_id_is_z_and_one_character() -> None:
    assert build_answers("demo", {**ROUTE53, "hosted_zone_id": "Z1"}).hosted_zone_id == "Z1"
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**ROUTE53, "hosted_zone_id": "Z"})
    assert str(error.value) == (
        "hosted_zone_id 'Z' is not a Route 53 hosted zone id: expected Z followed by up to 31 "
        "uppercase letters and digits (without /hostedzone/)"
    )


def test_a_custom_domain_of_64_characters_is_accepted_and_65_refused() -> None:
    # ACM puts the domain in the certificate's common name: at most 64 characters (RFC 5280)
    record = "r" * 52
    assert len(f"{record}.example.com") == 64
    answers = build_answers("demo", {**ROUTE53, "record_name": record})
    assert answers.record_name == record
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**ROUTE53, "record_name": record + "r"})
    assert str(error.value) == (
        f"custom domain {record + 'r.example.com'!r} is 65 characters; ACM certificates accept "
        "at most 64: shorten record_name or domain"
    )


@pytest.mark.parametrize(
    ("cidr", "regions"),
    [
        ("10.0.0.0/15", 2),
        ("10.4.0.0/14", 4),
        ("172.16.0.0/12", 16),
        ("10.0.0.0/8", 5),
    ],
)
def test_a_base_cidr_that_just_holds_the_regions_is_accepted(cidr: str, regions: int) -> None:
    chosen = sorted(COMMERCIAL_REGIONS)[:regions]
    raw = {**DEFAULT, "regions": chosen, "network": "vpc", "base_cidr": cidr}
    assert build_answers("demo", raw).base_cidr == cidr


@pytest.mark.parametrize(
    ("cidr", "regions", "room"),
    [("10.0.0.0/16", 2, 1), ("10.4.0.0/14", 5, 4), ("172.16.0.0/12", 17, 16)],
)
def test_a_base_cidr_one_region_too_small_is_refused(cidr: str, regions: int, room: int) -> None:
    chosen = sorted(COMMERCIAL_REGIONS)[:regions]
    raw = {**DEFAULT, "regions": chosen, "network": "vpc", "base_cidr": cidr}
    with pytest.raises(AnswerError) as error:
        build_answers("demo", raw)
    assert str(error.value) == (
        f"base_cidr {cidr!r} holds {room} /16 networks but {regions} regions need one each: "
        "use a larger network"
    )


PRIVATE_ONLY = (
    "is not a private range: use part of the RFC 1918 blocks 10.0.0.0/8, 172.16.0.0/12, "
    "192.168.0.0/16"
)


@pytest.mark.parametrize(
    "cidr",
    [
        "127.0.0.0/8",  # loopback
        "0.0.0.0/8",  # "this network"
        "240.0.0.0/4",  # reserved
        "198.18.0.0/15",  # benchmarking
        "169.254.0.0/16",  # link-local
        "100.64.0.0/10",  # carrier-grade NAT
        "11.0.0.0/8",
        "10.0.0.0/7",  # holds 10/8 but reaches past it
        "172.15.0.0/16",  # just below 172.16.0.0/12
        "172.32.0.0/16",  # just above it
        "172.0.0.0/11",  # holds 172.16.0.0/12 but reaches below it
        "192.169.0.0/16",
        "0.0.0.0/0",
    ],
)
def test_only_rfc_1918_base_cidrs_are_accepted(cidr: str) -> None:
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**DEFAULT, "network": "vpc", "base_cidr": cidr})
    assert str(error.value) == f"base_cidr {cidr!r} {PRIVATE_ONLY}"


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.254.0.0/15", "172.16.0.0/12", "172.30.0.0/15"])
def test_rfc_1918_base_cidrs_at_the_edges_are_accepted(cidr: str) -> None:
    raw = {**DEFAULT, "network": "vpc", "base_cidr": cidr}
    assert build_answers("demo", raw).base_cidr == cidr


def test_192_168_is_private_but_holds_one_region_only() -> None:
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**DEFAULT, "network": "vpc", "base_cidr": "192.168.0.0/16"})
    assert str(error.value) == (
        "base_cidr '192.168.0.0/16' holds 1 /16 networks but 2 regions need one each: "
        "use a larger network"
    )


@pytest.mark.parametrize(
    ("value", "shown"), [(1, "int 1"), (0, "int 0"), (None, "null"), ("true", "str 'true'")]
)
def test_a_boolean_answer_must_be_true_or_false(value: object, shown: str) -> None:
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**DEFAULT, "route53": value})
    assert str(error.value) == f"route53: expected true or false, got {shown}"


QUESTION_LIST = (
    "regions, env_suffix, route53, hosted_zone_id, domain, record_name, network, base_cidr, ci, "
    "alarm_email"
)
LABELS = "dot-separated labels of lowercase letters, digits and inner hyphens (1-63 each)"


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("sthree-x", {}, "project name 'sthree-x' starts with a prefix S3 reserves "
         "(sthree-, amzn-s3-demo-, xn--): choose another name"),
        ("amzn-s3-demo-x", {}, "project name 'amzn-s3-demo-x' starts with a prefix S3 reserves "
         "(sthree-, amzn-s3-demo-, xn--): choose another name"),
        ("Demo", {}, "project name 'Demo' is not valid: use lowercase letters, digits and single "
         "hyphens, starting with a letter"),
        (5, {}, "project name: expected a string, got int 5"),
        ("demo", {"env_suffix": "s3alias"},
         "env_suffix 's3alias' is reserved by S3: choose another suffix"),
        ("demo", {"env_suffix": "s3aliasx"}, None),
        ("demo", {"regions": ["us-east-1", "mars-1"]},
         "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 "
         "or ap-southeast-2)"),
        ("demo", {"regions": ["us-east-1", "us-eats-2"]},
         "region 'us-eats-2' is not an AWS commercial region code; did you mean us-east-2?"),
        ("demo", {"regions": ["US-East-1", "EU-WEST-9"]},
         "region 'EU-WEST-9' is not an AWS commercial region code; did you mean eu-west-3?"),
        ("demo", {"regions": ["us-east-1", "cn-north-1"]},
         "region 'cn-north-1' is in the China partition (aws-cn); drgen deploys to AWS "
         "commercial regions only (such as us-east-1, eu-west-1 or ap-southeast-2)"),
        ("demo", {"regions": "us-east-1,,us-west-2"},
         "regions: an empty region code (a comma too many?)"),
        ("demo", {"regions": {"a": 1}},
         "regions: expected a list of region codes or a comma-separated string, got dict "
         "{'a': 1}"),
        ("demo", {"regions": ["us-east-1", None]}, "regions: expected region codes, got null"),
        ("demo", {"regions": ["us-east-1", "us-west-2", "us-east-1"]},
         "region 'us-east-1' is given twice: regions must be distinct"),
        ("demo", {"regions": ["us-east-1"]},
         "regions ['us-east-1']: a DR stack needs at least two regions (primary first)"),
        ("demo", {"regions": ("us-east-1", "us-west-2")}, None),
        ("demo", {"route53": True, "hosted_zone_id": "Z1", "domain": "Example.com",
                  "record_name": "api"},
         f"domain 'Example.com' is not a valid DNS name: use 2+ {LABELS}, no trailing dot"),
        ("demo", {"route53": True, "hosted_zone_id": "Z1", "domain": "example.com",
                  "record_name": "a_b"},
         f"record_name 'a_b' is not a valid DNS name: use 1+ {LABELS}, no trailing dot"),
        ("demo", {"route53": True, "hosted_zone_id": "Z1", "domain": "example.com",
                  "record_name": 7},
         "record_name: expected a string, got int 7"),
        ("demo", {"colour": 1}, f"unknown answer 'colour'; accepted: {QUESTION_LIST}"),
        ("demo", {"region": ["us-east-1", "us-west-2"]},
         "unknown answer 'region'; did you mean regions?"),
        ("demo", {"network": "vpc", "base_cidr": "10.0.0.1/8"},
         "base_cidr '10.0.0.1/8' is not an IPv4 network such as 10.0.0.0/8 (address/prefix, "
         "host bits zero)"),
        ("demo", {"network": "vpc", "base_cidr": "10.0.0.0/17"},
         "base_cidr '10.0.0.0/17' is smaller than a /16; each region needs a /16"),
        ("demo", {"network": "vpc", "base_cidr": ["10.0.0.0/8"]},
         "base_cidr: expected a string, got list ['10.0.0.0/8']"),
        ("demo", {"hosted_zone_id": "Z1"},
         "hosted_zone_id 'Z1' is only used when route53 is on (--route53); remove it or turn "
         "that on"),
        ("demo", {"base_cidr": "10.0.0.0/8"},
         "base_cidr '10.0.0.0/8' is only used when network is vpc (--network vpc); remove it "
         "or turn that on"),
        ("demo", {"domain": "example.com"},
         "domain 'example.com' is only used when route53 is on (--route53); remove it or turn "
         "that on"),
        ("demo", {"record_name": "api"},
         "record_name 'api' is only used when route53 is on (--route53); remove it or turn "
         "that on"),
        ("demo", {"network": "vpc"}, "missing answers: base_cidr"),
        # a malformed toggle is named before the answers that depend on it
        ("demo", {"network": "VPC", "base_cidr": "10.0.0.0/8"},
         "network 'VPC' is not accepted; accepted: none, vpc"),
        ("demo", {"route53": "on", "hosted_zone_id": "Z1"},
         "route53: expected true or false, got str 'on'"),
        ("demo", {"route53": True, "network": "vpc"},
         "missing answers: hosted_zone_id, domain, record_name, base_cidr"),
    ],
)  # fmt: skip
def test_each_refusal_is_its_exact_line(
    name: object, changes: dict[str, object], message: str | None
) -> None:
    raw = {**DEFAULT, **changes}
    if message is None:  # the accepted neighbour of a refused value
        assert build_answers(name, raw).project_name == name
        return
    with pytest.raises(AnswerError) as error:
        build_answers(name, raw)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("regions: [eu-west-1\n", "is not valid YAML at line 2"),
        ("env_suffix: \x07\n", "is not valid YAML"),  # a reader error carries no line
        ("- a\n", f"must be a mapping of answers ({QUESTION_LIST}), got list"),
        (b"\xff\xfe\x00", "is not UTF-8 text (byte 1)"),
    ],
)
def test_each_answers_file_error_is_its_exact_line(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "answers.yml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(AnswerError) as error:
        load_answers_file(path)
    separator = ": " if message.startswith("unknown") else " "
    assert str(error.value) == f"answers file {str(path)!r}{separator}{message}"


def test_an_unreadable_answers_file_names_the_reason(tmp_path: Path) -> None:
    with pytest.raises(AnswerError) as error:
        load_answers_file(tmp_path / "missing.yml")
    missing = str(tmp_path / "missing.yml")
    assert str(error.value) == f"answers file {missing!r} cannot be read: No such file or directory"
    with pytest.raises(AnswerError) as error:
        load_answers_file(tmp_path)
    assert str(error.value) == f"answers file {str(tmp_path)!r} cannot be read: Is a directory"


def test_every_refused_answer_is_reported_at_once_with_its_source() -> None:
    raw = {**DEFAULT, "regions": ["us-east-1", "mars-1"], "env_suffix": "BAD", "network": "vpn"}
    sources = {"regions": "--region", "env_suffix": "--env-suffix", "network": "--network"}
    with pytest.raises(AnswerErrors) as error:
        build_answers("demo", raw, sources=sources)
    assert error.value.lines == [
        "network 'vpn' is not accepted; accepted: none, vpc (from --network)",
        "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 or "
        "ap-southeast-2) (from --region)",
        f"env_suffix 'BAD' is not valid: use {LABEL_RULE} (from --env-suffix)",
    ]
    assert str(error.value) == "; ".join(error.value.lines), "one line for a caller that wraps it"


def test_every_bad_region_is_named_not_only_the_first() -> None:
    with pytest.raises(AnswerErrors) as error:
        validate_regions("us-eats-1, mars-1,us-east-1, US-EAST-1")
    assert error.value.lines == [
        "region 'us-eats-1' is not an AWS commercial region code; did you mean us-east-1?",
        "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 or "
        "ap-southeast-2)",
        "region 'us-east-1' is given twice: regions must be distinct",
    ]


def test_a_cross_field_refusal_names_the_source_of_each_answer_it_involves() -> None:
    raw = {**ROUTE53, "record_name": "r" * 60}
    sources = {"record_name": "--record-name", "domain": "answers file 'a.yml', key domain"}
    with pytest.raises(AnswerErrors) as error:
        build_answers("demo", raw, sources=sources)
    assert error.value.lines == [
        f"custom domain {'r' * 60 + '.example.com'!r} is 72 characters; ACM certificates accept "
        "at most 64: shorten record_name or domain (record_name from --record-name, domain "
        "from answers file 'a.yml', key domain)"
    ]


def test_refusals_found_earlier_come_first_and_a_valid_set_still_fails() -> None:
    with pytest.raises(AnswerErrors) as error:
        build_answers("demo", DEFAULT, problems=["answers file 'a.yml': unknown key 'x'"])
    assert error.value.lines == ["answers file 'a.yml': unknown key 'x'"]


@pytest.mark.parametrize(
    "regions",
    [
        "eu-west-1,eu-central-1,us-east-1",
        " eu-west-1 , eu-central-1,us-east-1 ",
        ["eu-west-1", "eu-central-1", "us-east-1"],
        ["eu-west-1,eu-central-1", "us-east-1"],
        ["EU-WEST-1", "Eu-Central-1,us-east-1"],
        ("eu-west-1", "eu-central-1", "us-east-1"),
    ],
)
def test_one_region_syntax_lists_commas_and_case(regions: object) -> None:
    assert validate_regions(regions) == ("eu-west-1", "eu-central-1", "us-east-1")


def test_without_defaults_the_advice_names_what_defaults_cannot_give() -> None:
    assert missing_answers_message(["regions", "ci"]) == (
        "no terminal to ask for: regions (--region), ci (--ci); pass them as flags, in "
        "--answers-file, or use --defaults"
    )
    assert missing_answers_message(["regions", "domain"], without_default=["domain"]) == (
        "no terminal to ask for: regions (--region), domain (--domain); pass them as flags or "
        "in --answers-file (--defaults has no default for domain)"
    )
    assert missing_answers_message(["domain"], use_defaults=True, without_default=["domain"]) == (
        "no terminal to ask for: domain (--domain); --defaults has no default for it: pass it "
        "as a flag or in --answers-file"
    )
    assert missing_answers_message(
        ["hosted_zone_id", "domain"], use_defaults=True, without_default=["hosted_zone_id"]
    ) == (
        "no terminal to ask for: hosted_zone_id (--hosted-zone-id), domain (--domain); "
        "--defaults has no default for them: pass them as flags or in --answers-file"
    )


def test_gathered_answers_remember_each_source(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text("env_suffix: qa\nnetwork: vpc\n")
    gathered = gather_answers(
        "demo",
        path,
        {"regions": ["eu-west-1,eu-west-2"], "env_suffix": None, "alarm_email": "none"},
        use_defaults=True,
    )
    assert gathered.sources == {
        "regions": "--region",
        "alarm_email": "--alarm-email",
        "env_suffix": f"answers file {str(path)!r}, key env_suffix",
        "network": f"answers file {str(path)!r}, key network",
        "route53": "--defaults",
        "base_cidr": "--defaults",
        "ci": "--defaults",
    }
    assert gathered.missing == [] and gathered.problems == []
    assert gathered.build() == Answers(
        "demo",
        ("eu-west-1", "eu-west-2"),
        "qa",
        network="vpc",
        base_cidr="10.0.0.0/8",
        alarm_email="none",
    )


def test_gathered_answers_without_a_terminal_name_the_missing_with_the_refused(
    tmp_path: Path,
) -> None:
    gathered = gather_answers(
        "demo", None, {"env_suffix": "BAD", "route53": True}, use_defaults=True
    )
    assert gathered.missing == ["hosted_zone_id", "domain", "alarm_email"]
    with pytest.raises(AnswerErrors) as error:
        gathered.build()
    assert error.value.lines == [
        f"env_suffix 'BAD' is not valid: use {LABEL_RULE} (from --env-suffix)",
        "no terminal to ask for: hosted_zone_id (--hosted-zone-id), domain (--domain), "
        "alarm_email (--alarm-email EMAIL or none); --defaults has no default for them: pass "
        "them as flags or in --answers-file",
    ]


def test_a_project_record_is_read_as_answers_without_its_name_and_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "answers.yml"
    path.write_text(
        "# How drgen generated this project\ndrgen_version: 9.9.9\nanswers:\n"
        "  project_name: old\n  regions: [eu-west-1, eu-central-1]\n  env_suffix: prod\n"
    )
    read = read_answers_file(path)
    assert read.answers == {"regions": ["eu-west-1", "eu-central-1"], "env_suffix": "prod"}
    assert read.sources == {
        "regions": f"answers file {str(path)!r}, key answers.regions",
        "env_suffix": f"answers file {str(path)!r}, key answers.env_suffix",
    }
    assert read.problems == []


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        ("colour: red\nregion: [a]\n",
         ["unknown key 'colour'; accepted: " + QUESTION_LIST,
          "unknown key 'region'; did you mean regions?"]),
        ("env-suffix: dev\n", ["unknown key 'env-suffix'; did you mean env_suffix?"]),
        ("project_name: other\n",
         ["project_name is not an answer: the project is named by drgen new's NAME"]),
        ("answers: {regions: [a], colour: 1}\nversion: 1\n",
         ["unknown key 'version' beside answers; accepted: drgen_version, answers",
          "unknown key answers.'colour'; accepted: " + QUESTION_LIST]),
    ],
)  # fmt: skip
def test_every_unknown_key_of_an_answers_file_is_named(
    tmp_path: Path, content: str, lines: list[str]
) -> None:
    path = tmp_path / "answers.yml"
    path.write_text(content)
    where = f"answers file {str(path)!r}: "
    assert read_answers_file(path).problems == [where + line for line in lines]
    with pytest.raises(AnswerErrors) as error:
        load_answers_file(path)
    assert error.value.lines == [where + line for line in lines]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("answers.yml", "answers: [a]\n", "answers must be a mapping, got list ['a']"),
        ("answers.json", '{"regions": [1,\n', "is not valid JSON at line 2"),
        ("answers.json", "regions: [a]\n", "is not valid JSON at line 1"),
    ],
)
def test_broken_answers_files_are_refused_whole(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(AnswerError) as error:
        read_answers_file(path)
    separator = ": " if message.startswith("answers must") else " "
    assert str(error.value) == f"answers file {str(path)!r}{separator}{message}"


@pytest.mark.parametrize("name", ["answers.json", "answers.yml"])
def test_json_answers_files_are_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    # a tab before a key: JSON allows it, YAML does not (the .yml file falls back to JSON)
    path.write_text('{\n\t"regions": ["eu-west-1", "eu-west-2"],\n\t"route53": false\n}\n')
    assert load_answers_file(path) == {"regions": ["eu-west-1", "eu-west-2"], "route53": False}


def test_a_default_computed_from_a_refused_answer_is_not_refused_too() -> None:
    raw = {**ROUTE53, "env_suffix": "BAD", "record_name": "demo-BAD"}
    with pytest.raises(AnswerErrors) as error:
        build_answers("demo", raw, sources={"record_name": "--defaults"})
    assert error.value.lines == [f"env_suffix 'BAD' is not valid: use {LABEL_RULE}"]
    with pytest.raises(AnswerErrors) as error:
        build_answers(
            "demo", {**ROUTE53, "record_name": "a_b"}, sources={"record_name": "--defaults"}
        )
    assert error.value.lines == [
        f"record_name 'a_b' is not a valid DNS name: use 1+ {LABELS}, no trailing dot "
        "(from --defaults)"
    ], "alone, it is still named"


def test_each_name_in_drgens_table_is_a_rendered_name_with_its_aws_limit() -> None:
    """The table may hold only names the template builds, each with the oracle's AWS limit:
    a wrong limit for a name that does not bind today would bind after a template change."""
    sites = template_sites()
    for name in PHYSICAL_NAMES:
        rendered = name.render("demo", "dev", "eu-central-1")
        matching = [s for s in sites if s.render("demo", "dev", "eu-central-1") == rendered]
        assert matching, f"{name.pattern}: the template builds no such name"
        # the same text may name several resources (an API and a role): the tightest binds
        assert min(s.limit for s in matching) == name.limit, name.pattern


def test_a_refused_project_name_is_reported_with_the_other_refusals() -> None:
    with pytest.raises(AnswerErrors) as error:
        build_answers("Demo", {**DEFAULT, "env_suffix": "BAD", "colour": 1})
    assert error.value.lines == [
        f"project name 'Demo' is not valid: use {LABEL_RULE}",
        f"unknown answer 'colour'; accepted: {QUESTION_LIST}",
        f"env_suffix 'BAD' is not valid: use {LABEL_RULE}",
    ]
