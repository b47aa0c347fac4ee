"""Asking at a terminal: one questionary prompt per missing answer, each checked where it is asked.

Only the CLI imports this module, and only to ask a person. The rules live in fields.py,
regions.py and rules.py; this is the terminal's side: menus, completion, the counter, the help
lines and the recap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
from drgen.errors import AnswerError

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
    """Why `value` cannot be the answer to `key` given `raw`, or None."""
    try:
        check_decided(project_name, {**raw, key: value})
    except AnswerError as error:
        return str(error)
    return None


def _wrap_error_lines(question: questionary.Question) -> None:
    """Let the error under a prompt wrap over several lines instead of being cut at the edge.

    prompt_toolkit draws it in a one-line window; the rule errors name a physical name and a
    limit, longer than a terminal line.
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
    """Asks the questions still open, in order, numbering them as `[2/5]`."""

    def __init__(self, project_name: str, raw: dict[str, object]) -> None:
        self.project_name = project_name
        self.raw = raw
        self.output = _terminal()
        self.history = InMemoryHistory()
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

    def ask(self, question: Question, counter: str) -> object:
        """One prompt: a confirm, a menu or a line with completion, each checked on Enter."""
        default = question.default_for(self.project_name, self.raw)
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
        prompt = questionary.text(
            message,
            default=_shown_default(default),
            validate=AnswerValidator(self.project_name, self.raw, question.key),
            completer=RegionCompleter() if question.key == "regions" else None,
            history=self.history,
            validate_while_typing=False,  # a region code half typed is not an error yet
            output=self.output,
        )
        _wrap_error_lines(prompt)
        return to_value(question.key, str(_unsafe(prompt)))


def _terminal() -> Output:
    """Where prompts go: the terminal, on stderr when stdout is redirected to a file."""
    return create_output(always_prefer_tty=True)


def _unsafe(question: questionary.Question) -> Any:
    """The answer; Ctrl-C and Ctrl-D end drgen as an interrupt (questionary would print)."""
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


def ask_missing(project_name: str, raw: dict[str, object]) -> int:
    """Ask for every answer still missing; the number of questions asked."""
    return Asker(project_name, raw).ask_all()


def recap_lines(answers: Answers, target: str) -> list[str]:
    """The answers as the recap before writing shows them."""
    data = answers.to_data()
    regions = answers.regions
    shown: dict[str, str] = {
        "regions": f"{regions[0]} (primary), {', '.join(regions[1:])}",
        "route53": "on" if answers.route53 else "off",
    }
    rows = [("target", target)] + [
        (key, shown.get(key, str(value))) for key, value in data.items() if key != "project_name"
    ]
    width = max(len(key) for key, _ in rows)
    return [f"  {key.ljust(width)}  {value}" for key, value in rows]


def confirm_write(answers: Answers, target: str) -> bool:
    """Show the recap and ask to go on (default yes)."""
    output = _terminal()
    questionary.print(f"{answers.project_name}:", style="bold", output=output)
    for line in recap_lines(answers, target):
        questionary.print(line, output=output)
    return bool(_unsafe(questionary.confirm("Create it?", default=True, output=output)))
