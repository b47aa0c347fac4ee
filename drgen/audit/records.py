"""Running programs in the isolated child, and what each run recorded (or why it failed)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drgen.audit import sandbox
from drgen.audit.program import AuditError, Program

#: The child's code, run by the program's interpreter as a directory (its `__main__.py`).
CHILD = Path(__file__).resolve().parent / "child"


@dataclass(frozen=True)
class Record:
    """What one run of a program sent to the (mock) engine."""

    resources: list[dict[str, Any]]
    invokes: list[dict[str, Any]]
    exports: dict[str, Any]
    isolation: sandbox.Isolation | None = None


def run_programs(
    programs: list[Program], timeout: float, pass_env: Sequence[str] = ()
) -> list[Record | AuditError]:
    """Run programs in one child process (one interpreter), each under fresh mocks.

    The child runs isolated (`sandbox.py`: no credentials, no network where the system allows)
    and is killed at the time limit; each program gets its record or its own error.
    """
    if not programs:
        return []
    python = programs[0].python
    with tempfile.TemporaryDirectory(prefix="drgen-audit-") as tmp:
        jobs, out = Path(tmp) / "jobs.json", Path(tmp) / "out.json"
        jobs.write_text(json.dumps([p.job() for p in programs]), encoding="utf-8")
        env, passed = sandbox.child_environment(Path(tmp) / "home", pass_env)
        prefix, network = sandbox.network_prefix()
        requested = tuple(sorted(set(passed) & set(pass_env)))
        isolation = sandbox.Isolation(passed, requested, network, network_cut=bool(prefix))
        outcome = sandbox.run_isolated(
            [python, str(CHILD), str(jobs), str(out)],
            cwd=Path(tmp), env=env, timeout=timeout, network=True,
        )  # fmt: skip
        if outcome.returncode is None:
            failure = f"did not finish within the time limit of {timeout:g} s (a loop or a hang?)"
        elif outcome.returncode != 0:
            failure = _child_failure(outcome.stderr)
        else:
            failure = "exited before it reported anything (os._exit or a killed interpreter?)"
        try:
            results = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else []
        except ValueError:
            results = []
    records: list[Record | AuditError] = []
    for index, program in enumerate(programs):
        if index < len(results):
            result = results[index]
            if "refused" in result:
                records.append(AuditError(f"{program.root}: cannot audit: {result['refused']}"))
            elif "error" in result:
                hint = _interpreter_hint(program, result)
                records.append(
                    AuditError(f"{program.root}: the program failed: {result['error']}{hint}")
                )
            else:
                records.append(
                    Record(result["resources"], result["invokes"], result["exports"], isolation)
                )
        else:
            records.append(AuditError(f"{program.root}: the program {failure}"))
    return records


#: Failures that usually mean the wrong interpreter: a module it lacks, syntax it predates.
INTERPRETER_FAILURES = ("ModuleNotFoundError", "ImportError", "SyntaxError")


def _unsupported_python(program: Program, version: str) -> str | None:
    """The project's `requires-python` when the interpreter's version does not meet it."""
    # packaging: a dependency of pytest, which drgen depends on
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    project = program.pyproject.get("project")
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(spec, str) or not version:
        return None
    try:
        return None if SpecifierSet(spec).contains(version) else spec
    except InvalidSpecifier:
        return None


def _interpreter_hint(program: Program, result: dict[str, Any]) -> str:
    """How to run the program with its own interpreter, when that is the likely cause."""
    how = (
        "point the audit at the project's interpreter with --python PATH or "
        "runtime.options.virtualenv in Pulumi.yaml"
    )
    required = _unsupported_python(program, str(result.get("python_full") or ""))
    if required is not None:
        return (
            f"; the project requires Python {required} (pyproject.toml), but it ran on "
            f"{program.python} (Python {result.get('python', '?')}): {how}"
        )
    if result.get("kind") not in INTERPRETER_FAILURES:
        return ""
    module = str(result.get("module") or "").split(".")[0]
    workdir = program.workdir or program.entry.parent
    sibling = module and any(
        (workdir / candidate).exists() for candidate in (f"{module}.py", module)
    )
    if sibling and program.run_path is not None and program.run_path.is_file():
        return (
            f"; {module} is next to {program.entry.name}, but Pulumi does not put a file main's "
            "directory on sys.path (pulumi/pulumi#7360): use "
            f"main: {workdir.relative_to(program.root).as_posix()}/ with a __main__.py there"
        )
    return f"; it ran on {program.python} (Python {result.get('python', '?')}): {how}"


def _child_failure(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "exited without a result"
    return f"could not run under mocks: {last[:300]}"
