"""The whole update: read and validate everything, plan every file, then write it all or none."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from drgen import __version__
from drgen.answers.model import Answers
from drgen.errors import AnswerError, TargetError
from drgen.project.blob import MODE_FILE, Blob
from drgen.project.pin import template_changed
from drgen.project.record import record_files
from drgen.project.render import render_files, user_files
from drgen.project.target import shown_path
from drgen.project.transaction import Transaction, check_writable
from drgen.update.answer_changes import changed_answers
from drgen.update.changes import CONFLICTS, FileChange, plan_changes
from drgen.update.merge import Labels
from drgen.update.patch import unified_diff
from drgen.update.paths import check_inside, unsafe_path
from drgen.update.record import Recorded, read_recorded


@dataclass
class UpdatePlan:
    """Everything an update would do, computed before anything is written."""

    project: Path
    recorded: Recorded
    answers: Answers
    rendered: dict[str, Blob]
    labels: Labels = field(default_factory=Labels)
    changes: list[FileChange] = field(default_factory=list)

    @property
    def conflicts(self) -> list[FileChange]:
        """Files the user must resolve."""
        return [c for c in self.changes if c.action in CONFLICTS]

    @property
    def answers_changed(self) -> bool:
        """Whether `--set` changed the recorded answers."""
        return self.answers != self.recorded.answers

    @property
    def behind(self) -> bool:
        """Whether the installed template renders something else than last time.

        The drgen pin aside: a release that changes only it is recorded, not a change to take.
        """
        return template_changed(self.rendered, self.recorded.base) or self.answers_changed

    @property
    def record_changes(self) -> bool:
        """Whether `.drgen/` must be rewritten (new base, answers or version).

        Only drgen 0.1.0 wrote format 1, so a new version also rewrites an old format.
        """
        return self.behind or self.recorded.drgen_version != __version__

    def writes(self) -> dict[str, Blob | None]:
        """Every file the update writes (None: removes), the record included."""
        writes = {c.path: c.after for c in self.changes if c.writes}
        if self.record_changes:
            for path, data in record_files(self.answers, self.rendered).items():
                current = self.project / path
                mode = stat.S_IMODE(current.stat().st_mode) if current.is_file() else MODE_FILE
                writes[path] = Blob(data, mode)
        return writes

    def diff(self) -> str:
        """Every change as a patch, for `--pretend`.

        For a file kept as you left it, the template's change you do not get, to apply where
        you moved the file.
        """
        chunks = []
        for change in self.changes:
            if change.writes:
                chunks.append(unified_diff(change.path, change.before, change.after))
            elif change.template != (None, None):
                chunks.append(
                    f"# {change.path}: the template's change you do not get ({change.action})\n"
                    + unified_diff(change.path, *change.template)
                )
        return "".join(chunks)


def read_yours(root: Path, paths: Iterable[str]) -> dict[str, Blob | None]:
    """The files on disk (None: absent or not a file), each checked to be inside the project."""
    yours: dict[str, Blob | None] = {}
    for path in paths:
        check_inside(root, path)
        target = root / path
        if target.is_file():
            yours[path] = Blob(target.read_bytes(), stat.S_IMODE(target.stat().st_mode))
        else:
            yours[path] = None
    return yours


def conflict_labels(recorded: Recorded, answers: Answers) -> Labels:
    """Name each side: what drgen generated last time, your files, what it renders now."""
    new = f"template: drgen {__version__}"
    if answers != recorded.answers:
        new += ", new answers"
    return Labels(yours="yours", base=f"base: drgen {recorded.drgen_version}", theirs=new)


def plan_update(
    project: Path,
    changes: Mapping[str, object] | None = None,
    restore: Iterable[str] = (),
    *,
    allow_region_reorder: bool = False,
) -> UpdatePlan:
    """Read, validate and plan: every file's fate; writes nothing."""
    root = project.resolve()
    recorded = read_recorded(root)
    answers = changed_answers(
        recorded.answers, changes or {}, allow_region_reorder=allow_region_reorder
    )
    rendered = render_files(answers)
    restore = set(restore)
    for path in sorted(restore):
        problem = unsafe_path(path)
        if problem is not None:
            raise AnswerError(f"--restore {path!r}: the path {problem}")
    paths = sorted(set(recorded.base) | set(rendered) | restore)
    yours = read_yours(root, paths)
    labels = conflict_labels(recorded, answers)
    plan = UpdatePlan(
        project=root, recorded=recorded, answers=answers, rendered=rendered, labels=labels
    )
    plan.changes = plan_changes(
        yours, recorded.base, rendered, keep=user_files(), restore=restore, labels=labels
    )
    check_writable(root, plan.writes())
    return plan


def apply_plan(plan: UpdatePlan) -> None:
    """Write the plan; on any failure or interrupt, put every file back as it was."""
    writes = plan.writes()
    check_writable(plan.project, writes)
    try:
        with Transaction(plan.project) as transaction:
            for path, blob in writes.items():
                if blob is None:
                    transaction.remove(path)
                else:
                    transaction.put(path, blob)
    except OSError as error:
        # a temporary file beside the one being written is named as that file
        failed = (
            shown_path(Path(os.fsdecode(error.filename)), plan.project)
            if error.filename
            else plan.project
        )
        raise TargetError(
            f"could not write {str(failed)!r}: "
            f"{error.strerror or error}; every file was put back as it was"
        ) from None
