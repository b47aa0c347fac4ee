"""Rendering: the template, the answers, and a target directory that is never half-written."""

from __future__ import annotations

import json
import shutil
import tempfile
from importlib import resources
from pathlib import Path

import copier
import yaml

from drgen import __version__
from drgen.answers import Answers
from drgen.errors import TargetError

#: Where a generated project records how it was generated (read by `drgen update`).
RECORD_DIR = ".drgen"
ANSWERS_FILE = "answers.yml"
#: Exactly what drgen rendered last time: the base of `drgen update`'s three-way merge. JSON,
#: so no linter, test runner or coverage tool mistakes it for source.
BASE_FILE = "base.json"


def template_dir() -> Path:
    """The copier template: packaged with drgen, or the repository's `templates/` in a checkout."""
    packaged = resources.files("drgen") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if (checkout / "copier.yml").is_file():
        return checkout
    raise TargetError("drgen's template is missing from this installation; reinstall drgen")


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a target drgen must not write to, before anything is rendered."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetError(f"target {str(target)!r} exists and is not a directory")
    if not target.parent.is_dir():
        raise TargetError(
            f"parent directory {str(target.parent)!r} does not exist; create it first"
        )
    if target.is_dir() and any(target.iterdir()) and not force:
        raise TargetError(
            f"target {str(target)!r} exists and is not empty; choose another --output-dir "
            "or pass --force to overwrite the files drgen generates"
        )


def read_tree(root: Path) -> dict[str, str]:
    """Every file below `root` as text, by POSIX relative path, leaving out drgen's record."""
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != RECORD_DIR
    }


def render_files(answers: Answers) -> dict[str, str]:
    """What the installed template renders for these answers, as path -> text."""
    with tempfile.TemporaryDirectory(prefix="drgen-render-") as tmp:
        destination = Path(tmp) / answers.project_name
        _run_copier(answers, destination)
        return read_tree(destination)


def _run_copier(answers: Answers, destination: Path) -> None:
    copier.run_copy(
        str(template_dir()),
        destination,
        data=answers.to_data(),
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=False,
    )


def write_record(project: Path, answers: Answers, rendered: dict[str, str]) -> None:
    """Record the answers, the drgen version and exactly what was rendered (the next base)."""
    record = project / RECORD_DIR
    record.mkdir(exist_ok=True)
    (record / ANSWERS_FILE).write_text(
        "# How drgen generated this project; `drgen update` reads it. Do not edit by hand.\n"
        + yaml.safe_dump(
            {"drgen_version": __version__, "answers": answers.to_data()}, sort_keys=False
        ),
        encoding="utf-8",
    )
    (record / BASE_FILE).write_text(
        json.dumps({"format": 1, "drgen_version": __version__, "files": rendered}, indent=1) + "\n",
        encoding="utf-8",
    )


def render_to(answers: Answers, destination: Path) -> None:
    """Render the template with these answers into an empty or missing directory."""
    _run_copier(answers, destination)
    write_record(destination, answers, read_tree(destination))


def generate(answers: Answers, target: Path, *, force: bool = False) -> Path:
    """Render into a staging directory beside the target, then move it into place.

    A failure or an interrupt while rendering leaves the target exactly as it was.
    """
    target = target.absolute()
    check_target(target, force=force)
    try:
        with tempfile.TemporaryDirectory(prefix=f".{target.name}.drgen-", dir=target.parent) as tmp:
            staging = Path(tmp) / target.name
            render_to(answers, staging)
            _move_into_place(staging, target)
    except OSError as error:
        raise TargetError(f"could not write the project to {str(target)!r}: {error}") from None
    return target


def _move_into_place(staging: Path, target: Path) -> None:
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    if not target.exists():
        staging.rename(target)  # atomic: the project appears whole or not at all
    else:
        shutil.copytree(staging, target, dirs_exist_ok=True)  # --force into a non-empty dir
