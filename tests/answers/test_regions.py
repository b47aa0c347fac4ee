"""The regions (drgen/answers/regions.py): the real list, one syntax, every bad code named."""

from __future__ import annotations

import pytest

from drgen.answers.regions import COMMERCIAL_REGIONS, validate_regions
from drgen.errors import AnswerError, AnswerErrors


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
        (["us-east-1", 5], "regions: expected region codes, got integer 5"),
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


def test_every_bad_region_is_named_not_only_the_first() -> None:
    with pytest.raises(AnswerErrors) as error:
        validate_regions("us-eats-1, mars-1,us-east-1, US-EAST-1")
    assert error.value.lines == [
        "region 'us-eats-1' is not an AWS commercial region code; did you mean us-east-1?",
        "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 or "
        "ap-southeast-2)",
        "region 'us-east-1' is given twice: regions must be distinct",
    ]


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
