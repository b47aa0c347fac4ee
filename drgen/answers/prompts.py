"""Asking at a terminal: one questionary prompt per missing answer, each checked where it is asked.

Only the CLI imports this module, and only to ask a person. The rules live in fields.py,
regions.py and rules.py; this is the terminal's side: menus, completion, the counter, the help
lines and the recap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import questionary
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import to_filter
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import Output, create_output
from prompt_toolkit.validation import ValidationError, Validator

from drgen.answers.fields import CI_SYSTEMS, NETWORKS
from drgen.answers.model import Answers
from drgen.answers.questions import QUESTION_HELP, QUESTIONS, Question
from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.answers.rules import check_decided
from drgen.errors import AnswerError, AnswerErrors, DrgenError

#: What a menu shows under the choice the cursor is on.
CHOICE_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("network", "none"): "functions on AWS-managed networking, no VPC",
    (
        "network",
        "vpc",
    ): "private subnets, VPC endpoints, the primary VPC peered with every secondary",
    ("ci", "github"): "ci.yml (lint, tests, update --check, audit), deploy.yml (preview, up)",
    ("ci", "none"): "no CI files, for teams on other CI systems",
}
MENU_CHOICES: dict[str, tuple[str, ...]] = {"network": NETWORKS, "ci": CI_SYSTEMS}
REGION_SEPARATORS = re.compile(r"[\s,]+")


def parse_regions(text: str) -> list[str]:
    """Region codes as typed: separated by commas and/or spaces, any case."""
    return [part.lower() for part in REGION_SEPARATORS.split(text.strip()) if part]


class RegionCompleter(Completer):
    """Completes the region code being typed from the real list, leaving out those chosen."""

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        """The codes that start with the word before the cursor."""
        before = document.text_before_cursor
        word = REGION_SEPARATORS.split(before)[-1].lower()
        if not word and not complete_event.completion_requested:
            return  # the whole list only on Tab, not after every comma
        chosen = set(parse_regions(before))
        for code in sorted(COMMERCIAL_REGIONS):
            if code.startswith(word) and (code not in chosen or code == word):
                yield Completion(code, start_position=-len(word))


class AnswerValidator(Validator):
    """Refuses an answer at its own prompt: on its own, or with the answers given before it."""

    def __init__(self, project_name: str, raw: dict[str, object], key: str) -> None:
        self.project_name = project_name
        self.raw = raw
        self.key = key

    def validate(self, document: Document) -> None:
        """Raise the error the answer would meet after the last question, now."""
        error = answer_error(
            self.project_name, self.raw, self.key, to_value(self.key, document.text)
        )
        if error is not None:
            raise ValidationError(message=error, cursor_position=len(document.text))


def to_value(key: str, text: str) -> object:
    """A typed line as the answer it stands for."""
    return parse_regions(text) if key == "regions" else text.strip()


def answer_error(project_name: str, raw: dict[str, object], key: str, value: object) -> str | None:
    """Why `value` cannot be the answer to `key` given `raw`, or None: one line per error."""
    try:
        check_decided(project_name, {**raw, key: value})
    except AnswerErrors as error:
        return "\n".join(error.lines)
    except AnswerError as error:
        return str(error)
    return None


def _wrap_error_lines(question: questionary.Question) -> None:
    """Let the error under a prompt take several lines instead of being cut at the edge.

    prompt_toolkit draws it in a one-line window; the rule errors name a physical name and a
    limit, longer than a terminal line, and several errors are one line each.
    """
    for window in question.application.layout.find_all_windows():
        content = window.content
        if isinstance(content, FormattedTextControl) and "ValidationToolbar" in getattr(
            content.text, "__qualname__", ""
        ):
            window.height = None
            window.wrap_lines = to_filter(True)


def _shown_default(default: object) -> str:
    if default is None:
        return ""
    return ", ".join(map(str, default)) if isinstance(default, list) else str(default)


class Asker:
    """Asks the questions still open, in order, numbering them as `[2/5]`.

    Each text question keeps its own history, so Up recalls only the answers accepted at that
    question (at a re-ask from the recap), never another question's.
    """

    def __init__(self, project_name: str, raw: dict[str, object]) -> None:
        self.project_name = project_name
        self.raw = raw
        self.output = _terminal()
        self.histories: dict[str, InMemoryHistory] = {}
        self.asked = 0

    def pending(self) -> list[Question]:
        """The questions that apply to the answers so far and are not answered."""
        return [q for q in QUESTIONS if q.key not in self.raw and q.applies(self.raw)]

    def ask_all(self) -> int:
        """Fill every open answer in `raw`; the number of questions asked."""
        while pending := self.pending():
            question = pending[0]
            self.asked += 1
            self.raw[question.key] = self.ask(
                question, f"[{self.asked}/{self.asked + len(pending) - 1}]"
            )
        return self.asked

    def history(self, key: str) -> InMemoryHistory:
        """The lines typed at question `key` so far."""
        return self.histories.setdefault(key, InMemoryHistory())

    def ask(self, question: Question, counter: str, current: object = None) -> object:
        """One prompt: a confirm, a menu or a line with completion, each checked on Enter.

        `current`: the answer being changed, shown instead of the default.
        """
        default = question.default_for(self.project_name, self.raw) if current is None else current
        message = f"{counter} {question.prompt}"
        questionary.print(
            f"  {QUESTION_HELP[question.key]}", style="fg:ansibrightblack", output=self.output
        )
        if isinstance(default, bool):
            return _unsafe(questionary.confirm(message, default=default, output=self.output))
        if question.key in MENU_CHOICES:
            choices = [
                questionary.Choice(
                    value, value=value, description=CHOICE_DESCRIPTIONS[question.key, value]
                )
                for value in MENU_CHOICES[question.key]
            ]
            return _unsafe(
                questionary.select(
                    message,
                    choices=choices,
                    default=choices[MENU_CHOICES[question.key].index(str(default))],
                    output=self.output,
                )
            )
        history = self.history(question.key)
        prompt = questionary.text(
            message,
            default=_shown_default(default),
            validate=AnswerValidator(self.project_name, self.raw, question.key),
            completer=RegionCompleter() if question.key == "regions" else None,
            history=history,
            validate_while_typing=False,  # a region code half typed is not an error yet
            output=self.output,
        )
        _wrap_error_lines(prompt)
        return to_value(question.key, str(_unsafe(prompt)))

    def change_one(self, answers: Answers) -> bool:
        """After "no" at the recap: re-ask the answer chosen, then what it newly opens.

        False when the person chooses to write nothing. Answers that no longer apply (the
        hosted zone after Route 53 is turned off) are dropped from `raw`.
        """
        shown = shown_answers(answers)
        choices = [questionary.Choice(DECLINE, value="")] + [
            questionary.Choice(line, value=key)
            for key, line in zip(shown, aligned(list(shown.items())), strict=True)
        ]
        key = str(
            _unsafe(
                questionary.select(
                    "Change an answer?", choices=choices, default=choices[0], output=self.output
                )
            )
        )
        if not key:
            return False
        question = next(q for q in QUESTIONS if q.key == key)
        current = self.raw[key]
        self.raw[key] = self.ask(question, "[change]", current=current)
        for other in QUESTIONS:
            if other.key in self.raw and not other.applies(self.raw):
                del self.raw[other.key]
        self.asked = 0
        self.ask_all()
        return True


#: The first choice after "no" at the recap: leave, keeping the answers as text.
DECLINE = "write nothing: print the command line and the answers file instead"
#: The question `drgen new` asks when it was given no NAME.
NAME_PROMPT = "Project name"
NAME_HELP = "Names the project and starts every physical name: lowercase letters, digits, hyphens"


class NameValidator(Validator):
    """Refuses a project name at its prompt as `drgen new NAME` would refuse the argument."""

    def __init__(self, check: Callable[[str], None]) -> None:
        self.check = check

    def validate(self, document: Document) -> None:
        """Raise the error the name would meet as an argument, now."""
        try:
            self.check(document.text.strip())
        except DrgenError as error:
            raise ValidationError(message=str(error), cursor_position=len(document.text)) from None


def ask_name(default: str | None, check: Callable[[str], None]) -> str:
    """`drgen new` without NAME at a terminal: the project name, refused by `check` on Enter."""
    output = _terminal()
    questionary.print(f"  {NAME_HELP}", style="fg:ansibrightblack", output=output)
    prompt = questionary.text(
        NAME_PROMPT,
        default=default or "",
        validate=NameValidator(check),
        validate_while_typing=False,
        output=output,
    )
    _wrap_error_lines(prompt)
    return str(_unsafe(prompt)).strip()


def _terminal() -> Output:
    """Where prompts go: the terminal, on stderr when stdout is redirected to a file."""
    return create_output(always_prefer_tty=True)


def _unsafe(question: questionary.Question) -> Any:
    """The answer; Ctrl-C and Ctrl-D end drgen as an interrupt (questionary would print)."""
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


def shown_answers(answers: Answers) -> dict[str, str]:
    """Each answer as the recap and the change menu show it (the name aside)."""
    regions = answers.regions
    special: dict[str, str] = {
        "regions": f"{regions[0]} (primary), {', '.join(regions[1:])}",
        "route53": "on" if answers.route53 else "off",
    }
    return {
        key: special.get(key, str(value))
        for key, value in answers.to_data().items()
        if key != "project_name"
    }


def aligned(rows: list[tuple[str, str]]) -> list[str]:
    """`key  value` rows with the values in one column."""
    width = max(len(key) for key, _ in rows)
    return [f"{key.ljust(width)}  {value}" for key, value in rows]


def recap_lines(answers: Answers, target: str) -> list[str]:
    """The answers as the recap before writing shows them."""
    rows = [("target", target), *shown_answers(answers).items()]
    return [f"  {line}" for line in aligned(rows)]


def confirm_write(answers: Answers, target: str) -> bool:
    """Show the recap and ask to go on (default yes)."""
    output = _terminal()
    questionary.print(f"{answers.project_name}:", style="bold", output=output)
    for line in recap_lines(answers, target):
        questionary.print(line, output=output)
    return bool(_unsafe(questionary.confirm("Create it?", default=True, output=output)))
