"""Every file's fate, from its three sides: bytes and modes in, a list of changes out.

Pure: reads and writes nothing, so every case is a plain function call in a test.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from drgen.errors import AnswerError
from drgen.project.blob import Blob
from drgen.update.merge import Labels, Merge, is_text, merge_bytes, merge_mode
from drgen.update.patch import text_lines

#: What each action means, for people.
ACTIONS = {
    "add": "added by the template",
    "update": "updated from the template",
    "mode": "the template changed its mode (executable bit)",
    "delete": "removed: the template no longer generates it",
    "merge": "merged your changes with the template's",
    "conflict": "CONFLICT: both changed the same lines; resolve the markers",
    "conflict-removed": "CONFLICT: the template no longer generates it, but you changed it",
    "conflict-kept": (
        "CONFLICT: both changed it and it is not text drgen can merge; yours is kept, "
        "the template's change is in --pretend"
    ),
    "kept-deleted": (
        "you deleted or moved it and the template changed it; --pretend shows the change "
        "you are missing as a patch, --restore brings the file back"
    ),
    "restore": "restored from the template (--restore)",
}
CONFLICTS = ("conflict", "conflict-removed", "conflict-kept")
#: Actions that leave the file on disk as it is.
KEEPS = ("kept-deleted", "conflict-removed", "conflict-kept")


@dataclass(frozen=True)
class FileChange:
    """What the update does to one file.

    `before` and `after` are the file on disk now and afterwards (None: absent). For the
    actions that keep the file (`KEEPS`), `template` is the change the user does not get.
    """

    path: str
    action: str
    before: Blob | None
    after: Blob | None
    template: tuple[Blob | None, Blob | None] = (None, None)

    @property
    def writes(self) -> bool:
        """Whether the file on disk changes."""
        return self.action not in KEEPS

    def describe(self) -> str:
        """The report line: the action, the path, and for a kept file what it misses."""
        line = f"{self.action:<17}{self.path}: {ACTIONS[self.action]}"
        base, theirs = self.template
        if self.writes or base is None or theirs is None:
            return line
        if not (is_text(base.data) and is_text(theirs.data)):
            return f"{line} (template change: binary content)"
        diff = list(difflib.unified_diff(text_lines(base.data), text_lines(theirs.data), n=0))
        added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
        removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
        mode = ", executable bit" if base.executable != theirs.executable else ""
        return f"{line} (template change: +{added} -{removed} lines{mode})"


def plan_file(
    path: str,
    yours: Blob | None,
    base: Blob | None,
    theirs: Blob | None,
    labels: Labels,
    merge: Merge = merge_bytes,
) -> FileChange | None:
    """One file's fate from its three sides; None when the file stays exactly as it is."""
    if base == theirs:
        return None  # nothing new from the template: whatever you did stays
    if yours is None:
        if theirs is None:
            return None  # you removed it, the template too
        if base is None:
            return FileChange(path, "add", None, theirs)
        return FileChange(path, "kept-deleted", None, None, (base, theirs))
    if theirs is None:
        assert base is not None  # base == theirs returned above
        if yours.data == base.data:
            return FileChange(path, "delete", yours, None)
        return FileChange(path, "conflict-removed", yours, None, (base, None))
    mode = merge_mode(yours.mode, base, theirs)
    base_data = base.data if base is not None else b""
    if yours.data == theirs.data or (base is not None and base.data == theirs.data):
        # the content is already what it must be: at most the executable bit changes
        if mode == yours.mode:
            return None
        return FileChange(path, "mode", yours, Blob(yours.data, mode))
    if yours.data == base_data:
        return FileChange(path, "update", yours, Blob(theirs.data, mode))
    if not (is_text(yours.data) and is_text(base_data) and is_text(theirs.data)):
        return FileChange(path, "conflict-kept", yours, None, (base, theirs))
    merged, conflicts = merge(yours.data, base_data, theirs.data, labels)
    return FileChange(path, "conflict" if conflicts else "merge", yours, Blob(merged, mode))


def plan_changes(
    yours: Mapping[str, Blob | None],
    base: Mapping[str, Blob],
    theirs: Mapping[str, Blob],
    *,
    keep: Iterable[str] = (),
    restore: Iterable[str] = (),
    labels: Labels = Labels(),  # noqa: B008 - frozen: one shared default is safe
    merge: Merge = merge_bytes,
) -> list[FileChange]:
    """Every file's fate, computed from bytes and modes only (reads and writes nothing).

    `keep` are the files handed to the user (never overwritten once they exist), `restore`
    the missing files to bring back from the template.
    """
    restore, keep = set(restore), set(keep)
    for path in sorted(restore):
        if path not in theirs:
            raise AnswerError(f"--restore {path!r}: the template does not generate that file")
        if yours.get(path) is not None:
            raise AnswerError(
                f"--restore {path!r}: the file exists and --restore only brings back missing "
                f"files; to get the template's version without losing yours, see it with "
                f"--pretend, or move yours away (mv {path} {path}.mine) and restore again"
            )
    changes = []
    for path in sorted(set(base) | set(theirs)):
        if path in restore:
            changes.append(FileChange(path, "restore", None, theirs[path]))
            continue
        if path in keep and yours.get(path) is not None:
            continue
        change = plan_file(path, yours.get(path), base.get(path), theirs.get(path), labels, merge)
        if change is not None:
            changes.append(change)
    return changes
