"""Each answer's own rule: its validator, and the patterns and limits it checks against.

The `regions` answer's rule lives in regions.py; the rules that span answers in rules.py.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping

from drgen.answers.questions import NO_ALARM_EMAIL, PYPI
from drgen.answers.regions import validate_regions
from drgen.answers.wording import shown, typed
from drgen.errors import AnswerError

#: Lowercase DNS-label style: valid in S3 bucket names, IAM, Lambda and Pulumi names alike.
LABEL = re.compile(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*")
LABEL_RULE = "lowercase letters, digits and single hyphens, starting with a letter"
#: S3 refuses bucket names that start or end with these (bucket names start with the
#: project name and end with the suffix).
RESERVED_PREFIXES = ("sthree-", "amzn-s3-demo-", "xn--")
RESERVED_SUFFIXES = ("s3alias",)


def _label(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"{field}: expected a string, got {typed(value)}")
    if not LABEL.fullmatch(value):
        raise AnswerError(f"{field} {value!r} is not valid: use {LABEL_RULE}")
    return value


def validate_project_name(value: object) -> str:
    """The project name: a label, not one S3 reserves."""
    name = _label("project name", value)
    if name.startswith(RESERVED_PREFIXES):
        raise AnswerError(
            f"project name {name!r} starts with a prefix S3 reserves "
            f"({', '.join(RESERVED_PREFIXES)}): choose another name"
        )
    return name


def validate_env_suffix(value: object) -> str:
    """The environment suffix: a label, not one S3 reserves at the end of a bucket name."""
    suffix = _label("env_suffix", value)
    if suffix in RESERVED_SUFFIXES:
        raise AnswerError(f"env_suffix {suffix!r} is reserved by S3: choose another suffix")
    return suffix


def validate_route53(value: object) -> bool:
    """On or off; YAML's true/false, not a string."""
    if not isinstance(value, bool):
        raise AnswerError(f"route53: expected true or false, got {typed(value)}")
    return value


#: Route 53's API gives a hosted zone Id a maximum length of 32 (API_HostedZone).
HOSTED_ZONE_ID_LIMIT = 32
HOSTED_ZONE_ID = re.compile(r"Z[A-Z0-9]+")


#: How the AWS CLI and API print a zone's id (`"Id": "/hostedzone/Z0123..."`): accepted as is.
ZONE_ID_PREFIX = "/hostedzone/"


def validate_hosted_zone_id(value: object) -> str:
    """A Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, or as the API prints it."""
    given = value
    if isinstance(value, str):
        value = value.removeprefix(ZONE_ID_PREFIX)
    if not isinstance(value, str) or not HOSTED_ZONE_ID.fullmatch(value):
        raise AnswerError(
            f"hosted_zone_id {shown(given)} is not a Route 53 hosted zone id: expected Z "
            f"followed by up to {HOSTED_ZONE_ID_LIMIT - 1} uppercase letters and digits "
            f"(with or without {ZONE_ID_PREFIX})"
        )
    if len(value) > HOSTED_ZONE_ID_LIMIT:
        raise AnswerError(
            f"hosted_zone_id {value!r} is {len(value)} characters long; Route 53 hosted zone "
            f"ids have at most {HOSTED_ZONE_ID_LIMIT}"
        )
    return value


DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


#: What a record name may be: a relative name, so lowercase and no root dot.
RECORD_NAME_RULE = (
    "labels of lowercase letters, digits and inner hyphens (1-63 each), no trailing dot"
)
#: What a domain may be: as Route 53 prints a zone's name too (any case, one root dot).
DOMAIN_RULE = (
    "labels of letters, digits and inner hyphens (1-63 each), any case, at most one trailing dot"
)


def _dns_name(field: str, value: object, *, min_labels: int, rule: str = RECORD_NAME_RULE) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"{field}: expected a string, got {typed(value)}")
    labels = value.split(".")
    if (
        len(labels) < min_labels
        or len(value) > 253
        or not all(DNS_LABEL.fullmatch(label) for label in labels)
    ):
        raise AnswerError(
            f"{field} {value!r} is not a valid DNS name: use {min_labels}+ dot-separated {rule}"
        )
    return value


def validate_domain(value: object) -> str:
    """The hosted zone's domain: at least two labels, lowercase.

    As Route 53 shows a zone's name (`Example.com.`: any case, the root's dot) it is accepted
    and kept as `example.com`, the form the certificate and the records are built from.
    """
    if not isinstance(value, str):
        return _dns_name("domain", value, min_labels=2, rule=DOMAIN_RULE)
    canonical = value.lower().removesuffix(".") if not value.endswith("..") else value
    try:
        return _dns_name("domain", canonical, min_labels=2, rule=DOMAIN_RULE)
    except AnswerError:
        _dns_name("domain", value, min_labels=2, rule=DOMAIN_RULE)  # the error quotes it as given
        raise


def validate_record_name(value: object) -> str:
    """The record's name relative to the domain: one or more labels."""
    return _dns_name("record_name", value, min_labels=1)


NETWORKS = ("none", "vpc")


def validate_network(value: object) -> str:
    """`none` or `vpc`."""
    if value not in NETWORKS:
        raise AnswerError(
            f"network {shown(value)} is not accepted; accepted: {', '.join(NETWORKS)}"
        )
    return str(value)


#: Continuous-integration systems drgen writes workflows for.
CI_SYSTEMS = ("github", "none")


def validate_ci(value: object) -> str:
    """One of the CI systems drgen writes workflows for, or none."""
    if value not in CI_SYSTEMS:
        raise AnswerError(f"ci {shown(value)} is not accepted; accepted: {', '.join(CI_SYSTEMS)}")
    return str(value)


#: The private address blocks of RFC 1918, the ones AWS recommends for a VPC.
PRIVATE_NETWORKS = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


def validate_base_cidr(value: object) -> str:
    """An RFC 1918 IPv4 network with no host bits set, /16 or larger."""
    if not isinstance(value, str):
        raise AnswerError(f"base_cidr: expected a string, got {typed(value)}")
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        raise AnswerError(
            f"base_cidr {value!r} is not an IPv4 network such as 10.0.0.0/8 "
            "(address/prefix, host bits zero)"
        ) from None
    if network.prefixlen > 16:
        raise AnswerError(f"base_cidr {value!r} is smaller than a /16; each region needs a /16")
    if not any(network.subnet_of(block) for block in PRIVATE_NETWORKS):
        raise AnswerError(
            f"base_cidr {value!r} is not a private range: use part of the RFC 1918 blocks "
            f"{', '.join(map(str, PRIVATE_NETWORKS))}"
        )
    return value


#: What SNS e-mail subscriptions and the generated stack config accept: a plain ASCII
#: address (RFC 5321 limits it to 254 characters), no quoting or comments.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_LIMIT = 254


def validate_alarm_email(value: object) -> str:
    """An e-mail address every alarm topic mails, or `none` for no subscription."""
    if not isinstance(value, str):
        raise AnswerError(f"alarm_email: expected a string, got {typed(value)}")
    if value == NO_ALARM_EMAIL:
        return value
    if len(value) > EMAIL_LIMIT or not EMAIL.fullmatch(value):
        raise AnswerError(
            f"alarm_email {value!r} is not accepted: expected an e-mail address such as "
            f"oncall@example.com (at most {EMAIL_LIMIT} characters), or none"
        )
    return value


#: A package index URL that lands unquoted in requirements-dev.txt and in YAML: https, a
#: host, and a path of URL-safe characters only (no credentials, query or fragment: the file
#: is committed, and pip takes credentials from keyring or .netrc instead).
INDEX_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%+-]*)*")
INDEX_URL_LIMIT = 200


def validate_drgen_source(value: object) -> str:
    """`pypi`, or the https:// package index that serves drgen and the other requirements."""
    if not isinstance(value, str):
        raise AnswerError(f"drgen_source: expected a string, got {typed(value)}")
    if value == PYPI:
        return value
    if len(value) > INDEX_URL_LIMIT or not INDEX_URL.fullmatch(value):
        raise AnswerError(
            f"drgen_source {value!r} is not accepted: expected pypi, or an https:// package "
            "index URL such as https://pypi.example.com/simple/ (no credentials, query or "
            f"fragment; at most {INDEX_URL_LIMIT} characters)"
        )
    return value


FIELD_VALIDATORS: dict[str, Callable[[object], object]] = {
    "regions": validate_regions,
    "env_suffix": validate_env_suffix,
    "route53": validate_route53,
    "hosted_zone_id": validate_hosted_zone_id,
    "domain": validate_domain,
    "record_name": validate_record_name,
    "network": validate_network,
    "base_cidr": validate_base_cidr,
    "ci": validate_ci,
    "alarm_email": validate_alarm_email,
    "drgen_source": validate_drgen_source,
}


#: The answers accepted in the form AWS prints them and kept in another (`/hostedzone/Z1`).
CLEANED = ("hosted_zone_id", "domain")


def cleaned_notes(given: Mapping[str, object], kept: Mapping[str, object]) -> list[str]:
    """One note per answer kept in another form than given: `given` answers, `kept` data."""
    return [
        f"note: {key} {given[key]!r} taken as {kept[key]!r}"
        for key in CLEANED
        if isinstance(given.get(key), str) and key in kept and given[key] != kept[key]
    ]


def validate_field(key: str, value: object) -> object:
    """Validate one answer on its own (used by prompts to re-ask at once)."""
    return FIELD_VALIDATORS[key](value)
