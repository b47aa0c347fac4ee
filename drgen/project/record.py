"""The record a generated project keeps of its generation (`.drgen/`), and reading a tree.

`drgen update` reads it back: the answers, the drgen version, and the base of its merge.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from drgen import __version__
from drgen.answers.model import Answers
from drgen.project.blob import Blob, template_mode

#: Where a generated project records how it was generated (read by `drgen update`).
RECORD_DIR = ".drgen"
ANSWERS_FILE = "answers.yml"
#: Exactly what drgen rendered last time: the base of `drgen update`'s three-way merge. JSON,
#: so no linter, test runner or coverage tool mistakes it for source.
BASE_FILE = "base.json"
#: Format 2 records bytes (text, or base64 when not UTF-8) and the mode of every file;
#: format 1 (drgen 0.1.0) recorded text only.
RECORD_FORMAT = 2


def read_tree(root: Path) -> dict[str, Blob]:
    """Every file below `root` as bytes and mode, by POSIX relative path, without the record."""
    return {
        path.relative_to(root).as_posix(): Blob(
            path.read_bytes(), template_mode(path.stat().st_mode)
        )
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != RECORD_DIR
    }


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


def record_files_of(project: Path) -> dict[str, bytes]:
    """The record files as written in `project`."""
    record = project / RECORD_DIR
    return {f"{RECORD_DIR}/{p.name}": p.read_bytes() for p in sorted(record.iterdir())}
