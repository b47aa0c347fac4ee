"""The executable bit and the user's modes: what the template sets arrives, what the user set
stays, whatever the umask.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.update.files import mode
from tests.update.repository import commit
from tests.update.template_versions import NEXT, add_script, derive_template, install_version

pytestmark = pytest.mark.integration


def test_a_script_the_template_adds_is_executable_after_new_and_after_update(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    os.umask(0o077)  # a strict umask must not change what drgen writes
    try:
        template = derive_template(tmp_path, NEXT, monkeypatch)
        add_script(template)
        result = invoke("update", str(project), "--no-verify")
        assert result.exit_code == 0, result.output
        assert "  add              scripts/smoke.sh: added by the template" in result.stdout
        assert mode(project / "scripts" / "smoke.sh") == 0o755
        (template / "project" / "README.md.jinja").chmod(0o640)  # as a packager may leave it
        result = invoke("new", "fresh", "--defaults", "--alarm-email", "none", "--no-verify")
        assert result.exit_code == 0, result.output
        assert mode(tmp_path / "fresh" / "scripts" / "smoke.sh") == 0o755
        assert mode(tmp_path / "fresh" / "README.md") == 0o644
    finally:
        os.umask(0o022)
    record = json.loads((project / ".drgen" / "base.json").read_text())
    assert record["files"]["scripts/smoke.sh"] == {
        "text": "#!/bin/sh\necho demo\n",
        "mode": "755",
    }


def test_modes_the_user_set_are_kept_and_modes_the_template_changes_are_applied(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (project / "README.md").chmod(0o600)  # the user's mode, on a file the template changes
    (project / "app" / "handler.py").chmod(0o750)  # on a file the template makes executable
    commit(project)
    template = derive_template(tmp_path, NEXT, monkeypatch)
    (template / "project" / "infra" / "compute.py.jinja").chmod(0o755)
    (template / "project" / "app" / "handler.py").chmod(0o755)
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "  update           README.md: updated from the template",
        "  update           infra/compute.py: updated from the template",
    ]
    assert mode(project / "README.md") == 0o600
    assert mode(project / "infra" / "compute.py") == 0o755
    assert mode(project / "app" / "handler.py") == 0o750  # already executable: untouched
    commit(project)
    (template / "project" / "infra" / "compute.py.jinja").chmod(0o644)
    install_version(monkeypatch, "9.0.1")
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert "  mode             infra/compute.py: the template changed its mode" in result.stdout
    assert mode(project / "infra" / "compute.py") == 0o644
