"""Rendering: the template, the answers, and a target directory that is never half-written."""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from drgen import __version__
from drgen.answers.model import Answers
from drgen.errors import TargetError
from drgen.project.blob import MODE_FILE, Blob
from drgen.project.locks import exclusive, remove_stale_staging
from drgen.project.record import RECORD_DIR, read_tree, record_files, record_files_of
from drgen.project.target import check_target, make_parents, remove_created, shown_error
from drgen.project.transaction import Transaction, check_writable


def template_dir() -> Path:
    """The copier template: packaged with drgen, or the repository's `templates/` in a checkout."""
    packaged = resources.files("drgen") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / "copier.yml").is_file():
        return checkout
    raise TargetError("drgen's template is missing from this installation; reinstall drgen")


def user_files() -> set[str]:
    """Files the template writes once and never overwrites (copier's `_skip_if_exists`)."""
    config = yaml.safe_load((template_dir() / "copier.yml").read_text(encoding="utf-8"))
    return set(config.get("_skip_if_exists", []))


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
        # the version is not an answer: requirements-dev.txt pins the drgen rendering it
        data=answers.to_data() | {"drgen_version": __version__},
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=False,
    )


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
        created = make_parents(target.parent)
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
        remove_created(created)
        shown = shown_error(error, target)
        raise TargetError(f"could not write the project to {str(target)!r}: {shown}") from None
    except BaseException:
        remove_created(created)
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
