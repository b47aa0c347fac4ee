"""Loading a Pulumi Python program: its entry, its stack config and its interpreter."""

from __future__ import annotations

import json
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drgen.errors import DrgenError
from drgen.files import ALIAS_REFUSED, InputError, compose_yaml, load_yaml, read_text
from drgen.text import yaml_type

#: Exit code when findings reach `--fail-on`.
EXIT_FINDINGS = 1
#: Exit code when the program cannot be run (its error, a time limit, a missing file).
EXIT_CANNOT_RUN = 2
#: What a `secure:` value becomes: the audit never has the passphrase or the KMS key.
SECRET_PLACEHOLDER = "drgen-audit-placeholder"  # noqa: S105 - replaces secrets


class AuditError(DrgenError):
    """The program cannot be audited: not a Pulumi Python project, or it fails under mocks."""

    exit_code = EXIT_CANNOT_RUN


class FindingsError(DrgenError):
    """The audit found what `--fail-on` says must fail (exit 1)."""

    exit_code = EXIT_FINDINGS


#: The keys of a declaration in `Pulumi.yaml`'s `config:` (anything else is an object value).
DECLARATION_KEYS = frozenset({"type", "description", "secret", "default", "value", "items"})


@dataclass(frozen=True)
class ConfigOrigin:
    """Where a config value was set: the file (relative to the project) and its line."""

    file: str
    line: int


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
    #: Where Pulumi runs the program (the `main:` directory, or a file main's directory).
    workdir: Path | None = None
    #: What Pulumi hands `runpy.run_path`: the `main:` directory, or the file main.
    run_path: Path | None = None
    #: Where each config value came from (the stack file or `Pulumi.yaml`).
    config_origins: dict[str, ConfigOrigin] = field(default_factory=dict)
    #: What the reader must know about how the program was run.
    notes: list[str] = field(default_factory=list)

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
        """What the child (`drgen/audit/child`) needs to run this program."""
        return {
            "program": str(self.root),
            "run": str(self.run_path or self.entry.parent),
            "workdir": str(self.workdir or self.entry.parent),
            "project": self.project,
            "stack": self.stack,
            "config": self.config,
            "secret_keys": self.secret_keys,
            "default_region": self.default_region,
            "excluded": [str(p) for p in self.excluded],
        }


def _text(path: Path) -> str:
    """The file as UTF-8 (whatever the locale), or one line naming it and why not."""
    try:
        return read_text(path)
    except OSError as error:
        raise AuditError(f"cannot read {path}: {error.strerror}") from None
    except InputError as error:
        raise AuditError(f"cannot read {path}: it {error}") from None


def _yaml(path: Path) -> Any:
    """The file's YAML, bounded and without aliases (a YAML bomb is refused, not expanded)."""
    text = _text(path)
    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        if getattr(error, "problem", None) == ALIAS_REFUSED:
            mark = getattr(error, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise AuditError(
                f"cannot read {path}: it uses a YAML alias{at}; YAML aliases are not "
                "accepted: write the value out"
            ) from None
        raise AuditError(f"cannot read {path}: {str(error).splitlines()[0]}") from None


def load_program(path: Path, stack: str | None = None, python: str | None = None) -> Program:
    """Read `Pulumi.yaml`, the entry, the config (project and stack) and the interpreter.

    Project file keys (https://www.pulumi.com/docs/iac/concepts/projects/project-file/):
    `main` (a directory or a file, relative to Pulumi.yaml), `stackConfigDir` (where the
    stack files live) and `config` (project-level config, Pulumi 3.44+: defaults for every
    stack, which the stack file overrides).
    """
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
        given = repr(runtime_name) if isinstance(runtime_name, str) else yaml_type(runtime_name)
        raise AuditError(f"{manifest_path}: runtime {given} is not supported; drgen audits python")
    options = (runtime.get("options") or {}) if isinstance(runtime, dict) else {}
    main = _main(root, manifest_path, manifest.get("main"))
    entry, workdir, run_path = (
        (main / "__main__.py", main, main) if main.is_dir() else (main, main.parent, main)
    )
    _inside(root, manifest_path, manifest.get("main"), entry)
    if not entry.is_file():
        raise AuditError(f"{path}: the program's entry {entry.relative_to(root)} does not exist")
    project = manifest["name"]
    config_dir = _config_dir(root, manifest_path, manifest.get("stackConfigDir"))
    stack_file = _stack_file(config_dir, stack)
    stack_name = stack_file.name[len("Pulumi.") : -len(".yaml")] if stack_file else "dev"
    config, secret_keys, origins = _project_config(project, manifest_path)
    stack_config, stack_secrets, stack_origins = _stack_config(project, stack_file, root)
    config.update(stack_config)
    origins.update(stack_origins)
    secret_keys = sorted((set(secret_keys) - set(stack_config)) | set(stack_secrets))
    excluded = []
    notes = []
    interpreter = sys.executable
    virtualenv = options.get("virtualenv")
    if isinstance(virtualenv, str):
        venv = (root / virtualenv).resolve()
        excluded.append(venv)
        candidate = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if candidate.is_file():
            interpreter = str(candidate)
        elif python is None:
            notes.append(
                f"Pulumi.yaml declares the virtualenv {virtualenv}, but {candidate} does not "
                f"exist: ran with drgen's own Python {sys.version_info[0]}.{sys.version_info[1]} "
                "(create the virtualenv, or pass --python)"
            )
    if python is not None:
        chosen = Path(python).expanduser()
        if not chosen.is_file() or not os.access(chosen, os.X_OK):
            raise AuditError(f"--python {python}: no such interpreter (expected an executable)")
        interpreter = str(chosen.absolute())
    pyproject: dict[str, Any] = {}
    if (root / "pyproject.toml").is_file():
        try:
            pyproject = tomllib.loads(_text(root / "pyproject.toml"))
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
        python=interpreter,
        excluded=excluded,
        pyproject=pyproject,
        workdir=workdir,
        run_path=run_path,
        config_origins=origins,
        notes=notes,
    )


#: What `main:` may be, in each refusal.
MAIN_ACCEPTED = "accepted: a path inside the project directory, relative to Pulumi.yaml"


def _main(root: Path, manifest_path: Path, value: Any) -> Path:
    """The `main:` directory or file, which must be the project's own code.

    Pulumi reads `main` relative to Pulumi.yaml
    (https://www.pulumi.com/docs/iac/concepts/projects/project-file/); an absolute path,
    a `..` or a symbolic link leading out would have the audit run, and judge, a program
    that is not the project's.
    """
    if value is None or value == "":
        return root
    if not isinstance(value, str):
        raise AuditError(
            f"{manifest_path}: main: expected a path (a string), got {yaml_type(value)}; "
            f"{MAIN_ACCEPTED}"
        )
    if Path(value).is_absolute():
        raise AuditError(
            f"{manifest_path}: main {str(value)!r} is an absolute path; {MAIN_ACCEPTED}"
        )
    main = root / str(value)
    _inside(root, manifest_path, value, main)
    return main


def _inside(root: Path, manifest_path: Path, value: Any, path: Path) -> None:
    """Refuse `path` (main, or its `__main__.py`) when it resolves outside the project."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        lexical = Path(os.path.normpath(path))
        link = (
            f" ({lexical.relative_to(root)} resolves, through a symbolic link, to {resolved})"
            if lexical.is_relative_to(root)
            else ""
        )
        raise AuditError(
            f"{manifest_path}: main {str(value or '.')!r} leads outside the project{link}; "
            f"{MAIN_ACCEPTED}"
        )


def _config_dir(root: Path, manifest_path: Path, value: Any) -> Path:
    """`stackConfigDir`, which must be inside the project as `main:` must be.

    A stack file elsewhere is not the project's: its config would be audited in silence.
    """
    if not value:
        return root
    config_dir = root / str(value)
    if not config_dir.resolve().is_relative_to(root):
        raise AuditError(
            f"{manifest_path}: stackConfigDir {str(value)!r} leads outside the project; "
            "accepted: a directory inside the project directory, relative to Pulumi.yaml"
        )
    return config_dir


def _stack_file(config_dir: Path, stack: str | None) -> Path | None:
    files = sorted(p for p in config_dir.glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml")
    if stack is not None:
        wanted = config_dir / f"Pulumi.{stack}.yaml"
        if not wanted.is_file():
            names = ", ".join(p.name[7:-5] for p in files) or "none"
            raise AuditError(f"no stack file Pulumi.{stack}.yaml in {config_dir} (stacks: {names})")
        return wanted
    if len(files) > 1:
        names = ", ".join(p.name[7:-5] for p in files)
        raise AuditError(f"{config_dir} has several stacks ({names}): choose one with --stack")
    return files[0] if files else None


def _config_lines(path: Path) -> dict[str, int]:
    """The line of each key directly under the file's top-level `config:` map."""
    try:
        node = compose_yaml(read_text(path))
    except (OSError, InputError, yaml.YAMLError):
        return {}
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "config" and isinstance(value, yaml.MappingNode):
                for item, _ in value.value:
                    lines[str(item.value)] = item.start_mark.line + 1
    return lines


def _as_config(value: Any) -> str:
    """A config value as the engine passes it: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _full_key(project: str, key: Any) -> str:
    return str(key) if ":" in str(key) else f"{project}:{key}"


def _project_config(
    project: str, manifest_path: Path
) -> tuple[dict[str, str], list[str], dict[str, ConfigOrigin]]:
    """`config:` of Pulumi.yaml: a plain value, or a declaration with `value:` or `default:`."""
    manifest = _yaml(manifest_path)
    raw = manifest.get("config") or {}
    if not isinstance(raw, dict):
        raise AuditError(f"{manifest_path}: config must be a map of keys to values")
    lines = _config_lines(manifest_path)
    config: dict[str, str] = {}
    secrets: list[str] = []
    origins: dict[str, ConfigOrigin] = {}
    for key, value in raw.items():
        full = _full_key(project, key)
        if isinstance(value, dict) and value and set(value) <= DECLARATION_KEYS:
            chosen = value.get("value", value.get("default"))
            if chosen is None:
                continue  # declared only: the stack must set it
            if value.get("secret") is True:
                secrets.append(full)
            value = chosen
        config[full] = _as_config(value)
        origins[full] = ConfigOrigin("Pulumi.yaml", lines.get(str(key), 1))
    return config, secrets, origins


def _stack_config(
    project: str, stack_file: Path | None, root: Path
) -> tuple[dict[str, str], list[str], dict[str, ConfigOrigin]]:
    """The stack's `config:` map as the engine passes it: `ns:key` -> string; secrets replaced."""
    if stack_file is None:
        return {}, [], {}
    data = _yaml(stack_file) or {}
    raw = data.get("config") or {} if isinstance(data, dict) else {}
    lines = _config_lines(stack_file)
    name = (
        stack_file.relative_to(root).as_posix()
        if stack_file.is_relative_to(root)
        else stack_file.name
    )
    config: dict[str, str] = {}
    secrets: list[str] = []
    origins: dict[str, ConfigOrigin] = {}
    for key, value in raw.items():
        full = _full_key(project, key)
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full] = SECRET_PLACEHOLDER
            secrets.append(full)
        else:
            config[full] = _as_config(value)
        origins[full] = ConfigOrigin(name, lines.get(str(key), 1))
    return config, secrets, origins
