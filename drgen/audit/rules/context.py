"""The record as the rules read it: resources by type and handle, dependencies, sources."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from functools import cached_property
from typing import Any

from drgen.audit.program import Program
from drgen.audit.records import Record
from drgen.audit.rules.values import parse_json, plain, strings

#: Config keys taken as the environment suffix, compared lower-case without `_` and `-`.
SUFFIX_KEYS = frozenset(
    {
        "envsuffix",
        "environmentsuffix",
        "env",
        "environment",
        "envname",
        "environmentname",
        "stage",
        "stagename",
        "suffix",
        "namesuffix",
        "resourcesuffix",
        "deployment",
        "deploymentenv",
    }
)
SUFFIX_KEY_RE = re.compile(r"[-_]")
#: Provider settings that decide which account and endpoints a call reaches (not the region).
IDENTITY_KEYS = (
    "accessKey",
    "secretKey",
    "token",
    "profile",
    "sharedCredentialsFiles",
    "sharedConfigFiles",
    "assumeRole",
    "assumeRoles",
    "assumeRoleWithWebIdentity",
    "endpoints",
)


class Context:
    """A run's record with the lookups the rules share."""

    def __init__(self, program: Program, record: Record) -> None:
        self.program = program
        self.record = record
        self.resources = [r for r in record.resources if not r["type"].startswith("pulumi:")]

    def of(self, *types: str) -> list[dict[str, Any]]:
        """The resources of these types."""
        return [r for r in self.resources if r["type"] in types]

    @cached_property
    def by_urn(self) -> dict[str, dict[str, Any]]:
        """Every registered resource, providers included, by URN."""
        return {r["urn"]: r for r in self.record.resources}

    @cached_property
    def handles(self) -> dict[str, list[dict[str, Any]]]:
        """Resources by every string that refers to them: id, ARN, physical name."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.resources:
            out = r.get("outputs") or {}
            for key in ("id", "arn", "name", "bucket"):
                value = plain(out.get(key))
                if isinstance(value, str) and value and r not in found[value]:
                    found[value].append(r)
        return found

    def refers(self, value: Any, *types: str) -> list[dict[str, Any]]:
        """The resources of these types that a recorded value names."""
        return [
            r
            for s in strings(value)
            for r in self.handles.get(s, [])
            if not types or r["type"] in types
        ]

    def refers_back(self, target: dict[str, Any], types: tuple[str, ...]) -> list[dict[str, Any]]:
        """Resources of these types whose bucket or function input names the target."""
        handles = {plain(target["outputs"].get(k)) for k in ("id", "arn", "name", "bucket")}
        handles.discard(None)
        return [
            r
            for r in self.of(*types)
            if any(plain(r["inputs"].get(k)) in handles for k in ("bucket", "function"))
        ]

    def one(self, value: Any, *types: str) -> dict[str, Any] | None:
        """The first resource of these types that a value names."""
        found = self.refers(value, *types)
        return found[0] if found else None

    @cached_property
    def closure(self) -> dict[str, set[str]]:
        """Every URN each resource waits for, directly or through others."""
        memo: dict[str, set[str]] = {}

        def deps(urn: str, seen: frozenset[str]) -> set[str]:
            if urn in memo:
                return memo[urn]
            resource = self.by_urn.get(urn)
            direct = set(resource["dependencies"]) if resource else set()
            for values in (resource or {}).get("property_dependencies", {}).values():
                direct |= set(values)
            total = set(direct)
            for dep in direct - seen:
                total |= deps(dep, seen | {urn})
            memo[urn] = total
            return total

        return {urn: deps(urn, frozenset()) for urn in self.by_urn}

    def waits_for(self, resource: dict[str, Any], other: dict[str, Any]) -> bool:
        """Whether the engine creates `other` before `resource`."""
        return other["urn"] in self.closure.get(resource["urn"], set())

    @cached_property
    def program_trees(self) -> list[tuple[str, ast.AST]]:
        """The syntax tree of each of the program's own Python files, tests left out."""
        found: list[tuple[str, ast.AST]] = []
        for path in self.program.sources():
            rel = path.relative_to(self.program.root)
            if "tests" in rel.parts or rel.name.startswith("test") or rel.name == "conftest.py":
                continue
            try:
                found.append((rel.as_posix(), ast.parse(path.read_bytes())))
            except SyntaxError:
                continue
        return found

    @cached_property
    def source_literals(self) -> set[str]:
        """Every string literal in the program's own Python files (tests left out)."""
        return {
            node.value
            for _, tree in self.program_trees
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }

    @cached_property
    def regions(self) -> list[str]:
        """The regions the AWS resources land in."""
        return sorted(
            {r["region"] for r in self.resources if r["type"].startswith("aws:") and r["region"]}
        )

    @cached_property
    def env_suffixes(self) -> dict[str, str]:
        """What names must carry, each with where it came from: the stack name, config keys."""
        found = {self.program.stack.lower(): "the stack name"}
        for key, value in self.program.config.items():
            short = key.split(":", 1)[-1]
            if SUFFIX_KEY_RE.sub("", short.lower()) in SUFFIX_KEYS and value.strip():
                found.setdefault(value.strip().lower(), f"config {short}")
        return found

    @cached_property
    def identity_differs(self) -> list[str]:
        """Explicit providers whose credentials or endpoints are not the default provider's.

        Global services (IAM, Route 53, CloudFront) and region-independent lookups reached
        through the default provider only go wrong when those settings differ.
        """
        default = {k: _identity_value(self.program.config.get(f"aws:{k}")) for k in IDENTITY_KEYS}
        return [
            p["name"]
            for p in self.record.resources
            if p["type"] == "pulumi:providers:aws"
            and {k: _identity_value(p["inputs"].get(k)) for k in IDENTITY_KEYS} != default
        ]


def _identity_value(value: Any) -> Any:
    """A provider setting compared across providers: JSON text parsed, empty as absent."""
    value = plain(value)
    if isinstance(value, str):
        parsed = parse_json(value)
        value = parsed if parsed is not None and not isinstance(parsed, str) else value
    return value or None
