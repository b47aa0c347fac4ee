"""Answers given back as input: the `drgen new` command line and the answers file they make.

At the recap, a person who declines has typed answers worth keeping; these are what drgen
prints then, and feeding either back to `drgen new` gives the same answers.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from drgen.answers.model import Answers
from drgen.answers.questions import QUESTIONS


def new_arguments(
    answers: Answers,
    *,
    output_dir: Path | None = None,
    force: bool = False,
    no_verify: bool = False,
) -> list[str]:
    """`drgen new`'s arguments giving every answer as a flag, so nothing is asked."""
    data = answers.to_data()
    arguments = ["drgen", "new", answers.project_name]
    for question in QUESTIONS:
        if question.key not in data:
            continue
        value = data[question.key]
        if isinstance(value, bool):
            on, off = question.flag.split("/")
            arguments.append(on if value else off)
        else:
            shown = ",".join(value) if isinstance(value, list) else str(value)
            arguments += [question.flag, shown]
    if output_dir is not None:
        arguments += ["--output-dir", str(output_dir)]
    if force:
        arguments.append("--force")
    if no_verify:
        arguments.append("--no-verify")
    return arguments


def new_command_line(
    answers: Answers,
    *,
    output_dir: Path | None = None,
    force: bool = False,
    no_verify: bool = False,
) -> str:
    """The same arguments as one line a POSIX shell reads back unchanged (shlex quoting)."""
    return shlex.join(
        new_arguments(answers, output_dir=output_dir, force=force, no_verify=no_verify)
    )


def answers_file_text(answers: Answers) -> str:
    """The answers as a file for `drgen new NAME --answers-file` (the name is not an answer)."""
    data = {key: value for key, value in answers.to_data().items() if key != "project_name"}
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=False)
