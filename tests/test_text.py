"""Messages that count things are grammatical for one and for many, and show no Python reprs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drgen.answers.regions import validate_regions
from drgen.answers.rules import check_cidr_room
from drgen.answers.sources import missing_answers_message
from drgen.answers.wording import typed
from drgen.errors import AnswerError
from drgen.posture.resource_types import SUBSCRIPTION, TOPIC
from drgen.posture.survival import paged
from drgen.text import plural, them, yaml_type
from drgen.verification.reports import ReportDamagedError, read_coverage
from drgen.verification.result import CollectionError, VerifyResult


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "region", "0 regions"),
        (1, "region", "1 region"),
        (2, "region", "2 regions"),
        (1, "/16 network", "1 /16 network"),
        (3, "/16 network", "3 /16 networks"),
    ],
)
def test_plural(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected


def test_them_agrees_with_the_count() -> None:
    assert [them(n) for n in (1, 2, 5)] == ["it", "them", "them"]


def test_types_are_named_as_yaml_names_them() -> None:
    values = [{}, [], 1, 1.5, "a", True, None]
    assert [yaml_type(value) for value in values] == [
        "mapping", "list", "integer", "number", "string", "boolean", "null"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("missing", "options", "advice"),
    [
        (["ci"], {}, "pass it as a flag, in --answers-file, or use --defaults"),
        (["regions", "ci"], {}, "pass them as flags, in --answers-file, or use --defaults"),
        (
            ["domain"],
            {"without_default": ["domain"]},
            "pass it as a flag or in --answers-file (--defaults has no default for domain)",
        ),
        (
            ["regions", "domain"],
            {"without_default": ["domain"]},
            "pass them as flags or in --answers-file (--defaults has no default for domain)",
        ),
        (
            ["domain"],
            {"use_defaults": True},
            "--defaults has no default for it: pass it as a flag or in --answers-file",
        ),
        (
            ["hosted_zone_id", "domain"],
            {"use_defaults": True},
            "--defaults has no default for them: pass them as flags or in --answers-file",
        ),
    ],
    ids=[
        "one",
        "two",
        "one-without-default",
        "two-without-default",
        "one-defaults",
        "two-defaults",
    ],
)
def test_missing_answers_advice_agrees_with_their_number(
    missing: list[str], options: dict[str, Any], advice: str
) -> None:
    assert missing_answers_message(missing, **options).endswith(f"; {advice}")


@pytest.mark.parametrize(
    ("regions", "given"), [([], "none"), (["us-east-1"], "only us-east-1")], ids=["none", "one"]
)
def test_too_few_regions_are_named_not_shown_as_a_list(regions: list[str], given: str) -> None:
    with pytest.raises(AnswerError) as error:
        validate_regions(regions)
    assert str(error.value) == (
        f"regions: {given} given; a DR stack needs at least two regions (primary first)"
    )


@pytest.mark.parametrize(
    ("base_cidr", "room"), [("10.0.0.0/16", "1 /16 network"), ("10.0.0.0/15", "2 /16 networks")]
)
def test_the_room_of_a_base_network_is_counted(base_cidr: str, room: str) -> None:
    with pytest.raises(AnswerError) as error:
        check_cidr_room(base_cidr, ("us-east-1", "us-west-2", "eu-west-1"))
    assert str(error.value) == (
        f"base_cidr {base_cidr!r} holds {room} but 3 regions need one each: use a larger network"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (["10.0.0.0/8"], "list [10.0.0.0/8]"),
        ({"a": 1}, "mapping {a: 1}"),
        (["a", [1, None, True]], "list [a, [1, null, true]]"),
        (7, "integer 7"),
        (1.5, "number 1.5"),
        ("on", "string 'on'"),
        (None, "null"),
    ],
)
def test_a_wrong_typed_answer_is_shown_in_yaml_words(value: object, shown: str) -> None:
    assert typed(value) == shown


def verification(**counts: Any) -> VerifyResult:
    fields: dict[str, Any] = {
        "passed": 1, "failed": 0, "errors": 0, "skipped": 0, "statements": 10,
        "covered_statements": 10, "branches": 2, "covered_branches": 2, "percent": 100.0,
        "seconds": 1.0, "returncode": 1, "coverage_report": True, "branch_coverage": True,
    }  # fmt: skip
    return VerifyResult(**{**fields, **counts})


@pytest.mark.parametrize(
    ("counts", "failure"),
    [
        ({"failed": 1}, "1 test failed"),
        ({"failed": 1, "errors": 1}, "2 tests failed"),
        (
            {"collection_errors": [CollectionError("tests/test_a.py", None, None, "boom")]},
            "1 test file",
        ),
        (
            {
                "collection_errors": [
                    CollectionError(f"tests/test_{n}.py", None, None, "x") for n in "ab"
                ]
            },
            "2 test files",
        ),
    ],
)
def test_a_failed_verification_counts_its_tests(counts: dict[str, Any], failure: str) -> None:
    assert str(verification(**counts).failure).startswith(failure)


def topics(count: int, heard: int) -> list[dict[str, Any]]:
    res: list[dict[str, Any]] = [
        {"type": TOPIC, "name": f"alarms-{n}", "inputs": {"name": f"alarms-{n}"}}
        for n in range(count)
    ]
    res += [
        {
            "type": SUBSCRIPTION,
            "name": f"mail-{n}",
            "inputs": {
                "topic": f"arn:aws:sns:us-east-1:123456789012:alarms-{n}",
                "endpoint": "a@b.c",
            },
        }
        for n in range(heard)
    ]
    return res


@pytest.mark.parametrize(
    ("count", "heard", "line"),
    [
        (1, 0, "NOBODY: the alarm topic has no subscription, so no alarm reaches a person"),
        (2, 0, "NOBODY: none of the 2 alarm topics has a subscription, so no alarm reaches"),
        (1, 1, "a@b.c on 1 of 1 alarm topic"),
        (2, 1, "a@b.c on 1 of 2 alarm topics; nobody hears alarms-1"),
    ],
)
def test_who_is_paged_is_counted(count: int, heard: int, line: str) -> None:
    assert paged(topics(count, heard)).startswith(line)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"tot', "Unterminated string starting at: line 1 column 2 (char 1)"),
        (b"{}", "no 'totals' in it"),
        (b"\xff", "not UTF-8 text"),
        (b"[]", "not the layout coverage.py writes"),
        (None, "No such file or directory"),
    ],
)
def test_a_damaged_coverage_report_is_described_in_words(
    tmp_path: Path, content: bytes | None, why: str
) -> None:
    path = tmp_path / "coverage.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ReportDamagedError) as error:
        read_coverage(path)
    assert str(error.value) == f"its coverage report cannot be read ({why})"
