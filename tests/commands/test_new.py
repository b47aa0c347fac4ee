"""`drgen new` as a library call: no typer, a caller's own messages and person."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drgen.answers.model import Answers
from drgen.commands.messages import Display, Messages
from drgen.commands.new import NewOptions, default_name, run_new
from drgen.errors import AnswerError, AnswerErrors, TargetError
from tests.conftest import tree


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
    """Answers every question asked with the same region pair, then declines or accepts.

    `write` answers each recap in turn (the last one repeats); after a "no", the next of
    `changes` is applied to the answers, and once they run out the person declines.
    """

    def __init__(
        self,
        *,
        write: bool | list[bool],
        changes: tuple[dict[str, object], ...] = (),
        name: str = "shop",
    ) -> None:
        self.write = write if isinstance(write, list) else [write]
        self.changes = list(changes)
        self.name = name
        self.asked: list[str] = []
        self.recaps: list[str] = []
        self.offered_names: list[str | None] = []

    def ask_name(self, default: str | None, check: Callable[[str], None]) -> str:
        self.offered_names.append(default)
        check(self.name)
        return self.name

    def ask_missing(self, project_name: str, raw: dict[str, object]) -> int:
        for key in ("regions", "env_suffix"):
            if key not in raw:
                self.asked.append(key)
                raw[key] = ["eu-west-1", "eu-central-1"] if key == "regions" else "qa"
        return len(self.asked)

    def confirm_write(self, answers: Answers, target: str) -> bool:
        self.recaps.append(target)
        return self.write[min(len(self.recaps), len(self.write)) - 1]

    def change_one(self, answers: Answers, raw: dict[str, object]) -> bool:
        if not self.changes:
            return False
        raw.update(self.changes.pop(0))
        return True


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
        assert out.out == [
            f"Nothing was written to {tmp_path / 'shop'}. To create it later with these "
            "answers, run:",
            "  drgen new shop --region eu-west-1,eu-central-1 --env-suffix qa --no-route53 "
            "--network none --ci none --alarm-email none --drgen-source pypi "
            f"--output-dir {tmp_path / 'shop'} --no-verify",
            "or save these lines as a file and run drgen new shop -a FILE:",
            "  regions:",
            "  - eu-west-1",
            "  - eu-central-1",
            "  env_suffix: qa",
            "  route53: false",
            "  network: none",
            "  ci: none",
            "  alarm_email: none",
            "  drgen_source: pypi",
        ]


def test_yes_writes_without_the_recap(tmp_path: Path) -> None:
    person = Person(write=False)
    options = NewOptions(output_dir=tmp_path / "shop", no_verify=True, yes=True)
    run_new(Lines(), "shop", FLAGS, options, no_display, person)
    assert person.recaps == []
    assert (tmp_path / "shop" / "Pulumi.yaml").is_file()


def test_after_a_no_one_answer_is_changed_and_the_recap_comes_again(tmp_path: Path) -> None:
    person = Person(write=[False, True], changes=({"env_suffix": "prod"},))
    out = Lines()
    run_new(
        out,
        "shop",
        FLAGS,
        NewOptions(output_dir=tmp_path / "shop", no_verify=True),
        no_display,
        person,
    )
    assert person.recaps == [str(tmp_path / "shop")] * 2
    assert out.doc["answers"]["env_suffix"] == "prod"
    assert (tmp_path / "shop" / "Pulumi.prod.yaml").is_file()


def test_a_changed_flag_answer_is_no_longer_blamed_on_the_flag(tmp_path: Path) -> None:
    """The fake skips the prompt's check: the refusal must not name --ci, which said none."""
    person = Person(write=False, changes=({"ci": "gitlab"},))
    options = NewOptions(output_dir=tmp_path / "shop", no_verify=True)
    with pytest.raises(AnswerErrors) as refused:
        run_new(Lines(), "shop", FLAGS, options, no_display, person)
    assert refused.value.problems == ["ci 'gitlab' is not accepted; accepted: github, none"]
    assert not (tmp_path / "shop").exists()


def test_without_a_name_the_person_is_asked_for_it_and_sees_the_recap(tmp_path: Path) -> None:
    person = Person(write=True, name="payments")
    given = {**FLAGS, "regions": ["us-east-1", "us-west-2"], "env_suffix": "dev"}
    out = Lines()
    run_new(
        out,
        None,
        given,
        NewOptions(output_dir=tmp_path / "payments", no_verify=True),
        no_display,
        person,
    )
    assert person.offered_names == ["payments"]  # the --output-dir folder's name
    assert person.asked == []  # every answer was a flag: only the name was asked
    assert person.recaps == [str(tmp_path / "payments")]
    assert out.doc["answers"]["project_name"] == "payments"


def test_the_name_offered_is_the_output_folders_if_it_is_a_valid_name(tmp_path: Path) -> None:
    assert default_name(None) is None  # ./NAME: the current folder's name would nest
    assert default_name(tmp_path / "payments") == "payments"
    assert default_name(Path("infra/Payments_EU")) is None
    assert default_name(Path("a" * 40)) is None  # too long for any suffix


@pytest.mark.parametrize(
    ("json_mode", "why"), [(False, "no terminal to ask for it"), (True, "--json never prompts")]
)
def test_without_a_name_or_a_person_the_name_is_an_error(
    tmp_path: Path, json_mode: bool, why: str
) -> None:
    out = Lines()
    out.json_mode = json_mode
    with pytest.raises(AnswerError) as refused:
        run_new(out, None, FLAGS, NewOptions(output_dir=tmp_path / "x", no_verify=True), no_display)
    assert str(refused.value) == f"the project name is missing ({why}): run drgen new NAME"
    assert tree(tmp_path) == {}


def test_the_name_asked_for_is_refused_as_the_argument_would_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("mine")
    given = {**FLAGS, "regions": ["us-east-1", "us-west-2"], "env_suffix": "dev"}
    with pytest.raises(TargetError, match="exists and is not empty"):  # ./shop, at the prompt
        run_new(Lines(), None, given, NewOptions(no_verify=True), no_display, Person(write=True))
    with pytest.raises(AnswerError, match="project name 'Shop' is not valid"):
        run_new(
            Lines(),
            None,
            given,
            NewOptions(no_verify=True),
            no_display,
            Person(write=True, name="Shop"),
        )
    assert tree(tmp_path) == {"shop/notes.txt": b"mine"}
