"""Where answers come from (drgen/answers/sources.py): answers files, flags, defaults, and the
advice when a run cannot prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from drgen.answers.fields import LABEL_RULE
from drgen.answers.model import Answers
from drgen.answers.sources import (
    AnswersFile,
    gather_answers,
    missing_answers_message,
    read_answers_file,
)
from drgen.errors import AnswerError, AnswerErrors
from tests.answers.samples import QUESTION_LIST


def test_answers_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "answers.yml"
    path.write_text("regions: [eu-west-1, eu-central-1]\nenv_suffix: prod\n")
    assert read_answers_file(path).answers == {
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
    with pytest.raises(AnswerError, match=why):  # an unknown key: when the answers are built
        gather_answers("demo", path, {}, use_defaults=True).build()


def test_unreadable_answers_files(tmp_path: Path) -> None:
    with pytest.raises(AnswerError, match="cannot be read"):
        read_answers_file(tmp_path / "missing.yml")
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AnswerError, match="not UTF-8"):
        read_answers_file(binary)


def test_an_empty_answers_file_answers_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.yml"
    path.write_text("")
    assert read_answers_file(path) == AnswersFile({}, {}, [])


def test_flags_override_the_file_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "answers.yml"
    path.write_text("env_suffix: staging\nregions: [eu-west-1, eu-central-1]\n")
    gathered = gather_answers(
        "demo",
        path,
        {"regions": ["sa-east-1", "us-east-1"], "env_suffix": None, "alarm_email": "none"},
        use_defaults=True,
    )
    assert gathered.raw == {
        "regions": ["sa-east-1", "us-east-1"],
        "env_suffix": "staging",
        "alarm_email": "none",
        "route53": False,
        "network": "none",
        "ci": "github",
        "drgen_source": "pypi",
    }
    assert gathered.missing == []
    gathered = gather_answers("demo", None, {"env_suffix": "qa"}, use_defaults=False)
    assert gathered.missing == [
        "regions", "route53", "network", "ci", "alarm_email", "drgen_source"
    ]  # fmt: skip


def test_defaults_follow_the_toggles() -> None:
    gathered = gather_answers(
        "shop", None, {"route53": True, "network": "vpc", "env_suffix": "prod"}, use_defaults=True
    )
    assert gathered.missing == ["hosted_zone_id", "domain", "alarm_email"], (
        "no default zone or address"
    )
    assert gathered.raw["record_name"] == "shop-prod"
    assert gathered.raw["base_cidr"] == "10.0.0.0/8"


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
        read_answers_file(path)
    separator = ": " if message.startswith("unknown") else " "
    assert str(error.value) == f"answers file {str(path)!r}{separator}{message}"


def test_an_unreadable_answers_file_names_the_reason(tmp_path: Path) -> None:
    with pytest.raises(AnswerError) as error:
        read_answers_file(tmp_path / "missing.yml")
    missing = str(tmp_path / "missing.yml")
    assert str(error.value) == f"answers file {missing!r} cannot be read: No such file or directory"
    with pytest.raises(AnswerError) as error:
        read_answers_file(tmp_path)
    assert str(error.value) == f"answers file {str(tmp_path)!r} cannot be read: Is a directory"


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


def test_with_json_the_reason_is_that_json_never_prompts() -> None:
    assert missing_answers_message(["regions", "ci"], json_mode=True) == (
        "--json never prompts for: regions (--region), ci (--ci); pass them as flags, in "
        "--answers-file, or use --defaults"
    )
    gathered = gather_answers("demo", None, {}, use_defaults=True, json_mode=True)
    with pytest.raises(AnswerErrors) as error:
        gathered.build()
    assert error.value.lines == [
        "--json never prompts for: alarm_email (--alarm-email EMAIL or none); --defaults has "
        "no default for it: pass it as a flag or in --answers-file"
    ]


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
        "drgen_source": "--defaults",
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
    with pytest.raises(AnswerErrors) as error:  # named first, with the answers' own refusals
        gather_answers("demo", path, {}, use_defaults=True).build()
    assert error.value.lines[: len(lines)] == [where + line for line in lines]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("answers.yml", "answers: [a]\n", "answers must be a mapping, got list [a]"),
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
    read = read_answers_file(path)
    assert read.answers == {"regions": ["eu-west-1", "eu-west-2"], "route53": False}
