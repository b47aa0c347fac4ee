"""How the verifying child starts: one pytest run in a fresh interpreter, warmed first.

The child is `python -c "from drgen.verification.runner import main; main()"`: it imports
the generated suite's third-party modules, then waits for one request (working directory,
environment, pytest arguments) on stdin and runs pytest in-process, as `python -m pytest`
would in that directory (same `sys.path[0]`, same program name). `drgen new` starts it
before asking and rendering, so the imports overlap that work; `drgen verify` and `drgen
update` start it when they verify a project drgen generated. Either way pytest-cov starts
coverage only after the imports, so it does not trace them (with `source = ["."]` it never
measures them), and the heap they leave is frozen out of the garbage collector's walks: a
fifth less time than the same suite in a plain `python -m pytest`. A user's own `pytest`
imports them under coverage instead; that costs time, never changes what is measured.

Only built-in modules are imported here, and the packages above it (`drgen`,
`drgen.verification`) import nothing: this module is the child's entry point.
"""

from __future__ import annotations

import gc
import importlib
import io
import json
import os
import re
import runpy
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

#: What a generated project's suite imports before its own code (tests/harness.py,
#: tests/test_handler.py, the program): never a module of the project, which coverage measures.
SUITE_MODULES = (
    "yaml",
    "pulumi",
    "pulumi.runtime",
    "pulumi.runtime.mocks",
    "pulumi_aws",
    # every combination's program uses these; the others (ec2: 28 MB) only some, so they wait
    # for the project (see project_modules)
    "pulumi_aws.cloudwatch",
    "pulumi_aws.dynamodb",
    "pulumi_aws.iam",
    "pulumi_aws.lambda_",
    "pulumi_aws.s3",
    "pulumi_aws.secretsmanager",
    "pulumi_aws.sns",
    "pulumi_random",
    "boto3",
    "botocore",
    "moto",
    # the backends moto loads on the handler tests' first calls
    "moto.core.models",
    "moto.dynamodb.responses",
    "moto.s3.responses",
    "moto.secretsmanager.responses",
    "moto.iam.models",
    "moto.sts.models",
    "moto.cloudwatch.models",
    "moto.events.models",
    "pytest",
    "pytest_cov",
)

CHILD_CODE = "from drgen.verification.runner import main; main()"

#: Names the file drgen/verification/progress_plugin.py appends its events to (here, not
#: there: drgen itself must not import pytest, 12 MB it would hold while the child runs).
PROGRESS_ENV_VAR = "DRGEN_PROGRESS_FILE"

#: Warnings the preloaded imports raised, replayed inside pytest's filters
#: (drgen/verification/replay.py).
preload_warnings: list[warnings.WarningMessage] = []


class Child:
    """A started child interpreter waiting for its one pytest run."""

    def __init__(self, preload: Sequence[str] = ()) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed code
            [sys.executable, "-c", CHILD_CODE, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # bytecode stays out of the project; fixed at the interpreter's start
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            encoding="utf-8",
            errors="replace",
        )

    def run(
        self,
        cwd: str,
        args: Sequence[str],
        env: dict[str, str],
        output: Path,
        timeout: float | None = None,
    ) -> int:
        """Run pytest with `args` in `cwd` under exactly `env`; its exit code.

        pytest's output goes to `output` as it is written (the caller may follow the file);
        whatever the child printed outside the run (before it, or a crash) is appended. Past
        `timeout` seconds the child is killed and `subprocess.TimeoutExpired` raised.
        """
        output.touch()
        request = json.dumps({"cwd": cwd, "args": list(args), "env": env, "output": str(output)})
        try:
            stdout, stderr = self.process.communicate(request + "\n", timeout=timeout)
        except BaseException:
            self.close()
            raise
        if stdout or stderr:
            with output.open("a", encoding="utf-8") as log:
                log.write(stdout + stderr)
        return self.process.returncode

    def close(self) -> None:
        """End the child if it still runs (unused, or its caller was interrupted)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


_warm: Child | None = None


def prestart(modules: Sequence[str] = SUITE_MODULES) -> None:
    """Start the next verification's child now, importing `modules` meanwhile."""
    global _warm
    discard()
    _warm = Child(modules)


def discard() -> None:
    """End a started child nobody used (the render failed, or nothing was verified)."""
    global _warm
    if _warm is not None:
        _warm.close()
        _warm = None


def run_pytest(
    cwd: str,
    args: Sequence[str],
    env: dict[str, str],
    *,
    output: Path,
    preload: Sequence[str],
    timeout: float | None = None,
) -> int:
    """One pytest run in a child: the one `prestart` started, or a new one importing `preload`.

    Its exit code; pytest's output is written to `output` while it runs.
    """
    global _warm
    child, _warm = _warm or Child(preload), None
    return child.run(cwd, args, env, output, timeout)


def project_modules(project: Path) -> list[str]:
    """The pulumi_aws submodules a drgen project's program names.

    `aws.ec2.Vpc(...)` or `EC2 = aws.ec2`; a name that is no module is skipped by the preload.
    """
    names: set[str] = set()
    for path in sorted((project / "infra").glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        names.update(re.findall(r"\baws\.([a-z][a-z0-9_]*)\b(?!\s*\()", text))
    return [f"pulumi_aws.{name}" for name in sorted(names)]


def preload_modules(names: Sequence[str]) -> None:
    """Import each module, recording its warnings; one that fails is left to the suite."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in names:
            try:
                # an attribute loads a lazily imported module (pulumi_aws's submodules are)
                hasattr(importlib.import_module(name), "__all__")
            except Exception:  # noqa: S112 - a speed-up only: the suite meets it, if it needs it
                continue
    preload_warnings.extend(caught)


def main() -> None:
    """The child: import the preload modules, wait for the request, run pytest as asked."""
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # the parent's working directory; the project's takes its place
    preload_modules(sys.argv[1:])
    line = sys.stdin.readline()
    if not line:
        return  # the parent needed no verification after all
    request = json.loads(line)
    if sys.argv[1:]:  # a warmed child: the rest of what this project's program imports
        preload_modules(project_modules(Path(request["cwd"])))
        # the collector need not walk the imported modules' objects again at every full
        # collection (the suite's run: about a sixth of its CPU time)
        gc.freeze()
    # pytest's output to the file the parent follows, line by line as it is written
    log = os.open(request["output"], os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(line_buffering=True)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.path.insert(0, request["cwd"])
    replay = ["-p", "drgen.verification.replay"] if preload_warnings else []
    sys.argv = ["pytest", *replay, *request["args"]]
    # as `python -m pytest` does; raises SystemExit with pytest's exit code
    runpy.run_module("pytest", run_name="__main__", alter_sys=True)
