"""Each answer's own rule (drgen/answers/fields.py): each refusal, each limit on both sides."""

from __future__ import annotations

import re

import pytest

from drgen.answers.fields import cleaned_notes, validate_env_suffix, validate_project_name
from drgen.answers.rules import build_answers
from drgen.errors import AnswerError
from tests.answers.samples import DEFAULT, ROUTE53


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
    ("changes", "why"),
    [
        ({"route53": "yes"}, "route53: expected true or false, got string 'yes'"),
        ({"hosted_zone_id": "/hostedzone/z123"}, "hosted_zone_id '/hostedzone/z123' is not a"),
        ({"hosted_zone_id": "z123"}, "not a Route 53 hosted zone id"),
        ({"domain": "example"}, "domain 'example' is not a valid DNS name"),
        ({"domain": "Exa_mple.com."}, "domain 'Exa_mple.com.' is not a valid DNS name"),
        ({"domain": "example.com.."}, "any case, at most one trailing dot"),
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
        ("10.0.0.0/16", "holds 1 /16 network but 2 regions"),
        (8, "expected a string"),
    ],
)
def test_bad_base_cidrs(cidr: object, why: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(why)):
        build_answers("demo", {**DEFAULT, "network": "vpc", "base_cidr": cidr})


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
        "uppercase letters and digits (with or without /hostedzone/)"
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


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1, "integer 1"), (0, "integer 0"), (None, "null"), ("true", "string 'true'")],
)
def test_a_boolean_answer_must_be_true_or_false(value: object, shown: str) -> None:
    with pytest.raises(AnswerError) as error:
        build_answers("demo", {**DEFAULT, "route53": value})
    assert str(error.value) == f"route53: expected true or false, got {shown}"


@pytest.mark.parametrize(
    ("field", "given", "kept"),
    [
        ("hosted_zone_id", "/hostedzone/Z0123ABC", "Z0123ABC"),
        ("domain", "Example.com.", "example.com"),
        ("domain", "EXAMPLE.COM", "example.com"),
    ],
)
def test_values_as_aws_prints_them_are_accepted_in_their_canonical_form(
    field: str, given: str, kept: str
) -> None:
    """`aws route53 list-hosted-zones` prints `/hostedzone/Z...` and `Example.com.`: pasted
    as they are, they give the same project as the canonical forms."""
    answers = build_answers("demo", {**ROUTE53, field: given})
    assert answers.to_data()[field] == kept
    assert cleaned_notes({field: given}, answers.to_data()) == [
        f"note: {field} {given!r} taken as {kept!r}"
    ]


def test_values_given_as_they_are_kept_get_no_note() -> None:
    answers = build_answers("demo", {**ROUTE53, "hosted_zone_id": "Z0123", "domain": "a.com"})
    given = {"hosted_zone_id": "Z0123", "domain": "a.com", "env_suffix": "dev"}
    assert cleaned_notes(given, answers.to_data()) == []


@pytest.mark.parametrize(
    "value",
    [
        "pypi",
        "https://pypi.example.com/simple/",
        "https://artifacts.example.com:8443/api/pypi/pypi-remote/simple",
        "https://example.com/" + "a" * (200 - len("https://example.com/")),  # at the limit
    ],
)
def test_a_drgen_source_is_pypi_or_an_https_index(value: str) -> None:
    assert build_answers("demo", {**DEFAULT, "drgen_source": value}).drgen_source == value


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/" + "a" * (201 - len("https://example.com/")),  # one over
        "https://",
        "https://pypi.example.com/simple/ --trusted-host x",
        'https://pypi.example.com/"simple"',
        True,
    ],
)
def test_a_drgen_source_that_could_break_the_files_it_lands_in_is_refused(value: object) -> None:
    with pytest.raises(AnswerError, match="drgen_source"):
        build_answers("demo", {**DEFAULT, "drgen_source": value})
