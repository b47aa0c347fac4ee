"""Rendering: the template, the answers, and a target directory that is never half-written."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from drgen import __version__
from drgen.answers.model import Answers
from drgen.errors import BlockedPathError, TargetError
from drgen.locks import exclusive, remove_stale_staging

#: Where a generated project records how it was generated (read by `drgen update`).
RECORD_DIR = ".drgen"
ANSWERS_FILE = "answers.yml"
#: Exactly what drgen rendered last time: the base of `drgen update`'s three-way merge. JSON,
#: so no linter, test runner or coverage tool mistakes it for source.
BASE_FILE = "base.json"
#: Format 2 records bytes (text, or base64 when not UTF-8) and the mode of every file;
#: format 1 (drgen 0.1.0) recorded text only.
RECORD_FORMAT = 2

#: The two modes drgen writes: what the template's file is, executable or not. The user's own
#: mode bits are kept by `drgen update`; only the executable bit is ever changed.
MODE_FILE = 0o644
MODE_EXECUTABLE = 0o755


@dataclass(frozen=True)
class Blob:
    """A file's exact content and permission bits."""

    data: bytes
    mode: int = MODE_FILE

    @property
    def executable(self) -> bool:
        """Whether the owner may execute it (the bit drgen records and merges)."""
        return bool(self.mode & stat.S_IXUSR)


def template_mode(mode: int) -> int:
    """The mode drgen gives a generated file: executable or not, nothing else from the umask."""
    return MODE_EXECUTABLE if mode & stat.S_IXUSR else MODE_FILE


def template_dir() -> Path:
    """The copier template: packaged with drgen, or the repository's `templates/` in a checkout."""
    packaged = resources.files("drgen") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if (checkout / "copier.yml").is_file():
        return checkout
    raise TargetError("drgen's template is missing from this installation; reinstall drgen")


def user_files() -> set[str]:
    """Files the template writes once and never overwrites (copier's `_skip_if_exists`)."""
    config = yaml.safe_load((template_dir() / "copier.yml").read_text(encoding="utf-8"))
    return set(config.get("_skip_if_exists", []))


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a target drgen must not write to, before anything is rendered."""
    try:
        _check_target(target, force=force)
    except OSError as error:  # a path the system refuses to look at (too long, a loop, ...)
        raise TargetError(f"target {str(target)!r} cannot be used: {error.strerror}") from None


def _check_target(target: Path, *, force: bool) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetError(f"target {str(target)!r} exists and is not a directory")
    ancestor = _nearest_existing(target.parent)
    if not ancestor.is_dir():
        raise TargetError(
            f"cannot create {str(target)!r}: {str(ancestor)!r} is a file, not a directory"
        )
    if (target / RECORD_DIR).exists() or (target / RECORD_DIR).is_symlink():
        raise TargetError(
            f"target {str(target)!r} already holds a drgen project; change its answers with "
            f"`drgen update {str(target)!r} --set KEY=VALUE` instead of generating over it"
        )
    if target.is_dir() and any(target.iterdir()) and not force:
        raise TargetError(
            f"target {str(target)!r} exists and is not empty; choose another --output-dir "
            "or pass --force to overwrite the files drgen generates"
        )


def _nearest_existing(path: Path) -> Path:
    """`path` or its closest ancestor that exists (a dangling link counts as existing)."""
    while not (path.exists() or path.is_symlink()) and path != path.parent:
        path = path.parent
    return path


def _make_parents(directory: Path) -> list[Path]:
    """Create `directory` and its missing ancestors; return the ones created, outermost first.

    On any exception, Ctrl-C included, the ones created so far are removed again.
    """
    missing: list[Path] = []
    while not (directory.exists() or directory.is_symlink()):
        missing.append(directory)
        directory = directory.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
    except BaseException:
        _remove_created(created)
        raise
    return created


def _remove_created(created: list[Path]) -> None:
    """Remove the directories `_make_parents` created, innermost first, if still empty."""
    with _no_interrupts():
        for path in reversed(created):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def shown_path(path: Path, target: Path) -> Path:
    """The path a user knows for `path`, not drgen's staging directory or temporary files.

    Each is shown as the path it stands for.
    """
    if not path.is_relative_to(target.parent):
        return path
    parts = path.relative_to(target.parent).parts
    if parts and parts[0].startswith(f".{target.name}.drgen-"):
        parts = (target.name, *parts[2:]) if len(parts) > 1 else ()
    return target.parent.joinpath(*(TEMPORARY.sub(r"\1", part) for part in parts))


#: `_write_bytes`'s temporary file beside the file it writes.
TEMPORARY = re.compile(r"^\.(.+)\.drgen-[0-9]+$")


def _shown_error(error: OSError, target: Path) -> str:
    """An OSError as the user may see it: without drgen's internal paths."""
    if error.filename is None or error.strerror is None:
        return str(error)
    shown = f"[Errno {error.errno}] {error.strerror}: "
    shown += repr(str(shown_path(Path(os.fsdecode(error.filename)), target)))
    if error.filename2 is not None:
        shown += f" -> {str(shown_path(Path(os.fsdecode(error.filename2)), target))!r}"
    return shown


def read_tree(root: Path) -> dict[str, Blob]:
    """Every file below `root` as bytes and mode, by POSIX relative path, without the record."""
    return {
        path.relative_to(root).as_posix(): Blob(
            path.read_bytes(), template_mode(path.stat().st_mode)
        )
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != RECORD_DIR
    }


def render_files(answers: Answers) -> dict[str, Blob]:
    """What the installed template renders for these answers, as path -> bytes and mode."""
    with tempfile.TemporaryDirectory(prefix="drgen-render-") as tmp:
        destination = Path(tmp) / answers.project_name
        _run_copier(answers, destination)
        return read_tree(destination)


def _run_copier(answers: Answers, destination: Path) -> None:
    # imported here, 15 MB: commands that render nothing need not load it, and `drgen new`
    # renders in a forked child, which takes it away before the project's tests run
    import copier

    copier.run_copy(
        str(template_dir()),
        destination,
        data=answers.to_data(),
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=False,
    )


def encode_file(blob: Blob) -> dict[str, str]:
    """One file of the record: its text exactly (base64 when not UTF-8) and its mode."""
    try:
        content = {"text": blob.data.decode("utf-8")}
    except UnicodeDecodeError:
        content = {"base64": base64.b64encode(blob.data).decode("ascii")}
    return content | {"mode": f"{blob.mode:o}"}


def record_files(answers: Answers, rendered: Mapping[str, Blob]) -> dict[str, bytes]:
    """The record's files (the answers, the drgen version, the next base) by relative path."""
    answers_yml = (
        "# How drgen generated this project; `drgen update` reads it. Do not edit by hand.\n"
        + yaml.safe_dump(
            {"drgen_version": __version__, "answers": answers.to_data()}, sort_keys=False
        )
    )
    base = {
        "format": RECORD_FORMAT,
        "drgen_version": __version__,
        "files": {path: encode_file(blob) for path, blob in sorted(rendered.items())},
    }
    return {
        f"{RECORD_DIR}/{ANSWERS_FILE}": answers_yml.encode("utf-8"),
        f"{RECORD_DIR}/{BASE_FILE}": (json.dumps(base, indent=1) + "\n").encode("utf-8"),
    }


def render_to(answers: Answers, destination: Path) -> None:
    """Render into an empty or missing directory, with drgen's modes, and record it."""
    _run_copier(answers, destination)
    rendered = read_tree(destination)
    for path, blob in rendered.items():
        (destination / path).chmod(blob.mode)
    (destination / RECORD_DIR).mkdir(exist_ok=True)
    for path, data in record_files(answers, rendered).items():
        (destination / path).write_bytes(data)
        (destination / path).chmod(MODE_FILE)


def generate(answers: Answers, target: Path, *, force: bool = False) -> Path:
    """Render into a staging directory beside the target, then move it into place.

    A failure or an interrupt while rendering or copying leaves the target exactly as it was.
    """
    target = target.absolute()
    check_target(target, force=force)
    created: list[Path] = []
    try:
        created = _make_parents(target.parent)
        remove_stale_staging(target)
        with (
            tempfile.TemporaryDirectory(prefix=f".{target.name}.drgen-", dir=target.parent) as tmp,
            exclusive(Path(tmp)),  # held until the project is in place: this staging is alive
        ):
            staging = Path(tmp) / target.name
            render_to(answers, staging)
            # another drgen may have written the target meanwhile: check it again, with every
            # writer into this directory waiting (milliseconds: a rename, or a fill)
            with exclusive(target.parent, wait=True):
                check_target(target, force=force)
                with exclusive(target) if target.is_dir() else nullcontext():
                    _move_into_place(staging, target)
    except OSError as error:
        _remove_created(created)
        shown = _shown_error(error, target)
        raise TargetError(f"could not write the project to {str(target)!r}: {shown}") from None
    except BaseException:
        _remove_created(created)
        raise
    return target


@dataclass(frozen=True)
class NewPlan:
    """What `drgen new` would write, and nothing written: each file and its fate."""

    target: Path
    #: (relative path, "create" | "overwrite" | "keep"), sorted by path.
    files: list[tuple[str, str]]


def plan_new(answers: Answers, target: Path, *, force: bool = False) -> NewPlan:
    """The files `generate` would write into `target`, rendered outside it (`new --pretend`).

    Refuses exactly what `generate` refuses before writing; creates nothing, not even the
    target or its parents.
    """
    target = target.absolute()
    check_target(target, force=force)
    rendered = render_files(answers)
    paths = sorted({*rendered, *record_files(answers, rendered)})
    if not target.is_dir():
        return NewPlan(target, [(path, "create") for path in paths])
    keep = user_files()
    files = []
    for path in paths:
        if not (target / path).exists():
            files.append((path, "create"))
        elif path in keep:
            files.append((path, "keep"))
        else:
            files.append((path, "overwrite"))
    check_writable(target, {path: Blob(b"") for path, action in files if action != "keep"})
    return NewPlan(target, files)


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)  # atomic: the project appears whole or not at all
        return
    # An existing directory (empty, or --force) is filled, never replaced: it keeps its mode
    # and a shell inside it sees the files. drgen's files replace the ones there, except the
    # files the template hands to the user, and all of it or nothing.
    keep = user_files()
    writes: dict[str, Blob] = {
        path: blob
        for path, blob in read_tree(staging).items()
        if not (path in keep and (target / path).exists())
    }
    for path, data in record_files_of(staging).items():
        writes[path] = Blob(data, MODE_FILE)
    check_writable(target, writes)
    with Transaction(target) as transaction:
        for path, blob in writes.items():
            transaction.put(path, blob)


def record_files_of(project: Path) -> dict[str, bytes]:
    """The record files as written in `project`."""
    record = project / RECORD_DIR
    return {f"{RECORD_DIR}/{p.name}": p.read_bytes() for p in sorted(record.iterdir())}


def blocked(root: Path, path: str) -> str | None:
    """Why `path` cannot be written below `root`, or None."""
    target = root / path
    parent = root
    for part in Path(path).parts[:-1]:
        parent = parent / part
        if parent.is_symlink():
            return f"{str(parent.relative_to(root))!r} is a symbolic link"
        if parent.exists() and not parent.is_dir():
            return f"{str(parent.relative_to(root))!r} is a file where a directory is needed"
    if target.is_symlink():
        return f"{path!r} is a symbolic link; drgen does not write through links"
    if target.exists() and not target.is_file():
        return f"{path!r} is a directory where the template puts a file"
    return None


def check_writable(root: Path, writes: Mapping[str, Blob | None]) -> None:
    """Fail, before anything is written, when a path to write or remove is blocked."""
    for path, blob in sorted(writes.items()):
        if blob is None:
            if (root / path).is_symlink():
                raise BlockedPathError(
                    f"cannot remove {path!r}: it is a symbolic link; remove it yourself"
                )
            continue
        reason = blocked(root, path)
        if reason is not None:
            raise BlockedPathError(f"cannot write {path!r}: {reason}; move it away and run again")


@contextmanager
def _no_interrupts() -> Iterator[None]:
    """Hold Ctrl-C while putting files back: a second Ctrl-C must not stop the rollback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Transaction:
    """Writes below a root that all land or none do.

    Every file is backed up (bytes and mode) before its first change; on any exception,
    Ctrl-C included, every file is put back byte for byte and the directories created are
    removed. `put`, `remove` and `_mkdir` are the only writes.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._backups: dict[str, Blob | None] = {}
        self._created: list[Path] = []

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if error is not None:
            with _no_interrupts():
                self.rollback()

    def _backup(self, path: str) -> None:
        if path in self._backups:
            return
        target = self.root / path
        if target.is_file():
            self._backups[path] = Blob(target.read_bytes(), stat.S_IMODE(target.stat().st_mode))
        else:
            self._backups[path] = None

    def _mkdir(self, directory: Path) -> None:
        if directory == self.root or directory.is_dir():
            return
        self._mkdir(directory.parent)
        _mkdir(directory)
        self._created.append(directory)

    def put(self, path: str, blob: Blob) -> None:
        """Write `blob` at `path`, creating directories as needed."""
        self._backup(path)
        target = self.root / path
        self._mkdir(target.parent)
        _write_bytes(target, blob)

    def remove(self, path: str) -> None:
        """Remove the file at `path` (and then its directories left empty)."""
        self._backup(path)
        target = self.root / path
        _unlink(target)
        parent = target.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            _rmdir(parent)
            parent = parent.parent

    def rollback(self) -> None:
        """Put every file back as it was; remove the directories this transaction created."""
        for path, blob in self._backups.items():
            target = self.root / path
            if blob is None:
                _unlink(target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_bytes(target, blob)
        for directory in reversed(self._created):
            if directory.is_dir() and not any(directory.iterdir()):
                _rmdir(directory)


# The only four writes a Transaction makes (tests inject failures here).


def _mkdir(directory: Path) -> None:
    directory.mkdir()


def _rmdir(directory: Path) -> None:
    directory.rmdir()


def _unlink(target: Path) -> None:
    target.unlink(missing_ok=True)


def _write_bytes(target: Path, blob: Blob) -> None:
    """Write a new file beside the target, then rename it over the target.

    The rename replaces the directory entry: a hard link to a file elsewhere is never written
    through, and the target is never half-written.
    """
    temporary = target.with_name(f".{target.name}.drgen-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(blob.data)
        temporary.chmod(blob.mode)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
