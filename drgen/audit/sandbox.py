"""The audited program is code drgen runs: what it gets to see, and what it cannot reach.

`drgen audit` runs a program someone else may have written (a pull request, a vendor's stack)
as `pulumi preview` would. The mocks need no credentials and no network, so the child gets
neither: an allow-listed environment (no cloud, Pulumi, Git host or CI tokens), a temporary
HOME and empty AWS config and credential files (no profile to fall back to), no stdin, and on
Linux a network namespace of its own with no interface but a downed loopback, when the system
allows unprivileged ones. Its whole process group is ended when it finishes or times out, and
only the end of what it prints is kept, in memory (`OUTPUT_TAIL_BYTES`; nothing of it is
written to disk). The file system is not isolated.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import shutil
import signal
import site
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Variables passed through by name: what Python, locale and the temporary directory need.
KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT", "VIRTUAL_ENV")
#: ... and by prefix: the interpreter's own settings and the locale categories.
KEPT_PREFIXES = ("PYTHON", "LC_")
#: What is kept of the child's output for its error message: the end, where the cause is.
OUTPUT_TAIL_BYTES = 64 * 1024
#: How much of the child's output one read takes.
READ_BYTES = 64 * 1024
#: At most this many reads once the child has ended (a process that left its group may
#: still hold the pipe and print).
DRAIN_READS = 16


@dataclass(frozen=True)
class Isolation:
    """How the program ran, for the reports: what it saw and what was cut off."""

    passed: tuple[str, ...]
    requested: tuple[str, ...]
    network: str
    network_cut: bool

    def as_dict(self) -> dict[str, object]:
        """For the JSON and SARIF reports."""
        return {
            "environment": "allow-listed",
            "passed_variables": list(self.passed),
            "passed_by_request": list(self.requested),
            "home": "temporary, empty",
            "aws_config_files": "empty",
            "network": self.network,
            "network_cut": self.network_cut,
            "file_system": "not isolated",
        }


def child_environment(
    home: Path, pass_env: Sequence[str], source: Mapping[str, str] | None = None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The child's whole environment, and the names of the variables taken from drgen's."""
    source = os.environ if source is None else source
    requested = set(pass_env)
    names = sorted(
        name
        for name in source
        if name in KEPT or name.startswith(KEPT_PREFIXES) or name in requested
    )
    env = {name: source[name] for name in names}
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    empty = home / ".aws" / "empty"
    empty.write_text("", encoding="utf-8")
    # a drgen installed with `pip install --user` keeps its packages under the real HOME
    env.setdefault("PYTHONUSERBASE", site.getuserbase())
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONDONTWRITEBYTECODE="1",
        PULUMI_TEST_MODE="true",
    )
    return env, tuple(names)


@functools.cache
def network_prefix() -> tuple[tuple[str, ...], str]:
    """The command that runs a program without network here, and what it achieves."""
    if sys.platform != "linux":
        return (), f"not cut: no network namespaces on {sys.platform}"
    unshare = shutil.which("unshare")
    if unshare is None:
        return (), "not cut: util-linux's unshare is not installed"
    for prefix in ((unshare, "--net"), (unshare, "--net", "--map-root-user")):
        try:
            probe = subprocess.run(  # noqa: S603 - util-linux's unshare, fixed arguments
                [*prefix, "--", sys.executable, "-c", ""],
                capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return (*prefix, "--"), "cut: a network namespace of its own (unshare --net)"
    return (), "not cut: this system refuses unprivileged network namespaces"


@dataclass(frozen=True)
class Outcome:
    """How the child ended: its exit code (None: stopped at the time limit), its output's end."""

    returncode: int | None
    stderr: str


def run_isolated(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, network: bool
) -> Outcome:
    """Run `argv` with no stdin, in its own process group, ended whole at exit or time limit."""
    prefix = network_prefix()[0] if network else ()
    # what it prints is not needed (its result comes back in a file): stdout is dropped, and
    # stderr, where a crash says why, is read through a pipe of which only the end is kept
    # in memory: nothing reaches the disk, however much the program prints
    process = subprocess.Popen(  # noqa: S603 - drgen's audit child, by absolute path
        [*prefix, *argv],
        cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert process.stderr is not None
    tail = bytearray()
    try:
        returncode = _wait_reading(process, process.stderr.fileno(), tail, timeout)
    finally:
        _end_group(process)
        _drain(process.stderr.fileno(), tail)
        process.stderr.close()
    return Outcome(returncode, tail.decode("utf-8", errors="replace"))


def _keep(tail: bytearray, chunk: bytes) -> None:
    """Add `chunk` to `tail`, dropping its start past `OUTPUT_TAIL_BYTES`."""
    tail += chunk
    if len(tail) > OUTPUT_TAIL_BYTES:
        del tail[: len(tail) - OUTPUT_TAIL_BYTES]


def _wait_reading(
    process: subprocess.Popen[bytes], fd: int, tail: bytearray, timeout: float
) -> int | None:
    """The child's exit code (None at the time limit), keeping the end of what it prints."""
    deadline = time.monotonic() + timeout
    reading = True
    while (remaining := deadline - time.monotonic()) > 0:
        if not reading:  # every writer closed the pipe: only the exit is left to wait for
            with contextlib.suppress(subprocess.TimeoutExpired):
                return process.wait(timeout=min(remaining, 0.1))
            continue
        if select.select([fd], [], [], min(remaining, 0.1))[0]:
            chunk = os.read(fd, READ_BYTES)
            if chunk:
                _keep(tail, chunk)
            else:
                reading = False
        if (returncode := process.poll()) is not None:
            return returncode
    return None


def _drain(fd: int, tail: bytearray) -> None:
    """What is left in the pipe once the group is ended (a few reads: a pipe holds 64 KB)."""
    for _ in range(DRAIN_READS):
        if not select.select([fd], [], [], 0)[0]:
            return
        chunk = os.read(fd, READ_BYTES)
        if not chunk:
            return
        _keep(tail, chunk)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's process group: the child, and whatever it started and left behind."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
