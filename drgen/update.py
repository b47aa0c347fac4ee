"""`drgen update`: bring a project to the installed template without losing the user's work.

A three-way merge per file: the base is what drgen rendered last time (kept in the project as
`.drgen/base.json`, so neither git history nor the template's own repository is needed: it
works from a wheel, in a shallow clone, after a squash merge), "yours" is the file on disk,
"theirs" is what the installed template renders now from the recorded (or changed) answers.

Three layers: reading the project (`read_recorded`, `read_yours`, untrusted input, validated),
planning (`plan_changes`, pure: bytes and modes in, a list of changes out) and writing
(`apply_plan`, one transaction that is rolled back on any failure or Ctrl-C).
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

from drgen import __version__
from drgen.answers.model import Answers
from drgen.answers.questions import QUESTIONS
from drgen.answers.rules import build_answers
from drgen.answers.sources import fill_defaults
from drgen.errors import (
    AnswerError,
    DirtyTreeError,
    DrgenError,
    NewerRecordError,
    RecordError,
    TargetError,
)
from drgen.files import TooLargeError, load_yaml, read_text
from drgen.project.blob import MODE_FILE, Blob, template_mode
from drgen.project.record import (
    ANSWERS_FILE,
    BASE_FILE,
    RECORD_DIR,
    RECORD_FORMAT,
    record_files,
)
from drgen.project.render import render_files, user_files
from drgen.project.target import shown_path
from drgen.project.transaction import Transaction, check_writable

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
#: The first line of a conflict block `drgen update` leaves (every release used this label).
MARKER = b"<<<<<<< yours"


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
        diff = list(difflib.unified_diff(_lines(base.data), _lines(theirs.data), n=0))
        added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
        removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
        mode = ", executable bit" if base.executable != theirs.executable else ""
        return f"{line} (template change: +{added} -{removed} lines{mode})"


@dataclass(frozen=True)
class Labels:
    """The names of the three sides in conflict blocks."""

    yours: str = "yours"
    base: str = "base"
    theirs: str = "template"


@dataclass(frozen=True)
class Recorded:
    """How the project was generated last time."""

    answers: Answers
    drgen_version: str
    base: dict[str, Blob]
    format: int = RECORD_FORMAT


# ----------------------------------------------------------------------------- reading


def unsafe_path(path: object) -> str | None:
    """Why `path` (from the record or the template) may not be used, or None when it is safe."""
    if not isinstance(path, str) or not path:
        return "is not a file path"
    if "\\" in path or "\0" in path:
        return "is not a POSIX relative path"
    if path.startswith("/"):
        return "is absolute"
    parts = path.split("/")
    if ".." in parts:
        return "leaves the project ('..')"
    if any(part in ("", ".") for part in parts):
        return "is not a normalized relative path"
    if any(part.lower() == ".git" for part in parts):
        return "is inside .git/"
    if parts[0] == RECORD_DIR:
        return f"is inside drgen's own {RECORD_DIR}/"
    return None


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _decode_file(name: str, path: str, value: object, fmt: int) -> Blob:
    if fmt == 1:
        if not isinstance(value, str):
            raise RecordError(f"{name}: file {path!r} must be text, found {_kind(value)}")
        return Blob(value.encode("utf-8"), MODE_FILE)
    if not isinstance(value, dict):
        raise RecordError(f"{name}: file {path!r} must be a mapping, found {_kind(value)}")
    mode = value.get("mode")
    if not isinstance(mode, str) or not re.fullmatch(r"[0-7]{3}", mode):
        raise RecordError(f'{name}: file {path!r} has no valid mode (e.g. "644")')
    text, encoded = value.get("text"), value.get("base64")
    if isinstance(text, str) and encoded is None:
        data = text.encode("utf-8", "surrogatepass")
    elif isinstance(encoded, str) and text is None:
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise RecordError(f"{name}: file {path!r} is not valid base64") from None
    else:
        raise RecordError(f"{name}: file {path!r} needs either text or base64")
    return Blob(data, template_mode(int(mode, 8)))


def _load(path: Path, name: str, parse: Callable[[str], object]) -> dict[str, object]:
    if path.is_symlink():
        raise RecordError(f"{name} is a symbolic link; drgen reads its record only inside")
    try:
        data = parse(read_text(path))
    except TooLargeError as error:
        raise RecordError(f"{name} is refused: it {error}") from None
    except (ValueError, yaml.YAMLError):  # not UTF-8, JSONDecodeError, refused aliases included
        raise RecordError(f"{name} is damaged: not valid {path.suffix[1:].upper()}") from None
    if not isinstance(data, dict):
        raise RecordError(f"{name} is damaged: expected a mapping, found {_kind(data)}")
    return data


def _version(name: str, data: Mapping[str, object]) -> str:
    version = data.get("drgen_version")
    if isinstance(version, str):
        try:
            Version(version)
        except InvalidVersion:
            pass
        else:
            return version
    raise RecordError(f'{name} is damaged: drgen_version must be a version like "0.1.0"')


def read_recorded(project: Path) -> Recorded:
    """The answers, version and base recorded in `.drgen/`, checked as untrusted input."""
    record = project / RECORD_DIR
    answers_path, base_path = record / ANSWERS_FILE, record / BASE_FILE
    if record.is_symlink():
        raise RecordError(f"{RECORD_DIR}/ in {str(project)!r} is a symbolic link; refusing it")
    if not answers_path.is_file() or not base_path.is_file():
        raise TargetError(
            f"{str(project)!r} is not a project generated by drgen (no {RECORD_DIR}/"
            f"{ANSWERS_FILE} and {RECORD_DIR}/{BASE_FILE})"
        )
    answers_name = f"{RECORD_DIR}/{ANSWERS_FILE} in {str(project)!r}"
    base_name = f"{RECORD_DIR}/{BASE_FILE} in {str(project)!r}"
    data = _load(answers_path, answers_name, load_yaml)
    version = _version(answers_name, data)
    # PEP 440 order (0.3.0.dev4 < 0.3.0rc1 < 0.3.0 < 0.3.0.post1); a local build label
    # (+g1a2b3c) names how a release was built, not a later release, so it is left out
    if Version(Version(version).public) > Version(Version(__version__).public):
        raise NewerRecordError(
            f"{str(project)!r} was generated by drgen {version}, newer than the installed "
            f"drgen {__version__}; install drgen {version} or later to update it"
        )
    raw = data.get("answers")
    if not isinstance(raw, dict) or not isinstance(raw.get("project_name"), str):
        raise RecordError(f"{answers_name} is damaged: answers must be a mapping with project_name")
    raw = dict(raw)
    name = raw.pop("project_name")
    try:
        answers = build_answers(name, raw)
    except AnswerError as error:
        raise RecordError(f"{answers_name} is damaged: {error}") from None
    stored = _load(base_path, base_name, json.loads)
    fmt = stored.get("format")
    if type(fmt) is not int or fmt not in (1, RECORD_FORMAT):
        raise RecordError(
            f"{base_name} is damaged: format must be 1 or {RECORD_FORMAT}, found {fmt!r}"
        )
    if _version(base_name, stored) != version:
        raise RecordError(f"{base_name} is damaged: its drgen_version differs from {ANSWERS_FILE}")
    files = stored.get("files")
    if not isinstance(files, dict):
        raise RecordError(f"{base_name} is damaged: files must be a mapping, found {_kind(files)}")
    base: dict[str, Blob] = {}
    for path, value in files.items():
        problem = unsafe_path(path)
        if problem is not None:
            raise RecordError(f"{base_name} is refused: the path {path!r} {problem}")
        base[path] = _decode_file(base_name, path, value, fmt)
    return Recorded(answers=answers, drgen_version=version, base=base, format=fmt)


def check_inside(root: Path, path: str) -> None:
    """Refuse a path that resolves outside the project (through a symbolic link)."""
    problem = unsafe_path(path)
    if problem is not None:
        raise RecordError(f"the path {path!r} {problem}")
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        raise TargetError(
            f"{path!r} in {str(root)!r} leads outside the project through a symbolic link; "
            "drgen neither reads nor writes through it: replace the link with a file"
        )


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


def unresolved_conflicts(root: Path, paths: Iterable[str]) -> list[str]:
    """Files that still hold a conflict block a previous update left."""
    found = []
    for path in sorted(paths):
        check_inside(root, path)
        target = root / path
        if target.is_file() and any(
            line.rstrip(b"\r\n") == MARKER for line in target.read_bytes().split(b"\n")
        ):
            found.append(path)
    return found


@dataclass(frozen=True)
class Status:
    """What `--check` finds: the record, whether the template moved on, markers left."""

    recorded: Recorded
    behind: bool
    unresolved: list[str]


def check_status(project: Path) -> Status:
    """Whether the installed template renders the recorded answers differently than last time.

    Only renders and compares: no merging, nothing written (for `--check` in pipelines).
    """
    root = project.resolve()
    recorded = read_recorded(root)
    rendered = render_files(recorded.answers)
    return Status(
        recorded=recorded,
        behind=rendered != recorded.base,
        unresolved=unresolved_conflicts(root, set(recorded.base) | set(rendered)),
    )


# ----------------------------------------------------------------------------- answers


def parse_sets(items: Iterable[str]) -> dict[str, object]:
    """`key=value` pairs; values are YAML scalars (`true`, `[a, b]`, `vpc`)."""
    changes: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AnswerError(f"--set {item!r} is not KEY=VALUE (e.g. --set route53=true)")
        try:
            changes[key.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            raise AnswerError(f"--set {item!r}: the value is not valid YAML") from None
    return changes


def check_region_order(before: Answers, after: Answers) -> None:
    """Refuse what rebuilds a live stack's regional core.

    A new primary, regions that swap places, or (with VPCs) a region moved to another position
    and so another /16; adding or removing secondaries is fine.
    """
    old, new = before.regions, after.regions
    given = f"--set regions={','.join(new)}"
    consequence = (
        "on a live stack that replaces the global table, the secret and the replication "
        "(and moves the failover order); give --allow-region-reorder to do it anyway"
    )
    if new[0] != old[0]:
        raise AnswerError(
            f"{given} changes the primary region from {old[0]} to {new[0]}: {consequence}"
        )
    kept = [region for region in new if region in old]
    if kept != [region for region in old if region in new]:
        raise AnswerError(f"{given} reorders the regions {', '.join(old)}: {consequence}")
    if after.network == "vpc":
        moved = [r for r in kept if old.index(r) != new.index(r)]
        if moved:
            raise AnswerError(
                f"{given} moves {', '.join(moved)} to another position: each region's /16 "
                "follows its position, so its VPC and subnets would be replaced; add regions "
                "at the end and remove them from the end, or give --allow-region-reorder"
            )


def changed_answers(
    recorded: Answers, changes: Mapping[str, object], *, allow_region_reorder: bool = False
) -> Answers:
    """The recorded answers with these changes, validated exactly as `drgen new` does.

    Answers of a feature being turned off are dropped with it; a feature turned on takes the
    defaults `drgen new --defaults` would give for whatever `--set` does not say. An answer
    set for a feature that stays off is refused, not dropped.
    """
    if "project_name" in changes:
        raise AnswerError("project_name cannot change: it names the Pulumi project and its config")
    raw: dict[str, object] = {**recorded.to_data(), **changes}
    name = str(raw.pop("project_name"))
    for question in QUESTIONS:
        if question.key in raw and question.key not in changes and not question.applies(raw):
            del raw[question.key]
    fill_defaults(name, raw)
    answers = build_answers(name, raw, sources={key: f"--set {key}" for key in changes})
    if not allow_region_reorder:
        check_region_order(recorded, answers)
    return answers


# ----------------------------------------------------------------------------- planning (pure)


def is_text(data: bytes) -> bool:
    """Whether git can merge it line by line: UTF-8 without NUL bytes."""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _uses_crlf(data: bytes) -> bool:
    return data.count(b"\r\n") * 2 > data.count(b"\n")


def _with_endings(data: bytes, crlf: bool) -> bytes:
    lf = data.replace(b"\r\n", b"\n")
    return lf.replace(b"\n", b"\r\n") if crlf else lf


def merge_bytes(yours: bytes, base: bytes, theirs: bytes, labels: Labels) -> tuple[bytes, int]:
    """`git merge-file --diff3` on bytes: the merged file and how many conflicts it holds.

    The template's sides take your line endings first, so a file you converted to CRLF
    merges line by line and stays CRLF.
    """
    crlf = _uses_crlf(yours)
    if _uses_crlf(base) != crlf or _uses_crlf(theirs) != crlf:
        base, theirs = _with_endings(base, crlf), _with_endings(theirs, crlf)
    git = shutil.which("git")
    if git is None:
        raise DrgenError("git is needed to merge changed files; install git and run again")
    with tempfile.TemporaryDirectory(prefix="drgen-merge-") as tmp:
        paths = []
        for name, data in (("yours", yours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        result = subprocess.run(  # noqa: S603 - fixed git command on our temp files
            [
                git, "merge-file", "-p", "--diff3",
                "-L", labels.yours, "-L", labels.base, "-L", labels.theirs, *paths,
            ],
            capture_output=True, check=False,
        )  # fmt: skip
    if not 0 <= result.returncode <= 127:  # git: the number of conflicts, capped at 127
        message = result.stderr.decode("utf-8", "replace").strip()
        raise DrgenError(f"git merge-file failed: {message}")
    merged = _with_endings(result.stdout, crlf) if crlf else result.stdout  # the markers too
    return merged, result.returncode


def merge_mode(yours: int, base: Blob | None, theirs: Blob) -> int:
    """Your mode, with the executable bit the template set or cleared since the base."""
    was = base.executable if base is not None else bool(yours & stat.S_IXUSR)
    if theirs.executable == was:
        return yours
    if theirs.executable:
        return yours | ((yours & 0o444) >> 2)  # execute wherever read is allowed
    return yours & ~0o111


Merge = Callable[[bytes, bytes, bytes, Labels], tuple[bytes, int]]


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
    labels: Labels = Labels(),
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


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    return [line + "\n" for line in text.split("\n")[:-1]] + (
        [text.rsplit("\n", 1)[-1]] if not text.endswith("\n") and text else []
    )


def unified_diff(path: str, before: Blob | None, after: Blob | None) -> str:
    """A patch `git apply` takes: content, a missing final newline, the executable bit."""
    old = f"a/{path}" if before is not None else "/dev/null"
    new = f"b/{path}" if after is not None else "/dev/null"
    head = ""
    if before is not None and after is not None and before.executable != after.executable:
        mode = {False: "100644", True: "100755"}
        head = (
            f"diff --git a/{path} b/{path}\nold mode {mode[before.executable]}\n"
            f"new mode {mode[after.executable]}\n"
        )
    old_data = before.data if before is not None else b""
    new_data = after.data if after is not None else b""
    if old_data == new_data:
        return head
    if not (is_text(old_data) and is_text(new_data)):
        return head + f"Binary files {old} and {new} differ\n"
    chunks = [head]
    for line in difflib.unified_diff(_lines(old_data), _lines(new_data), old, new):
        chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)


# ----------------------------------------------------------------------------- the plan


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
        """Whether the installed template renders something else than last time."""
        return self.rendered != self.recorded.base or self.answers_changed

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


def check_clean_git(project: Path) -> bool:
    """Refuse to update over uncommitted work: the update must be one reviewable diff.

    Whether the project is in a git working tree (False: nothing to review or undo with).
    """
    git = shutil.which("git")
    if git is None:
        return False
    inside = subprocess.run(  # noqa: S603 - fixed git command
        [git, "-C", str(project), "rev-parse", "--is-inside-work-tree"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return False  # not a git working tree: nothing to protect beyond the atomic write
    status = subprocess.run(  # noqa: S603 - fixed git command
        [git, "-C", str(project), "status", "--porcelain", "--untracked-files=all", "--", "."],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    dirty = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if dirty:
        raise DirtyTreeError(
            f"{str(project)!r} has uncommitted changes ({', '.join(dirty[:3])}"
            f"{', ...' if len(dirty) > 3 else ''}): commit or stash them, then run drgen update "
            "again, so the update is one diff you can review"
        )
    return True
