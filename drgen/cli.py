"""The command line: options, prompts, printing and exit codes. All logic lives in the core."""

from __future__ import annotations

import json
import math
import shlex
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from drgen import __version__
from drgen import posture as dr_report
from drgen._forked import in_child
from drgen._runner import discard as discard_verifier
from drgen._runner import prestart as prestart_verifier
from drgen.answers import (
    CI_SYSTEMS,
    NETWORKS,
    Answers,
    check_decided,
    gather_answers,
)
from drgen.audit import DEFAULT_TIMEOUT as DEFAULT_AUDIT_TIMEOUT
from drgen.audit import FindingsError
from drgen.audit import audit as run_audit
from drgen.audit import report as audit_report
from drgen.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    RESULTS,
    ConflictError,
    DrgenError,
    InterruptedError_,
    OutdatedError,
    VerificationError,
)
from drgen.locks import exclusive
from drgen.regions import COMMERCIAL_REGIONS
from drgen.render import check_target, generate, plan_new
from drgen.update.answer_changes import parse_sets
from drgen.update.plan import UpdatePlan, apply_plan, plan_update
from drgen.update.status import check_clean_git, check_status
from drgen.verify import DEFAULT_TIMEOUT as DEFAULT_VERIFY_TIMEOUT
from drgen.verify import Progress, VerifyResult, check_project, verify_project


class Report:
    """What a command tells its user: lines for people, or one JSON document.

    With `--json` the document is the only thing on stdout; the lines, errors included, go to
    stderr.
    """

    def __init__(
        self, command: str, *, json_mode: bool, quiet: bool = False, verbose: bool = False
    ) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self.verbose = verbose
        self.doc: dict[str, Any] = {
            "command": command,
            "result": RESULTS[EXIT_OK],
            "exit_code": 0,
            "drgen_version": __version__,
            "errors": [],
        }

    def say(self, text: str, *, err: bool = False, nl: bool = True, final: bool = False) -> None:
        """A line for people; with `--quiet` only errors (`err`) and the `final` result line."""
        if self.quiet and not (err or final):
            return
        typer.echo(text, err=err or self.json_mode, nl=nl)

    def finish(self, exit_code: int = 0, *errors: str) -> None:
        """Print the error lines on stderr, one per problem, and the JSON document (`--json`)."""
        self.doc["errors"].extend(errors)
        for error in errors:
            typer.echo(f"drgen: error: {error}", err=True)
        if self.json_mode:
            self.doc.update(result=RESULTS.get(exit_code, "error"), exit_code=exit_code)
            typer.echo(json.dumps(self.doc, indent=2, default=str))


REPORT_KEY = "drgen.report"


def _report_of(ctx: Any) -> Report:
    report: Report | None = ctx.meta.get(REPORT_KEY)
    return report if report is not None else Report("drgen", json_mode=False)


class _Group(TyperGroup):
    """Turns every `DrgenError` into its message and exit code, in one place."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer.Context
        """Say why on a Ctrl-C while typer parses, as before any command starts.

        typer ends that interrupt (it lands while typer lazily imports pydantic) with a
        silent exit 130.
        """
        try:
            return super().parse_args(ctx, args)
        except KeyboardInterrupt:
            report = Report("drgen", json_mode="--json" in args)
            report.finish(EXIT_INTERRUPTED, "interrupted; nothing was written")
            ctx.exit(EXIT_INTERRUPTED)
            raise  # unreachable: ctx.exit raises; for the type checker

    def invoke(self, ctx: Any) -> Any:  # typer.Context; its base class is private
        try:
            value = super().invoke(ctx)
        except DrgenError as error:
            _report_of(ctx).finish(error.exit_code, *error.lines)
            ctx.exit(error.exit_code)
        except (KeyboardInterrupt, typer.Abort):
            message = "interrupted; nothing was left half-written"
            _report_of(ctx).finish(EXIT_INTERRUPTED, message)
            ctx.exit(EXIT_INTERRUPTED)
        if REPORT_KEY in ctx.meta:
            ctx.meta[REPORT_KEY].finish()
        return value


def _start(
    ctx: typer.Context, command: str, json_mode: bool, *, quiet: bool = False, verbose: bool = False
) -> Report:
    report = Report(command, json_mode=json_mode, quiet=quiet, verbose=verbose)
    ctx.meta[REPORT_KEY] = report
    if quiet and verbose:
        raise DrgenError("--quiet and --verbose cannot be used together; choose one")
    return report


def _seconds(value: float, flag: str) -> float:
    """A time limit: a finite number of seconds above zero (`nan` and `inf` are not limits)."""
    if not math.isfinite(value) or value <= 0:
        raise DrgenError(f"{flag} {value:g} is not a time limit: give seconds above 0, e.g. 600")
    return value


QUIET_OPTION = typer.Option(
    "--quiet", "-q", help="Print only errors and the final result line (no progress)."
)
VERBOSE_OPTION = typer.Option(
    "--verbose", "-v", help="Stream pytest's own output (each test by name) while the tests run."
)
JSON_OPTION = typer.Option(
    "--json", help="Print one JSON document (result, paths, versions, coverage, errors) on stdout."
)
PROJECT_ARGUMENT = typer.Argument(
    metavar="PATH", help="The generated project (default: current directory)."
)
STACK_OPTION = typer.Option(
    "--stack", "-s", metavar="NAME", help="Use Pulumi.NAME.yaml (default: the only one)."
)


app = typer.Typer(
    cls=_Group,
    help="Generate, verify and update multi-region disaster-recovery stacks on AWS (Pulumi).",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "terminal_width": 100,
    },
)


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"drgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate, verify and update multi-region disaster-recovery stacks on AWS (Pulumi)."""


def _complete(values: Sequence[str]) -> Callable[[str], list[str]]:
    """Shell completion of an option: the values starting with the word typed."""

    def complete(incomplete: str) -> list[str]:
        head, comma, word = incomplete.rpartition(",")  # `-r us-east-1,us-w` completes too
        return [head + comma + v for v in values if v.startswith(word.lower())]

    return complete


class _Display:
    """Verification as it runs: a moving line on a terminal's stderr, plain lines otherwise.

    The plain lines (no carriage returns, no colours) are one when collection ends and at most
    one every `PLAIN_EVERY` seconds after it; `--verbose` streams pytest's own lines instead.
    """

    PLAIN_EVERY = 10.0

    def __init__(self, report: Report) -> None:
        self.report = report
        self.live = not (report.quiet or report.verbose) and _stderr_is_terminal()
        self.started = time.monotonic()
        self.last_line = self.started
        self.announced = False
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Display:
        if self.live:
            from rich.console import Console  # only a terminal needs rich
            from rich.progress import (
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(
                SpinnerColumn(),
                TextColumn("Running the project's tests"),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("tests", total=None, failed="")
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def progress(self, event: Progress) -> None:
        if self.bar is not None:
            failed = f"{event.failed} failed" if event.failed else ""
            self.bar.update(self.task, completed=event.done, total=event.total, failed=failed)
            return
        if self.report.verbose or event.total is None:
            return
        now = time.monotonic()
        if not self.announced:
            self.announced = True
            self.last_line = now
            self.report.say(f"  collected {event.total} test(s)")
        elif now - self.last_line >= self.PLAIN_EVERY and event.done < event.total:
            self.last_line = now
            self.report.say(f"  {event.done}/{event.total} tests done ({now - self.started:.0f}s)")

    def output(self, line: str) -> None:
        self.report.say(line)


def _show(report: Report, result: VerifyResult) -> None:
    report.doc["verification"] = {
        key: value for key, value in asdict(result).items() if key != "output"
    } | {"ok": result.ok, "failure": result.failure}
    if result.ok:
        report.say(f"Verified: {result.summary()}", final=True)
        return
    report.say(f"Verification failed: {result.summary()}", err=True)
    for error in result.collection_errors:
        report.say(f"  could not collect {error.describe()}", err=True)
    for failing in result.failures:
        report.say(f"  failed: {failing.test}", err=True)
        for line in failing.message.splitlines():
            report.say(f"    {line}", err=True)
        report.say(f"    rerun: {failing.rerun}", err=True)
    for path, lines in result.uncovered.items():
        report.say(f"  not covered: {path} lines {', '.join(map(str, lines))}", err=True)
    if not (result.failures or result.uncovered or result.collection_errors):
        report.say(result.output.strip()[-2000:], err=True)


def _verify_hint(shown: Path) -> str:
    """The command that proves a project later, with the path as the user gave it."""
    return f"run `drgen verify {shlex.quote(str(shown))}` to prove it"


def _verify(
    report: Report,
    project: Path,
    *,
    kept: str | None = None,
    shown: Path | None = None,
    timeout: float = DEFAULT_VERIFY_TIMEOUT,
) -> None:
    """Verify the project.

    `kept` says what Ctrl-C during verification leaves done (after new, update); `shown` is the
    project's path as the user gave it, for the hint.
    """
    report.say(f"Running the project's tests in {project} ...")
    display = _Display(report)
    try:
        with display:
            result = verify_project(
                project,
                verbose=report.verbose,
                on_progress=display.progress,
                on_output=display.output if report.verbose else None,
                timeout=timeout,
            )
    except KeyboardInterrupt:
        if kept is None:
            raise
        raise InterruptedError_(
            f"verification interrupted; {kept}: {_verify_hint(shown or project)}"
        ) from None
    _show(report, result)
    if result.failure is not None:
        raise VerificationError(f"verification of {str(project)!r} failed: {result.failure}")


def _created(target: Path) -> list[str]:
    """The project's files, collapsed: each top-level folder with its file count, then files."""
    lines = []
    for folder in sorted(p for p in target.iterdir() if p.is_dir()):
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        lines.append(f"  {folder.name + '/':<17}{count} file{'s' if count != 1 else ''}")
    files = sorted(p.name for p in target.iterdir() if p.is_file())
    if files:
        wrapped = textwrap.wrap(", ".join(files), width=96, break_on_hyphens=False)
        lines.extend(f"  {line}" for line in wrapped)
    return lines


def _next_steps(answers: Answers, shown: Path) -> list[str]:
    """What to run after `drgen new`, from the template's Deploy section, for these answers."""
    steps = [
        f"cd {shlex.quote(str(shown))}",
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


@app.command()
def new(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Project name: lowercase letters, digits, hyphens."),
    ],
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="AWS region, primary first; repeat it or separate with commas "
            "(default: us-east-1, us-west-2).",
            autocompletion=_complete(sorted(COMMERCIAL_REGIONS)),
        ),
    ] = None,
    env_suffix: Annotated[
        str | None,
        typer.Option(
            "--env-suffix",
            "-e",
            metavar="SUFFIX",
            help="Environment suffix ending every physical name (default: dev).",
        ),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers-file",
            "-a",
            metavar="FILE",
            help="YAML or JSON answers, or a project's .drgen/answers.yml; flags override it.",
        ),
    ] = None,
    use_defaults: Annotated[
        bool, typer.Option("--defaults", help="Use the default for every answer not given.")
    ] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help="Where to create the project; missing parent folders are created "
            "(default: ./NAME).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory that holds no drgen project: drgen's files "
            "replace files at the same paths, infra/extensions.py and all others are kept.",
        ),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip running the generated project's tests.")
    ] = False,
    pretend: Annotated[
        bool,
        typer.Option(
            "--pretend",
            help="List the files it would write and the answers it would use; write nothing.",
        ),
    ] = False,
    route53: Annotated[
        bool | None,
        typer.Option(
            "--route53/--no-route53",
            help="Route 53 failover on a custom domain in an existing hosted zone (default: off).",
        ),
    ] = None,
    hosted_zone_id: Annotated[
        str | None,
        typer.Option(
            "--hosted-zone-id", metavar="ZONE_ID", help="Existing hosted zone id (with --route53)."
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain", metavar="DOMAIN", help="The hosted zone's domain (with --route53)."
        ),
    ] = None,
    record_name: Annotated[
        str | None,
        typer.Option(
            "--record-name",
            metavar="NAME",
            help="Record in the zone, serving <record>.<domain> (default: NAME-SUFFIX).",
        ),
    ] = None,
    network: Annotated[
        str | None,
        typer.Option(
            "--network",
            metavar="none|vpc",
            help="Function networking (default: none).",
            autocompletion=_complete(NETWORKS),
        ),
    ] = None,
    base_cidr: Annotated[
        str | None,
        typer.Option(
            "--base-cidr",
            metavar="CIDR",
            help="With --network vpc: one /16 per region (default: 10.0.0.0/8).",
        ),
    ] = None,
    ci: Annotated[
        str | None,
        typer.Option(
            "--ci",
            metavar="github|none",
            help="CI workflows to generate (default: github).",
            autocompletion=_complete(CI_SYSTEMS),
        ),
    ] = None,
    alarm_email: Annotated[
        str | None,
        typer.Option(
            "--alarm-email",
            metavar="EMAIL",
            help="Address every alarm topic mails, or none for nobody (no default).",
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="In a terminal, write without the recap and confirmation."
        ),
    ] = False,
    quiet: Annotated[bool, QUIET_OPTION] = False,
    verbose: Annotated[bool, VERBOSE_OPTION] = False,
    json_mode: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Create a DR stack project NAME and prove it with its own tests at 100% coverage."""
    flags: dict[str, object | None] = {
        "regions": region or None,
        "env_suffix": env_suffix,
        "route53": route53,
        "hosted_zone_id": hosted_zone_id,
        "domain": domain,
        "record_name": record_name,
        "network": network,
        "base_cidr": base_cidr,
        "ci": ci,
        "alarm_email": alarm_email,
    }
    report = _start(ctx, "new", json_mode, quiet=quiet, verbose=verbose)
    if not (no_verify or pretend):
        # the verifier's interpreter starts and imports while drgen asks and renders
        prestart_verifier()
        ctx.call_on_close(discard_verifier)
    target = (output_dir or Path(name)).absolute()
    gathered = gather_answers(name, answers_file, flags, use_defaults=use_defaults)
    raw = gathered.raw
    asked = 0
    if gathered.missing and not json_mode and _stdin_is_terminal():
        # Refuse what no answer can fix before the first question, not after the last.
        check_target(target, force=force)
        gathered.check_given()
        check_decided(name, raw)
        from drgen import prompts  # questionary and prompt_toolkit, 9 MB: only to ask a person

        asked = prompts.ask_missing(name, raw)
    answers = gathered.build()
    if pretend:
        _pretend(report, answers, target, force=force)
        return
    if asked and not yes and not prompts.confirm_write(answers, str(target)):
        report.say(f"Nothing was written to {target}.")
        return
    # in a child process, so copier is not held through the verification
    target = in_child(generate, answers, target, force=force)
    shown = output_dir or Path(name)
    steps = _next_steps(answers, shown)
    report.doc.update(project=str(target), answers=answers.to_data(), next_steps=steps)
    report.say(
        f"Created {answers.project_name} in {target}: primary {answers.primary_region}, "
        f"secondary {', '.join(answers.secondary_regions)}, stack {answers.env_suffix}"
    )
    for line in _created(target):
        report.say(line)
    if no_verify:
        report.say(f"Skipped verification (--no-verify); {_verify_hint(shown)}.", final=True)
    else:
        _verify(report, target, kept=f"the project in {target} is complete", shown=shown)
    report.say("Next steps:")
    for step in steps:
        report.say(f"  {step}")


def _pretend(report: Report, answers: Answers, target: Path, *, force: bool) -> None:
    """`new --pretend`: the answers and each file's fate, from a render outside the target."""
    plan = plan_new(answers, target, force=force)
    report.doc.update(
        project=str(plan.target),
        answers=answers.to_data(),
        files=[{"path": path, "action": action} for path, action in plan.files],
        pretend=True,
    )
    report.say(f"Would create {answers.project_name} in {plan.target} with these answers:")
    for key, value in answers.to_data().items():
        shown = ", ".join(value) if isinstance(value, list) else value
        report.say(f"  {key}: {str(shown).lower() if isinstance(value, bool) else shown}")
    report.say("Files:")
    for path, action in plan.files:
        report.say(f"  {action:<9} {path}")
    writes = sum(1 for _, action in plan.files if action != "keep")
    report.say(f"{writes} file(s) would be written; nothing was written (--pretend)")


@app.command()
def verify(
    ctx: typer.Context,
    path: Annotated[
        Path,
        PROJECT_ARGUMENT,
    ] = Path("."),
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", metavar="SECONDS", help="End the tests after this long (a hang fails)."
        ),
    ] = DEFAULT_VERIFY_TIMEOUT,
    quiet: Annotated[bool, QUIET_OPTION] = False,
    verbose: Annotated[bool, VERBOSE_OPTION] = False,
    json_mode: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Run a generated project's tests and require 100% statement and branch coverage."""
    report = _start(ctx, "verify", json_mode, quiet=quiet, verbose=verbose)
    report.doc["project"] = str(path.absolute())
    _seconds(timeout, "--timeout")
    check_project(path)  # before "Running the project's tests": there may be none
    _verify(report, path, timeout=timeout)


@app.command()
def update(
    ctx: typer.Context,
    path: Annotated[
        Path,
        PROJECT_ARGUMENT,
    ] = Path("."),
    set_answers: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Change an answer, validated as in drgen new (e.g. route53=true); repeat it.",
        ),
    ] = None,
    restore: Annotated[
        list[str] | None,
        typer.Option(
            "--restore",
            metavar="FILE",
            help="Bring back a generated file that is missing; repeat it. An existing file is "
            "never overwritten.",
        ),
    ] = None,
    pretend: Annotated[
        bool,
        typer.Option(
            "--pretend", "--diff", help="Show what would change, file by file; write nothing."
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 5 if the project is behind the installed template, 4 if it holds "
            "unresolved conflict markers, 7 if a newer drgen generated it; write nothing.",
        ),
    ] = False,
    allow_region_reorder: Annotated[
        bool,
        typer.Option(
            "--allow-region-reorder",
            help="Let --set regions change the primary or the order of the regions kept "
            "(on a live stack: a new global table, secret and replication).",
        ),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip running the project's tests afterwards.")
    ] = False,
    quiet: Annotated[bool, QUIET_OPTION] = False,
    verbose: Annotated[bool, VERBOSE_OPTION] = False,
    json_mode: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Merge the installed template's changes into a generated project, keeping your edits."""
    report = _start(ctx, "update", json_mode, quiet=quiet, verbose=verbose)
    project = path.resolve()
    report.doc["project"] = str(project)
    if check:
        _check(report, project)
        return
    in_git = True  # --pretend writes nothing
    if not pretend:
        if project.is_dir():  # else reading the record says what is wrong
            # one writer at a time, until this command ends (its verification included)
            ctx.with_resource(exclusive(project))
        in_git = check_clean_git(project)
    # rendered in a child process, so copier is not held through the verification
    plan = in_child(
        plan_update,
        project,
        parse_sets(set_answers or []),
        restore or [],
        allow_region_reorder=allow_region_reorder,
    )
    report.doc.update(
        generated_by=plan.recorded.drgen_version,
        changes=[{"path": c.path, "action": c.action} for c in plan.changes],
        conflicts=[c.path for c in plan.conflicts],
        pretend=pretend,
    )
    for change in plan.changes:
        report.say(f"  {change.describe()}")
    if pretend:
        report.say(plan.diff(), nl=False)
        writes = sum(1 for change in plan.changes if change.writes)
        report.say(f"{writes} file(s) would change; nothing was written (--pretend)", final=True)
        return
    if not plan.changes and not plan.record_changes:
        report.say(f"{project} is already up to date with drgen {__version__}", final=True)
        return
    if not in_git:
        report.say(
            f"warning: {project} is not in a git working tree: nothing keeps the files as they "
            "were, so this update cannot be reviewed or undone (--pretend shows it first)",
            err=True,
        )
    apply_plan(plan)
    if plan.conflicts:
        raise ConflictError(
            f"{len(plan.conflicts)} conflict(s) to resolve: "
            f"{', '.join(c.path for c in plan.conflicts)}; edit them, then commit "
            "(the project's tests were not run)"
        )
    report.say(_what_happened(plan, project), final=no_verify)
    if not no_verify:
        _verify(report, project, kept=f"the update of {project} is complete", shown=path)


def _what_happened(plan: UpdatePlan, project: Path) -> str:
    """The summary line: what moved, the template, the answers, or only the record."""
    old, new = plan.recorded.drgen_version, __version__
    if plan.answers_changed:
        before, after = plan.recorded.answers.to_data(), plan.answers.to_data()
        keys = ", ".join(sorted(k for k in {*before, *after} if before.get(k) != after.get(k)))
        if old == new:
            return f"Updated {project}: answers changed ({keys}), same template (drgen {new})"
        return f"Updated {project} from drgen {old} to drgen {new}; answers changed ({keys})"
    if old == new:
        return f"Updated {project} to the installed template (drgen {new}, same answers)"
    if not plan.changes:
        return f"Recorded drgen {new} in {project} (was {old}): the template renders the same files"
    return f"Updated {project} from drgen {old} to drgen {new}"


def _check(report: Report, project: Path) -> None:
    status = check_status(project)
    old = status.recorded.drgen_version
    report.doc.update(
        generated_by=old, behind=status.behind, unresolved_conflicts=status.unresolved
    )
    versions = f"generated by drgen {old}, installed drgen {__version__}"
    if status.unresolved:
        raise ConflictError(
            f"{project} holds unresolved conflict markers from an earlier update in "
            f"{', '.join(status.unresolved)}; resolve them, then commit"
        )
    if status.behind:
        raise OutdatedError(
            f"{project} is behind the installed template ({versions}); run drgen update"
        )
    report.say(f"{project} is up to date ({versions})", final=True)


@app.command()
def audit(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH", help="The Pulumi Python project (default: current directory)."
        ),
    ] = Path("."),
    stack: Annotated[
        str | None,
        STACK_OPTION,
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="RULE", help="Check only these rules (R1,R5 or repeated)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="RULE", help="Skip these rules (R1,R5 or repeated)."),
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            metavar="error|warning|note",
            help="Exit 1 on findings of this severity or worse.",
        ),
    ] = "error",
    sarif_file: Annotated[
        Path | None,
        typer.Option("--sarif", metavar="FILE", help="Also write the findings as SARIF 2.1.0."),
    ] = None,
    sarif_root: Annotated[
        Path | None,
        typer.Option(
            "--sarif-root",
            metavar="DIR",
            help="SARIF paths relative to DIR, e.g. the repository (default: PATH).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", help="Stop the program after this long."),
    ] = DEFAULT_AUDIT_TIMEOUT,
    python: Annotated[
        str | None,
        typer.Option(
            "--python",
            metavar="PATH",
            help="Run the program with this Python (default: the declared virtualenv).",
        ),
    ] = None,
    pass_env: Annotated[
        list[str] | None,
        typer.Option(
            "--pass-env",
            metavar="NAME",
            help="Give the program this variable of drgen's environment too; repeat it.",
        ),
    ] = None,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Print one JSON document with every finding on stdout.")
    ] = False,
) -> None:
    """Check a Pulumi Python program, offline under mocks, for the known DR failures.

    The program's code runs, as under `pulumi preview`: without credentials, cloud or CI
    variables, AWS config files or (where Linux allows) network; the file system is not
    isolated (docs/audit.md, "Trust").
    """
    report = _start(ctx, "audit", json_mode)
    _seconds(timeout, "--timeout")
    result = run_audit(
        path,
        stack=stack,
        select=select,
        ignore=ignore,
        timeout=timeout,
        python=python,
        pass_env=pass_env or [],
    )
    failing = result.failing(fail_on)
    report.doc["audit"] = audit_report.document(result)
    if json_mode:  # the document has every finding: stderr gets the notes and the summary
        for note in audit_report.notes(result):
            report.say(f"note: {note}")
        report.say(audit_report.summary(result))
    else:
        report.say(audit_report.text(result), nl=False)
    if sarif_file is not None:
        audit_report.write_sarif(result, sarif_file, sarif_root)
        report.say(f"SARIF written to {sarif_file}")
    if failing:
        raise FindingsError(f"{len(failing)} finding(s) at or above {fail_on}")


@app.command()
def report(
    ctx: typer.Context,
    path: Annotated[
        Path,
        PROJECT_ARGUMENT,
    ] = Path("."),
    stack: Annotated[
        str | None,
        STACK_OPTION,
    ] = None,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Print one JSON document with the posture and cost.")
    ] = False,
) -> None:
    """What a generated project survives, its RPO/RTO and its idle cost, from its own code."""
    out = _start(ctx, "report", json_mode)
    posture = dr_report.build(path, stack=stack)
    out.doc["report"] = dr_report.document(posture)
    out.say(dr_report.text(posture), nl=False)


def main() -> None:
    """Console entry point."""
    app()
