"""The next template version, derived from the real one, installed for one test.

It changes the log retention in infra/compute.py and adds a section at the end of the README.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drgen.project.render import template_dir

RETENTION_V1 = "LOG_RETENTION_DAYS = 30"
RETENTION_V2 = "LOG_RETENTION_DAYS = 90"
README_V2 = "\n## Changelog\n\nLog retention is now 90 days.\n"
NEXT = "9.0.0"  # a release after the installed one
#: Every module that reads the installed drgen's version at run time.
VERSIONED = (
    "drgen.project.record",
    "drgen.project.render",
    "drgen.update.record",
    "drgen.update.plan",
    "drgen.commands.update",
    "drgen.cli.output",
)


def install_version(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    """Make `version` the installed drgen's version for the rest of the test."""
    for module in VERSIONED:
        monkeypatch.setattr(f"{module}.__version__", version)


def derive_template(tmp_path: Path, version: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new template version: the real one with a change in compute.py and the README."""
    target = tmp_path / f"template-{version}"
    shutil.copytree(template_dir(), target)
    compute = target / "project" / "infra" / "compute.py.jinja"
    compute.write_text(compute.read_text().replace(RETENTION_V1, RETENTION_V2))
    readme = target / "project" / "README.md.jinja"
    readme.write_text(readme.read_text() + README_V2)
    monkeypatch.setattr("drgen.project.render.template_dir", lambda: target)
    install_version(monkeypatch, version)
    return target


def add_script(template: Path) -> None:
    script = template / "project" / "scripts" / "smoke.sh.jinja"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\necho {{ project_name }}\n")
    script.chmod(0o755)
