"""Loading a Pulumi Python program: its entry, its stack config and its interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drgen.errors import DrgenError

#: Exit code when findings reach `--fail-on`.
EXIT_FINDINGS = 1
#: Exit code when the program cannot be run (its error, a time limit, a missing file).
EXIT_CANNOT_RUN = 2
#: What a `secure:` value becomes: the audit never has the passphrase or the KMS key.
SECRET_PLACEHOLDER = "drgen-audit-placeholder"  # noqa: S105 - replaces secrets
RUNNER = Path(__file__).resolve().parent / "runner.py"


class AuditError(DrgenError):
    """The program cannot be audited: not a Pulumi Python project, or it fails under mocks."""

    exit_code = EXIT_CANNOT_RUN


class FindingsError(DrgenError):
    """The audit found what `--fail-on` says must fail (exit 1)."""

    exit_code = EXIT_FINDINGS


@dataclass(frozen=True)
class Program:
    """One Pulumi Python program with the stack it is audited against."""

    root: Path
    project: str
    entry: Path
    stack: str
    stack_file: Path | None
    config: dict[str, str]
    secret_keys: list[str]
    python: str
    excluded: list[Path] = field(default_factory=list)
    pyproject: dict[str, Any] = field(default_factory=dict)

    @property
    def default_region(self) -> str | None:
        """The ambient `aws:region` that resources without a provider would land in."""
        return self.config.get("aws:region")

    def sources(self) -> list[Path]:
        """The program's own Python files (not its virtualenv or installed packages)."""
        return [
            path
            for path in sorted(self.root.rglob("*.py"))
            if not any(path.is_relative_to(ex) for ex in self.excluded)
            and "site-packages" not in path.parts
            and not any(part.startswith(".") for part in path.relative_to(self.root).parts)
        ]

    def job(self) -> dict[str, Any]:
        """What the child runner needs to run this program."""
        return {
            "program": str(self.root),
            "entry": str(self.entry),
            "project": self.project,
            "stack": self.stack,
            "config": self.config,
            "secret_keys": self.secret_keys,
            "default_region": self.default_region,
            "excluded": [str(p) for p in self.excluded],
        }


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise AuditError(f"cannot read {path}: {str(error).splitlines()[0]}") from None


def load_program(path: Path, stack: str | None = None) -> Program:
    """Read `Pulumi.yaml`, the entry, the stack config and the interpreter of a program."""
    root = path.resolve()
    manifest_path = root / "Pulumi.yaml"
    if not manifest_path.is_file():
        raise AuditError(f"{path} is not a Pulumi project: no Pulumi.yaml in it")
    manifest = _yaml(manifest_path)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("name"), str):
        raise AuditError(f"{manifest_path} has no project name (name: ...)")
    runtime = manifest.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise AuditError(
            f"{manifest_path}: runtime {runtime_name!r} is not supported; drgen audits python"
        )
    options = (runtime.get("options") or {}) if isinstance(runtime, dict) else {}
    entry = root / str(manifest.get("main") or ".")
    if entry.is_dir():
        entry = entry / "__main__.py"
    if not entry.is_file():
        raise AuditError(f"{path}: the program's entry {entry.relative_to(root)} does not exist")
    project = manifest["name"]
    stack_file = _stack_file(root, stack)
    stack_name = stack_file.name[len("Pulumi.") : -len(".yaml")] if stack_file else "dev"
    config, secret_keys = _stack_config(project, stack_file)
    excluded = []
    python = sys.executable
    virtualenv = options.get("virtualenv")
    if isinstance(virtualenv, str):
        venv = (root / virtualenv).resolve()
        excluded.append(venv)
        candidate = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if candidate.is_file():
            python = str(candidate)
    pyproject: dict[str, Any] = {}
    if (root / "pyproject.toml").is_file():
        try:
            pyproject = tomllib.loads((root / "pyproject.toml").read_text())
        except tomllib.TOMLDecodeError as error:
            raise AuditError(f"{root / 'pyproject.toml'} is not valid TOML: {error}") from None
    return Program(
        root=root,
        project=project,
        entry=entry,
        stack=stack_name,
        stack_file=stack_file,
        config=config,
        secret_keys=secret_keys,
        python=python,
        excluded=excluded,
        pyproject=pyproject,
    )


def _stack_file(root: Path, stack: str | None) -> Path | None:
    files = sorted(p for p in root.glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml")
    if stack is not None:
        wanted = root / f"Pulumi.{stack}.yaml"
        if not wanted.is_file():
            names = ", ".join(p.name[7:-5] for p in files) or "none"
            raise AuditError(f"no stack file Pulumi.{stack}.yaml in {root} (stacks: {names})")
        return wanted
    if len(files) > 1:
        names = ", ".join(p.name[7:-5] for p in files)
        raise AuditError(f"{root} has several stacks ({names}): choose one with --stack")
    return files[0] if files else None


def _stack_config(project: str, stack_file: Path | None) -> tuple[dict[str, str], list[str]]:
    """The `config:` map as the engine passes it: `ns:key` -> string; secrets replaced."""
    if stack_file is None:
        return {}, []
    data = _yaml(stack_file) or {}
    raw = data.get("config") or {} if isinstance(data, dict) else {}
    config: dict[str, str] = {}
    secrets: list[str] = []
    for key, value in raw.items():
        full = str(key) if ":" in str(key) else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full] = SECRET_PLACEHOLDER
            secrets.append(full)
        elif isinstance(value, str):
            config[full] = value
        else:
            config[full] = json.dumps(value)
    return config, secrets


@dataclass(frozen=True)
class Record:
    """What one run of a program sent to the (mock) engine."""

    resources: list[dict[str, Any]]
    invokes: list[dict[str, Any]]
    exports: dict[str, Any]


def run_programs(programs: list[Program], timeout: float) -> list[Record | AuditError]:
    """Run programs in one child process (one interpreter), each under fresh mocks.

    The child is killed at the time limit; each program gets its record or its own error.
    """
    if not programs:
        return []
    python = programs[0].python
    with tempfile.TemporaryDirectory(prefix="drgen-audit-") as tmp:
        jobs, out = Path(tmp) / "jobs.json", Path(tmp) / "out.json"
        jobs.write_text(json.dumps([p.job() for p in programs]))
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PULUMI_TEST_MODE="true")
        try:
            done = subprocess.run(  # noqa: S603 - our own runner, by absolute path
                [python, str(RUNNER), str(jobs), str(out)],
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=tmp,
                env=env,
                check=False,
            )
            failure = None if done.returncode == 0 else _child_failure(done.stderr)
        except subprocess.TimeoutExpired:
            failure = f"did not finish within the time limit of {timeout:g} s (a loop or a hang?)"
        results = json.loads(out.read_text()) if out.is_file() else []
    records: list[Record | AuditError] = []
    for index, program in enumerate(programs):
        if index < len(results):
            result = results[index]
            if "error" in result:
                records.append(AuditError(f"{program.root}: the program failed: {result['error']}"))
            else:
                records.append(Record(result["resources"], result["invokes"], result["exports"]))
        else:
            records.append(AuditError(f"{program.root}: the program {failure}"))
    return records


def _child_failure(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "exited without a result"
    return f"could not run under mocks: {last[:300]}"
