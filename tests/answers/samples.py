"""Answers the answers tests start from, and the words their refusals share."""

from __future__ import annotations

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

QUESTION_LIST = (
    "regions, env_suffix, route53, hosted_zone_id, domain, record_name, network, base_cidr, ci, "
    "alarm_email, drgen_source"
)
LABELS = "dot-separated labels of lowercase letters, digits and inner hyphens (1-63 each)"
