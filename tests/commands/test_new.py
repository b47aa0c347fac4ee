"""`drgen new` as a library call: no typer, a caller's own messages and person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drgen.answers.model import Answers
from drgen.commands.messages import Display, Messages
from drgen.commands.new import NewOptions, run_new
from drgen.errors import AnswerErrors


class Lines:
    """A caller's Messages: every line kept, for people and for stderr apart."""

    json_mode = False
    quiet = False
    verbose = False

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {}
        self.out: list[str] = []
        self.err: list[str] = []

    def say(self, text: str, *, err: bool = False, nl: bool = True, final: bool = False) -> None:
        (self.err if err else self.out).append(text)


class Person:
    """Answers every question asked with the same region pair, then declines or accepts."""

    def __init__(self, *, write: bool) -> None:
        self.write = write
        self.asked: list[str] = []
        self.recaps: list[str] = []

    def ask_missing(self, project_name: str, raw: dict[str, object]) -> int:
        for key in ("regions", "env_suffix"):
            if key not in raw:
                self.asked.append(key)
                raw[key] = ["eu-west-1", "eu-central-1"] if key == "regions" else "qa"
        return len(self.asked)

    def confirm_write(self, answers: Answers, target: str) -> bool:
        self.recaps.append(target)
        return self.write


def no_display(out: Messages) -> Display:
    raise AssertionError("nothing is verified with no_verify")


FLAGS = {
    "route53": False, "network": "none", "ci": "none", "alarm_email": "none",
    "drgen_source": "pypi",
}  # fmt: skip


def test_a_library_caller_creates_a_project_without_typer(tmp_path: Path) -> None:
    out = Lines()
    options = NewOptions(output_dir=tmp_path / "shop", use_defaults=True, no_verify=True)
    run_new(out, "shop", FLAGS, options, no_display)
    assert (tmp_path / "shop" / "Pulumi.yaml").is_file()
    assert out.doc["answers"]["regions"] == ["us-east-1", "us-west-2"]
    assert out.out[0] == (
        f"Created shop in {tmp_path / 'shop'}: primary us-east-1, secondary us-west-2, stack dev"
    )
    assert out.out[-1].startswith("  ")  # the next steps close it
    assert out.err == []


def test_without_a_person_a_missing_answer_is_an_error_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    options = NewOptions(output_dir=tmp_path / "shop", no_verify=True)
    with pytest.raises(AnswerErrors) as refused:
        run_new(Lines(), "shop", FLAGS, options, no_display)
    assert "regions" in str(refused.value) and "env_suffix" in str(refused.value)
    assert not (tmp_path / "shop").exists()


@pytest.mark.parametrize("write", [True, False])
def test_a_person_answers_what_is_missing_then_confirms_the_recap(
    tmp_path: Path, write: bool
) -> None:
    out, person = Lines(), Person(write=write)
    options = NewOptions(output_dir=tmp_path / "shop", no_verify=True)
    run_new(out, "shop", FLAGS, options, no_display, person)
    assert person.asked == ["regions", "env_suffix"]
    assert person.recaps == [str(tmp_path / "shop")]
    assert (tmp_path / "shop").exists() is write
    if write:
        assert out.doc["answers"]["env_suffix"] == "qa"
    else:
        assert out.out == [f"Nothing was written to {tmp_path / 'shop'}."]


def test_yes_writes_without_the_recap(tmp_path: Path) -> None:
    person = Person(write=False)
    options = NewOptions(output_dir=tmp_path / "shop", no_verify=True, yes=True)
    run_new(Lines(), "shop", FLAGS, options, no_display, person)
    assert person.recaps == []
    assert (tmp_path / "shop" / "Pulumi.yaml").is_file()
