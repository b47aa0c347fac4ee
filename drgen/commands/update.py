"""`drgen update`: merge the installed template's changes into a project, then verify it."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from drgen import __version__
from drgen.answers.fields import cleaned_notes
from drgen.commands.messages import Messages
from drgen.commands.verify import DisplayFactory, verify_and_show
from drgen.errors import ConflictError, OutdatedError
from drgen.forked import in_child
from drgen.project.locks import exclusive
from drgen.project.pin import PIN_FILE
from drgen.text import plural, them
from drgen.update.answer_changes import parse_sets
from drgen.update.plan import UpdatePlan, apply_plan, plan_update
from drgen.update.status import check_clean_git, check_status


@dataclass(frozen=True)
class UpdateOptions:
    """What `drgen update` changes and how."""

    #: `KEY=VALUE` answer changes, as `--set` gives them.
    sets: Sequence[str] = ()
    #: Generated files to bring back.
    restore: Sequence[str] = ()
    pretend: bool = False
    allow_region_reorder: bool = False
    no_verify: bool = False


def run_update(out: Messages, path: Path, options: UpdateOptions, display: DisplayFactory) -> None:
    """Update the project at `path`: one writer at a time, until its verification ends."""
    project = path.resolve()
    out.doc["project"] = str(project)
    with ExitStack() as held:
        in_git = True  # --pretend writes nothing
        if not options.pretend:
            if project.is_dir():  # else reading the record says what is wrong
                held.enter_context(exclusive(project))
            in_git = check_clean_git(project)
        _update(out, path, project, options, display, in_git=in_git)


def _update(
    out: Messages,
    path: Path,
    project: Path,
    options: UpdateOptions,
    display: DisplayFactory,
    *,
    in_git: bool,
) -> None:
    sets = parse_sets(options.sets)
    # rendered in a child process, so copier is not held through the verification
    plan = in_child(
        plan_update,
        project,
        sets,
        list(options.restore),
        allow_region_reorder=options.allow_region_reorder,
    )
    for note in cleaned_notes(sets, plan.answers.to_data()):
        out.say(note)
    out.doc.update(
        generated_by=plan.recorded.drgen_version,
        changes=[{"path": c.path, "action": c.action} for c in plan.changes],
        conflicts=[c.path for c in plan.conflicts],
        pretend=options.pretend,
    )
    for change in plan.changes:
        out.say(f"  {change.describe()}")
    if options.pretend:
        out.say(plan.diff(), nl=False)
        writes = sum(1 for change in plan.changes if change.writes)
        out.say(
            f"{plural(writes, 'file')} would change; nothing was written (--pretend)", final=True
        )
        return
    if not plan.changes and not plan.record_changes:
        out.say(f"{project} is already up to date with drgen {__version__}", final=True)
        return
    if not in_git:
        out.say(
            f"warning: {project} is not in a git working tree: nothing keeps the files as they "
            "were, so this update cannot be reviewed or undone (--pretend shows it first)",
            err=True,
        )
    apply_plan(plan)
    if plan.conflicts:
        raise ConflictError(
            f"{plural(len(plan.conflicts), 'conflict')} to resolve: "
            f"{', '.join(c.path for c in plan.conflicts)}; "
            f"edit {them(len(plan.conflicts))}, then commit "
            "(the project's tests were not run)"
        )
    out.say(what_happened(plan, project), final=options.no_verify)
    if not options.no_verify:
        kept = f"the update of {project} is complete"
        verify_and_show(out, project, display, kept=kept, shown=path)


def what_happened(plan: UpdatePlan, project: Path) -> str:
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
    if not plan.behind:
        return (
            f"Recorded drgen {new} in {project} (was {old}): the template renders the same "
            f"files; {PIN_FILE} now pins drgen {new}"
        )
    return f"Updated {project} from drgen {old} to drgen {new}"


def run_check(out: Messages, path: Path) -> None:
    """`drgen update --check`: behind the template, or holding conflicts, is an exit code."""
    project = path.resolve()
    out.doc["project"] = str(project)
    status = check_status(project)
    old = status.recorded.drgen_version
    out.doc.update(generated_by=old, behind=status.behind, unresolved_conflicts=status.unresolved)
    versions = f"generated by drgen {old}, installed drgen {__version__}"
    if status.unresolved:
        raise ConflictError(
            f"{project} holds unresolved conflict markers from an earlier update in "
            f"{', '.join(status.unresolved)}; "
            f"resolve {them(len(status.unresolved))}, then commit"
        )
    if status.behind:
        raise OutdatedError(
            f"{project} is behind the installed template ({versions}); run drgen update"
        )
    out.say(f"{project} is up to date ({versions})", final=True)
