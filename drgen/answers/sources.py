"""Where answers come from before prompting: an answers file, the flags, and the defaults.

`gather_answers` merges them (answers file < flags < `--defaults`) and remembers where each
answer came from, so every refusal can name its source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from drgen.answers.model import Answers
from drgen.answers.questions import FROM_DEFAULTS, QUESTION_KEYS, QUESTIONS
from drgen.answers.rules import build_answers, check_given
from drgen.answers.wording import suggest, typed
from drgen.errors import AnswerError
from drgen.files import ALIAS_REFUSED, InputError, load_yaml, read_text
from drgen.text import them as pronoun

#: The keys of a record (`.drgen/answers.yml`) besides the answers themselves.
RECORD_KEYS = ("drgen_version", "answers")


@dataclass(frozen=True)
class AnswersFile:
    """What an answers file says: its answers, where each came from, and what it refuses."""

    answers: dict[str, object]
    sources: dict[str, str]
    problems: list[str]


def _parse(path: Path, text: str) -> object:
    """JSON for a .json file, YAML otherwise (a JSON document that YAML refuses falls back)."""
    where = f"answers file {str(path)!r}"
    if path.suffix.lower() != ".json":
        try:
            return load_yaml(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            if getattr(error, "problem", None) == ALIAS_REFUSED:
                raise AnswerError(f"{where} uses a YAML alias{at}: write the value out") from None
            if not text.lstrip().startswith("{"):
                raise AnswerError(f"{where} is not valid YAML{at}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        at = f" at line {error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        raise AnswerError(f"{where} is not valid JSON{at}") from None


def read_answers_file(path: Path) -> AnswersFile:
    """Read answers from YAML or JSON: a plain mapping, or a project's `.drgen/answers.yml`.

    A record's `drgen_version` and `project_name` are ignored: replaying a project's answers
    makes a new project named by `drgen new`'s NAME with the installed template. Unknown keys
    are problems, each reported with the rest of the answers' refusals.
    """
    where = f"answers file {str(path)!r}"
    try:
        text = read_text(path)
    except OSError as error:
        raise AnswerError(f"{where} cannot be read: {error.strerror}") from None
    except InputError as error:
        raise AnswerError(f"{where} {error}") from None
    data = _parse(path, text)
    if data is None:
        return AnswersFile({}, {}, [])
    if not isinstance(data, dict):
        raise AnswerError(
            f"{where} must be a mapping of answers ({', '.join(QUESTION_KEYS)}), "
            f"got {type(data).__name__}"
        )
    problems: list[str] = []
    prefix = ""
    if "answers" in data:  # a record: {drgen_version: ..., answers: {project_name: ..., ...}}
        for key in data:
            if key not in RECORD_KEYS:
                problems.append(
                    f"{where}: unknown key {str(key)!r} beside answers; accepted: "
                    f"{', '.join(RECORD_KEYS)}"
                )
        data = data["answers"]
        if not isinstance(data, dict):
            raise AnswerError(f"{where}: answers must be a mapping, got {typed(data)}")
        data = {key: value for key, value in data.items() if key != "project_name"}
        prefix = "answers."
    answers: dict[str, object] = {}
    for key, value in data.items():
        if key in QUESTION_KEYS:
            answers[key] = value
        elif key == "project_name":
            problems.append(
                f"{where}: project_name is not an answer: the project is named by drgen new's NAME"
            )
        else:
            problems.append(
                f"{where}: unknown key {prefix}{str(key)!r}; {suggest(str(key), QUESTION_KEYS)}"
            )
    sources = {key: f"{where}, key {prefix}{key}" for key in answers}
    return AnswersFile(answers, sources, problems)


def missing_answers_message(
    missing: Sequence[str],
    *,
    use_defaults: bool = False,
    without_default: Sequence[str] = (),
    json_mode: bool = False,
) -> str:
    """The error line for a run that cannot prompt and lacks answers, with advice that fits.

    `without_default`: the missing answers `--defaults` cannot supply (a hosted zone).
    `json_mode`: the run does not prompt because of `--json`, terminal or not.
    """
    flags = {q.key: q.flag + q.flag_hint for q in QUESTIONS}
    why = "--json never prompts for" if json_mode else "no terminal to ask for"
    listed = why + ": " + ", ".join(f"{key} ({flags[key]})" for key in missing)
    them, as_flags = (pronoun(len(missing)), "a flag" if len(missing) == 1 else "flags")
    if use_defaults:
        return (
            f"{listed}; --defaults has no default for {them}: "
            f"pass {them} as {as_flags} or in --answers-file"
        )
    if without_default:
        return (
            f"{listed}; pass {them} as {as_flags} or in --answers-file "
            f"(--defaults has no default for {', '.join(without_default)})"
        )
    return f"{listed}; pass {them} as {as_flags}, in --answers-file, or use --defaults"


@dataclass
class Gathered:
    """The answers of one `drgen new` before prompting: merged, defaulted, with their sources."""

    project_name: str
    raw: dict[str, object]
    #: Applicable questions still unanswered, in question order.
    missing: list[str]
    #: Answer key -> the flag, answers-file key or `--defaults` that gave it.
    sources: dict[str, str]
    #: Refusals found while reading (an answers file's unknown keys).
    problems: list[str]
    use_defaults: bool
    #: `--json` was given: nothing is asked, terminal or not.
    json_mode: bool = False

    def build(self) -> Answers:
        """Validate everything at once; a question still unanswered is named with its flag."""
        return build_answers(
            self.project_name,
            self.raw,
            sources=self.sources,
            problems=self.problems,
            unanswered=self._unanswered,
        )

    def forget(self, keys: set[str]) -> None:
        """Answers changed or dropped at the recap: no longer from a flag or the file."""
        for key in keys:
            self.sources.pop(key, None)

    def check_given(self) -> None:
        """Refuse every answer given so far that is wrong on its own, before prompting."""
        check_given(self.project_name, self.raw, sources=self.sources, problems=self.problems)

    def _unanswered(self, missing: list[str]) -> str:
        questions = {q.key: q for q in QUESTIONS}
        without = [
            k for k in missing if questions[k].default_for(self.project_name, self.raw) is None
        ]
        return missing_answers_message(
            missing,
            use_defaults=self.use_defaults,
            without_default=without,
            json_mode=self.json_mode,
        )


def gather_answers(
    project_name: str,
    answers_file: Path | None,
    flags: Mapping[str, object | None],
    *,
    use_defaults: bool,
    json_mode: bool = False,
) -> Gathered:
    """Merge answers file < flags, fill defaults if asked, and remember where each came from."""
    raw: dict[str, object] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    if answers_file is not None:
        read = read_answers_file(answers_file)
        raw.update(read.answers)
        sources.update(read.sources)
        problems.extend(read.problems)
    flag_of = {q.key: q.flag for q in QUESTIONS}
    for key, value in flags.items():
        if value is not None:
            raw[key] = value
            sources[key] = flag_of.get(key, key)
    before = set(raw)
    missing = fill_defaults(project_name, raw, use_defaults=use_defaults)
    sources.update((key, FROM_DEFAULTS) for key in set(raw) - before)
    return Gathered(project_name, raw, missing, sources, problems, use_defaults, json_mode)


def fill_defaults(
    project_name: str, raw: dict[str, object], *, use_defaults: bool = True
) -> list[str]:
    """Give every applicable, unanswered question its default; return the keys still missing.

    Works in place and in question order, so a toggle is settled before its dependents.
    """
    missing = []
    for question in QUESTIONS:
        if question.key in raw or not question.applies(raw):
            continue
        default = question.default_for(project_name, raw) if use_defaults else None
        if default is None:
            missing.append(question.key)
        else:
            raw[question.key] = default
    return missing
