"""The model (drgen/answers/model.py): typed answers, their data, the physical-name table."""

from __future__ import annotations

import pytest

from drgen.answers.model import PHYSICAL_NAMES, Answers
from drgen.answers.rules import build_answers
from tests.answers.samples import DEFAULT, ROUTE53
from tests.template_names import template_sites


def test_build_answers_gives_a_typed_model() -> None:
    answers = build_answers("demo", DEFAULT)
    assert answers == Answers("demo", ("us-east-1", "us-west-2"), "dev")
    assert answers.to_data() == {"project_name": "demo", **DEFAULT, "drgen_source": "pypi"}
    assert answers.primary_region == "us-east-1"
    assert answers.secondary_regions == ("us-west-2",)


def test_route53_and_vpc_answers() -> None:
    answers = build_answers("demo", {**ROUTE53, "network": "vpc", "base_cidr": "10.20.0.0/14"})
    assert answers.route53 and answers.network == "vpc"
    assert answers.to_data()["record_name"] == "api"
    assert answers.to_data()["base_cidr"] == "10.20.0.0/14"


@pytest.mark.integration
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
