"""`drgen new`: gather the answers, ask for what is missing, render, then verify."""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from drgen.answers.fields import cleaned_notes
from drgen.answers.model import Answers
from drgen.answers.replay import answers_file_text, new_command_line
from drgen.answers.rules import check_decided
from drgen.answers.sources import gather_answers
from drgen.commands.messages import Messages
from drgen.commands.verify import DisplayFactory, verify_and_show, verify_hint
from drgen.errors import AnswerError
from drgen.forked import in_child
from drgen.project.render import generate, plan_new
from drgen.project.target import check_target
from drgen.text import plural
from drgen.verification.runner import discard as discard_verifier
from drgen.verification.runner import prestart as prestart_verifier

#: What `pulumi` needs before the project deploys, one line each: drgen's README, the
#: generated README and the next steps all say it (tests/test_docs.py holds them to this).
PULUMI_NEEDS = (
    "the Pulumi CLI (`pulumi version` prints its version)",
    "a backend for the stack's state, logged in: `pulumi login` (Pulumi Cloud) or "
    "`pulumi login s3://BUCKET`",
    "AWS credentials for the account (`aws sts get-caller-identity` names it)",
)


class Person(Protocol):
    """Someone at a terminal: asked for the name and what is missing, then at the recap."""

    def ask_name(self, default: str | None, check: Callable[[str], None]) -> str:
        """The project name, when `drgen new` was given none; `check` raises if it is refused."""

    def ask_missing(self, project_name: str, raw: dict[str, object]) -> int:
        """Fill every missing answer in `raw`; the number of questions asked."""

    def confirm_write(self, answers: Answers, target: str) -> bool:
        """Show the recap; whether to write."""

    def change_one(self, answers: Answers, raw: dict[str, object]) -> bool:
        """After "no" at the recap: change one answer in `raw` (and ask what it opens).

        False when they would rather write nothing.
        """


@dataclass(frozen=True)
class NewOptions:
    """How `drgen new` runs, besides its answers."""

    answers_file: Path | None = None
    use_defaults: bool = False
    output_dir: Path | None = None
    force: bool = False
    pretend: bool = False
    no_verify: bool = False
    #: Write without the recap and confirmation, even after asking.
    yes: bool = False


def run_new(
    out: Messages,
    name: str | None,
    flags: Mapping[str, object | None],
    options: NewOptions,
    display: DisplayFactory,
    person: Person | None = None,
) -> None:
    """Create project `name` from the answers file < flags < defaults < `person`, and verify it.

    Without `person` (no terminal, or `--json`) a missing answer is an error naming its flag,
    and so is a missing `name`; `person` is asked for it.
    """
    verifying = not (options.no_verify or options.pretend)
    if verifying:
        # the verifier's interpreter starts and imports while drgen asks and renders
        prestart_verifier()
    try:
        _new(out, name, flags, options, display, person)
    finally:
        if verifying:
            discard_verifier()


def _new(
    out: Messages,
    name: str | None,
    flags: Mapping[str, object | None],
    options: NewOptions,
    display: DisplayFactory,
    person: Person | None,
) -> None:
    asked = 0
    if name is None:
        if person is None:
            why = "--json never prompts" if out.json_mode else "no terminal to ask for it"
            raise AnswerError(f"the project name is missing ({why}): run drgen new NAME")
        name = person.ask_name(default_name(options.output_dir), partial(_check_name, options))
        asked = 1
    target = (options.output_dir or Path(name)).absolute()
    gathered = gather_answers(
        name,
        options.answers_file,
        flags,
        use_defaults=options.use_defaults,
        json_mode=out.json_mode,
    )
    raw = gathered.raw
    if person is not None and (gathered.missing or asked):
        # Refuse what no answer can fix before the first question, not after the last.
        check_target(target, force=options.force)
        gathered.check_given()
        check_decided(name, raw)
        if gathered.missing:
            asked += person.ask_missing(name, raw)
    answers = gathered.build()
    if options.pretend:
        _say_cleaned(out, raw, answers)
        _pretend(out, answers, target, force=options.force)
        return
    if asked and not options.yes and person:
        while not person.confirm_write(answers, str(target)):
            before = dict(raw)
            if not person.change_one(answers, raw):
                _declined(out, answers, target, options)
                return
            gathered.forget({k for k in {*before, *raw} if before.get(k) != raw.get(k)})
            answers = gathered.build()
    _say_cleaned(out, raw, answers)
    # in a child process, so copier is not held through the verification
    target = in_child(generate, answers, target, force=options.force)
    shown = options.output_dir or Path(name)
    steps = next_steps(answers, shown)
    out.doc.update(project=str(target), answers=answers.to_data(), next_steps=steps)
    out.say(
        f"Created {answers.project_name} in {target}: primary {answers.primary_region}, "
        f"secondary {', '.join(answers.secondary_regions)}, stack {answers.env_suffix}"
    )
    for line in created_lines(target):
        out.say(line)
    if options.no_verify:
        out.say(f"Skipped verification (--no-verify); {verify_hint(shown)}.", final=True)
    else:
        kept = f"the project in {target} is complete"
        verify_and_show(out, target, display, kept=kept, shown=shown)
    out.say("Next steps:")
    for step in steps:
        out.say(f"  {step}")


def _say_cleaned(out: Messages, raw: Mapping[str, object], answers: Answers) -> None:
    """A note for each answer taken in another form than given (`Example.com.`)."""
    for note in cleaned_notes(raw, answers.to_data()):
        out.say(note)


def _check_name(options: NewOptions, name: str) -> None:
    """What the name prompt refuses: what `drgen new NAME` refuses before any question."""
    check_decided(name, {})
    if options.output_dir is None:
        check_target(Path(name).absolute(), force=options.force)


def default_name(output_dir: Path | None) -> str | None:
    """What the name prompt offers: the `--output-dir` folder's name, if it is a valid name.

    Not the current directory's: the project goes into ./NAME, a folder inside it.
    """
    if output_dir is None:
        return None
    try:
        check_decided(output_dir.absolute().name, {})
    except AnswerError:
        return None
    return output_dir.absolute().name


def _declined(out: Messages, answers: Answers, target: Path, options: NewOptions) -> None:
    """Nothing is written, and nothing typed is lost: the answers as a command and a file."""
    line = new_command_line(
        answers, output_dir=options.output_dir, force=options.force, no_verify=options.no_verify
    )
    out.say(f"Nothing was written to {target}. To create it later with these answers, run:")
    out.say(f"  {line}")
    out.say(f"or save these lines as a file and run drgen new {answers.project_name} -a FILE:")
    for row in answers_file_text(answers).splitlines():
        out.say(f"  {row}")


def _pretend(out: Messages, answers: Answers, target: Path, *, force: bool) -> None:
    """`new --pretend`: the answers and each file's fate, from a render outside the target."""
    plan = plan_new(answers, target, force=force)
    out.doc.update(
        project=str(plan.target),
        answers=answers.to_data(),
        files=[{"path": path, "action": action} for path, action in plan.files],
        pretend=True,
    )
    out.say(f"Would create {answers.project_name} in {plan.target} with these answers:")
    for key, value in answers.to_data().items():
        shown = ", ".join(value) if isinstance(value, list) else value
        out.say(f"  {key}: {str(shown).lower() if isinstance(value, bool) else shown}")
    out.say("Files:")
    for path, action in plan.files:
        out.say(f"  {action:<9} {path}")
    writes = sum(1 for _, action in plan.files if action != "keep")
    out.say(f"{plural(writes, 'file')} would be written; nothing was written (--pretend)")


def created_lines(target: Path) -> list[str]:
    """The project's files, collapsed: each top-level folder with its file count, then files."""
    lines = []
    for folder in sorted(p for p in target.iterdir() if p.is_dir()):
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        lines.append(f"  {folder.name + '/':<17}{plural(count, 'file')}")
    files = sorted(p.name for p in target.iterdir() if p.is_file())
    if files:
        wrapped = textwrap.wrap(", ".join(files), width=96, break_on_hyphens=False)
        lines.extend(f"  {line}" for line in wrapped)
    return lines


def next_steps(answers: Answers, shown: Path) -> list[str]:
    """What to run after `drgen new`, from the template's Deploy section, for these answers."""
    steps = [
        f"cd {shlex.quote(str(shown))}",
        *(f"# pulumi needs {need.replace('`', '')}" for need in PULUMI_NEEDS),
        "python -m venv venv && venv/bin/pip install -r requirements.txt",
        f"pulumi stack init {answers.env_suffix}",
        "pulumi config set --secret appSecret   # optional: otherwise a random secret is made",
    ]
    if answers.route53:
        steps.append(
            f"# Route 53: zone {answers.hosted_zone_id} must be a public zone serving "
            f"{answers.domain}; drgen never creates one"
        )
    steps.append("pulumi up")
    if answers.route53:
        steps += [
            "pulumi stack output regionalApiEndpoints   # each region's API",
            f"curl https://{answers.record_name}.{answers.domain}/health",
        ]
    else:
        steps.append("pulumi stack output urls   # each region's Function URL")
    return steps
