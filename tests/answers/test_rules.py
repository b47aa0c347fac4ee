"""The rules spanning answers and `build_answers` (drgen/answers/rules.py): each refusal as
its exact line, all of them at once, each naming its source."""

from __future__ import annotations

import re

import pytest

from drgen.answers.fields import LABEL_RULE
from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.answers.rules import build_answers, longest_env_suffix
from drgen.errors import AnswerError, AnswerErrors
from tests.answers.samples import DEFAULT, LABELS, QUESTION_LIST, ROUTE53
from tests.template_names import template_sites, tightest, too_long


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
        f"base_cidr {cidr!r} holds {room} /16 network{'' if room == 1 else 's'} but {regions} "
        "regions need one each: "
        "use a larger network"
    )


def test_192_168_is_private_but_holds_one_region_only() -> None:
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**DEFAULT, "network": "vpc", "base_cidr": "192.168.0.0/16"})
    assert str(error.value) == (
        "base_cidr '192.168.0.0/16' holds 1 /16 network but 2 regions need one each: "
        "use a larger network"
    )


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("sthree-x", {}, "project name 'sthree-x' starts with a prefix S3 reserves "
         "(sthree-, amzn-s3-demo-, xn--): choose another name"),
        ("amzn-s3-demo-x", {}, "project name 'amzn-s3-demo-x' starts with a prefix S3 reserves "
         "(sthree-, amzn-s3-demo-, xn--): choose another name"),
        ("Demo", {}, "project name 'Demo' is not valid: use lowercase letters, digits and single "
         "hyphens, starting with a letter"),
        (5, {}, "project name: expected a string, got integer 5"),
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
         "regions: expected a list of region codes or a comma-separated string, got mapping "
         "{a: 1}"),
        ("demo", {"regions": ["us-east-1", None]}, "regions: expected region codes, got null"),
        ("demo", {"regions": ["us-east-1", "us-west-2", "us-east-1"]},
         "region 'us-east-1' is given twice: regions must be distinct"),
        ("demo", {"regions": ["us-east-1"]},
         "regions: only us-east-1 given; a DR stack needs at least two regions (primary first)"),
        ("demo", {"regions": ("us-east-1", "us-west-2")}, None),
        ("demo", {"route53": True, "hosted_zone_id": "Z1", "domain": "Exa_mple.com",
                  "record_name": "api"},
         "domain 'Exa_mple.com' is not a valid DNS name: use 2+ dot-separated labels of "
         "letters, digits and inner hyphens (1-63 each), any case, at most one trailing dot"),
        ("demo", {"route53": True, "hosted_zone_id": "Z1", "domain": "example.com",
                  "record_name": "a_b"},
         f"record_name 'a_b' is not a valid DNS name: use 1+ {LABELS}, no trailing dot"),
        ("demo", {"route53": True, "hosted_zone_id": "Z1", "domain": "example.com",
                  "record_name": 7},
         "record_name: expected a string, got integer 7"),
        ("demo", {"colour": 1}, f"unknown answer 'colour'; accepted: {QUESTION_LIST}"),
        ("demo", {"region": ["us-east-1", "us-west-2"]},
         "unknown answer 'region'; did you mean regions?"),
        ("demo", {"network": "vpc", "base_cidr": "10.0.0.1/8"},
         "base_cidr '10.0.0.1/8' is not an IPv4 network such as 10.0.0.0/8 (address/prefix, "
         "host bits zero)"),
        ("demo", {"network": "vpc", "base_cidr": "10.0.0.0/17"},
         "base_cidr '10.0.0.0/17' is smaller than a /16; each region needs a /16"),
        ("demo", {"network": "vpc", "base_cidr": ["10.0.0.0/8"]},
         "base_cidr: expected a string, got list [10.0.0.0/8]"),
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
         "route53: expected true or false, got string 'on'"),
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


def test_a_default_filled_in_for_set_is_not_refused_for_a_refused_suffix() -> None:
    """`drgen update --set`'s defaults have no `--defaults` source, and are derived all the same."""
    raw = {**ROUTE53, "env_suffix": "BAD", "record_name": "demo-BAD"}
    sources = {"env_suffix": "--set env_suffix"}
    with pytest.raises(AnswerErrors) as error:
        build_answers("demo", raw, sources=sources, defaulted={"record_name"})
    assert error.value.lines == [
        f"env_suffix 'BAD' is not valid: use {LABEL_RULE} (from --set env_suffix)"
    ]


def test_hints_are_flags_for_new_and_set_items_for_update() -> None:
    raw = {**DEFAULT, "base_cidr": "10.0.0.0/8", "hosted_zone_id": "Z1"}
    for with_set, route53, vpc in [
        (False, "--route53", "--network vpc"),
        (True, "--set route53=true", "--set network=vpc"),
    ]:
        with pytest.raises(AnswerErrors) as error:
            build_answers("demo", raw, with_set=with_set)
        assert error.value.lines == [
            f"hosted_zone_id 'Z1' is only used when route53 is on ({route53}); remove it or "
            "turn that on",
            f"base_cidr '10.0.0.0/8' is only used when network is vpc ({vpc}); remove it or "
            "turn that on",
        ]
    with pytest.raises(AnswerErrors) as error:
        build_answers("demo", {**DEFAULT, "route53": True}, with_set=True)
    assert error.value.lines == [
        "missing answers: hosted_zone_id, domain, record_name; give them with "
        "--set hosted_zone_id=... --set domain=... --set record_name=..."
    ]


def test_a_refused_project_name_is_reported_with_the_other_refusals() -> None:
    with pytest.raises(AnswerErrors) as error:
        build_answers("Demo", {**DEFAULT, "env_suffix": "BAD", "colour": 1})
    assert error.value.lines == [
        f"project name 'Demo' is not valid: use {LABEL_RULE}",
        f"unknown answer 'colour'; accepted: {QUESTION_LIST}",
        f"env_suffix 'BAD' is not valid: use {LABEL_RULE}",
    ]
