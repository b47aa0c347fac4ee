"""AWS commercial regions (partition `aws`) and the `regions` answer's rule.

A generated stack deploys to these regions only. The answer has one syntax for every source,
and every unknown or repeated code is named.
"""

from __future__ import annotations

import difflib

from drgen.answers.wording import typed
from drgen.errors import AnswerError, AnswerErrors

#: Checked against pulumi_aws's Region enum by tests/answers/test_regions.py.
COMMERCIAL_REGIONS: frozenset[str] = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)


#: Region codes of the other AWS partitions, which a commercial account cannot deploy to.
OTHER_PARTITIONS = (
    ("cn-", "the China partition (aws-cn)"),
    ("us-gov-", "the GovCloud partition (aws-us-gov)"),
    ("us-iso", "an isolated partition"),
    ("eusc-", "the European Sovereign Cloud partition"),
)
REGION_EXAMPLES = "such as us-east-1, eu-west-1 or ap-southeast-2"


def _region_problem(given: str) -> str:
    """Why `given` (stripped, as typed) is not a commercial region code: a guess, or examples."""
    code = given.lower()
    if not code:
        return "regions: an empty region code (a comma too many?)"
    for prefix, partition in OTHER_PARTITIONS:
        if code.startswith(prefix):
            return (
                f"region {given!r} is in {partition}; drgen deploys to AWS commercial regions "
                f"only ({REGION_EXAMPLES})"
            )
    close = difflib.get_close_matches(code, sorted(COMMERCIAL_REGIONS), n=1)
    if close:
        return f"region {given!r} is not an AWS commercial region code; did you mean {close[0]}?"
    return f"region {given!r} is not an AWS commercial region code ({REGION_EXAMPLES})"


def region_codes(value: object) -> list[str]:
    """The codes in a list and/or comma-separated strings, stripped, as typed (case kept).

    One syntax for every source: `-r a,b -r c`, `--set regions=a,b`, `regions: [a, b]` and
    `regions: a, b` all give the same list.
    """
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise AnswerError(
            "regions: expected a list of region codes or a comma-separated string, "
            f"got {typed(value)}"
        )
    codes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise AnswerError(f"regions: expected region codes, got {typed(item)}")
        codes.extend(part.strip() for part in item.split(","))
    return codes


def validate_regions(value: object) -> tuple[str, ...]:
    """At least two distinct commercial region codes, primary first, lowercased.

    Every unknown or repeated code is reported, not only the first.
    """
    problems: list[str] = []
    regions: list[str] = []
    for given in region_codes(value):
        code = given.lower()
        if code not in COMMERCIAL_REGIONS:
            problems.append(_region_problem(given))
        elif code in regions:
            problems.append(f"region {code!r} is given twice: regions must be distinct")
        else:
            regions.append(code)
    if problems:
        raise AnswerErrors(problems)
    if len(regions) < 2:
        given = f"only {regions[0]}" if regions else "none"
        raise AnswerError(
            f"regions: {given} given; a DR stack needs at least two regions (primary first)"
        )
    return tuple(regions)
