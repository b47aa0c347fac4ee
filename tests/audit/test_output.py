"""What the audited program prints costs drgen a bounded amount: the end of its stderr, in
memory, and nothing on disk, however much it prints (`drgen/audit/sandbox.py`)."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from drgen.audit import sandbox
from tests.audit.test_trust import program

#: 50 MB on stderr, then what its fd 2 is (a file on disk, and how large, or a pipe), then
#: the last line, the one a crash's message is taken from.
FLOOD = """
import json, os, stat, sys
for _ in range(50):
    os.write(2, b"x" * 1024 * 1024)
held = os.fstat(2)
on_disk = held.st_size if stat.S_ISREG(held.st_mode) else 0
open(sys.argv[1], "w").write(json.dumps({"on_disk": on_disk}))
os.write(2, b"\\nRuntimeError: the real cause\\n")
os._exit(3)
"""
#: What drgen may keep of the output on disk: nothing near the 50 MB printed.
DISK_CAP = 4 * 1024 * 1024


@pytest.mark.integration
def test_a_flood_on_stderr_keeps_only_its_end_in_memory_and_nothing_on_disk(
    tmp_path: Path,
) -> None:
    seen = tmp_path / "seen.json"
    outcome = sandbox.run_isolated(
        [sys.executable, "-c", FLOOD, str(seen)],
        cwd=tmp_path, env=dict(os.environ), timeout=120, network=False,
    )  # fmt: skip
    assert outcome.returncode == 3
    assert len(outcome.stderr.encode()) <= sandbox.OUTPUT_TAIL_BYTES
    assert outcome.stderr.endswith("x\nRuntimeError: the real cause\n")
    on_disk = json.loads(seen.read_text())["on_disk"]
    assert on_disk <= DISK_CAP, f"{on_disk} bytes of the program's output were kept on disk"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("ending", "message"),
    [
        (
            "os.write(2, b'\\nRuntimeError: the real cause\\n')\nos._exit(3)\n",
            "the program could not run under mocks: RuntimeError: the real cause",
        ),
        ("raise ValueError('the end')\n", "the program failed: ValueError: the end"),
    ],
    ids=["dies", "raises"],
)
def test_a_program_that_prints_50_mb_then_fails_is_one_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, ending: str, message: str
) -> None:
    body = "import os\nfor _ in range(50):\n    os.write(2, b'x' * 1024 * 1024)\n" + ending
    project = program(tmp_path, textwrap.dedent(body))
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert message in line and len(line) < 1000, line
