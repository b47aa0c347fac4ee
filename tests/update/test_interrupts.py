"""Ctrl-C at any moment of a real `drgen update` process: one line, exit 130, every byte back.

The project is one an older template generated: its record says compute.py kept logs 90 days,
had no extensions module and had a tools/old.py, so the installed template's update rewrites,
adds and removes files (and the record) in a real process, started through the console entry
point, and interrupted at moments from its first imports to its last writes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drgen.errors import EXIT_INTERRUPTED
from tests.update.files import snapshot

pytestmark = pytest.mark.integration

DRGEN = Path(sys.executable).parent / "drgen"


def older_project(root: Path) -> Path:
    """A project as an older template would have rendered it, with a user edit."""
    from drgen.answers.rules import build_answers
    from drgen.answers.sources import fill_defaults
    from drgen.project.render import generate

    raw: dict[str, object] = {}
    fill_defaults("demo", raw)
    project = generate(build_answers("demo", raw), root / "demo")
    record_path = project / ".drgen" / "base.json"
    record = json.loads(record_path.read_text())
    files = record["files"]
    compute = files["infra/compute.py"]["text"].replace(
        "LOG_RETENTION_DAYS = 30", "LOG_RETENTION_DAYS = 90"
    )
    files["infra/compute.py"]["text"] = compute
    (project / "infra" / "compute.py").write_text(compute)
    del files["infra/extensions.py"]
    (project / "infra" / "extensions.py").unlink()
    files["tools/old.py"] = {"text": "OLD = 1\n", "mode": "644"}
    (project / "tools").mkdir()
    (project / "tools" / "old.py").write_text("OLD = 1\n")
    record_path.write_text(json.dumps(record))
    readme = project / "README.md"
    readme.write_bytes(readme.read_bytes().replace(b"\n", b"\r\n"))  # the user's CRLF
    (project / "app" / "handler.py").chmod(0o700)
    return project


def run(project: Path, delay: float | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [str(DRGEN), "update", str(project), "--no-verify"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    if delay is not None:
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """The older project, and what a complete update makes of it."""
    root = tmp_path_factory.mktemp("interrupts")
    pristine = older_project(root)
    done = root / "done"
    shutil.copytree(pristine, done, symlinks=True)
    result = run(done, None)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()[:-1]] == [
        "update",
        "add",
        "delete",
    ]
    return pristine, snapshot(done)


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3, 0.6, 0.9, 1.2, 1.6])
def test_ctrl_c_at_any_moment_leaves_the_project_before_or_after_never_between(
    scenario: tuple[Path, dict[str, object]], tmp_path: Path, delay: float
) -> None:
    pristine, after = scenario
    project = tmp_path / "demo"
    shutil.copytree(pristine, project, symlinks=True)
    before = snapshot(project)
    result = run(project, delay)
    if result.returncode == 0:  # finished before the signal arrived
        assert snapshot(project) == after
        return
    in_startup = result.stderr.startswith("Fatal Python error: init_")
    if result.returncode == -signal.SIGINT or (result.returncode == 1 and in_startup):
        # Arrived before drgen's handler existed: while the interpreter started (no output, or
        # on a loaded machine Python's own fatal error while it initialises, exit 1), or while
        # pip's console script imported `re` or `drgen.console` (Python's own traceback of that
        # import). Either way no drgen command had started, so nothing was touched.
        assert delay < 0.3, f"killed by the signal {delay} s in: {result.stderr}"
        assert result.stdout == ""
        if result.stderr and not in_startup:
            assert result.stderr.splitlines()[-1] == "KeyboardInterrupt", result.stderr
            assert not re.search(r'console\.py", line \d+, in main', result.stderr), result.stderr
        assert snapshot(project) == before
        return
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("drgen: error: interrupted"), result.stderr
    assert snapshot(project) == before
