"""R6: Secret in code or plain-text config."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.values import SECRET_TAG, parse_json

SECRET_KEY_RE = re.compile(
    r"(password|passwd|secret|token|api_?key|private_?key|access_?key|credential)", re.I
)
NOT_SECRET_RE = re.compile(
    r"(id|arn|name|names|ids|arns|type|version|stage|length|files?|paths?|validation)$", re.I
)
#: Config getters whose `or "..."` fallback (or default) is a secret written in the source.
SECRET_GETTERS = ("get_secret", "require_secret", "get_secret_object")


@rule(
    "R6",
    "error",
    "Secret in code or plain-text config",
    fix=(
        "Read it with pulumi.Config().require_secret(...) (set with `pulumi config set "
        "--secret`) or generate it (random.RandomPassword); keep it a Pulumi secret."
    ),
    scope=(
        "Inputs of every resource and provider under secret-looking keys, secret values (and "
        "their JSON fields) that are literals in the program's own files (tests left out), "
        "literal fallbacks (get_secret(...) or '...', defaults, Output.secret('...')) read "
        "from the source, and plain-text stack config."
    ),
    blind_spots=(
        "A secret built from several literals, or read from a file or environment variable at "
        "run time, is not recognised; keys with unusual names are not treated as secrets."
    ),
    url="https://www.pulumi.com/docs/concepts/secrets/",
)
def secrets_in_code(ctx: Context) -> Iterator[Hit]:
    """Secret-looking inputs must be Pulumi secrets, and never literals in the source."""
    literals = ctx.source_literals
    fallbacks: set[str] = set()
    for path, tree in ctx.program_trees:
        for value, line, message in _fallback_literals(tree):
            fallbacks.add(value)
            yield Hit(message, file=path, line=line)
    providers = [r for r in ctx.record.resources if r["type"] == "pulumi:providers:aws"]
    for r in providers + ctx.resources:
        for path in _secret_literals(r["inputs"], ""):
            yield Hit(f"{path} is a plain-text value, not a Pulumi secret", r)
        written = [
            path
            for path, value in _secret_values(r["inputs"], "")
            if value in literals and value not in fallbacks
        ]
        if written:
            yield Hit(
                f"the secret {written[0]} is written in the program's source"
                + (" (a provider credential)" if r in providers else ""),
                r,
            )
    for key, value in ctx.program.config.items():
        short = key.split(":", 1)[-1]
        origin = ctx.program.config_origins.get(key)
        if origin is None or not value:
            continue
        in_project = origin.file == "Pulumi.yaml"
        # a `secret: true` declaration in Pulumi.yaml does not hide its default from git
        if key in ctx.program.secret_keys and not in_project:
            continue
        if _secret_key(short):
            yield Hit(
                f"project config {key} has a plain-text default in Pulumi.yaml, shared by "
                "every stack: remove it and set it per stack with `pulumi config set --secret`"
                if in_project
                else f"stack config {key} is plain text: set it with `pulumi config set --secret`",
                file=origin.file,
                line=origin.line,
            )


def _secret_key(leaf: str) -> bool:
    return bool(SECRET_KEY_RE.search(leaf)) and not NOT_SECRET_RE.search(leaf)


def _secret_literals(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {SECRET_TAG}:
            return
        for key, item in value.items():
            if key in ("tags", "tagsAll", "defaultTags"):
                continue
            yield from _secret_literals(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secret_literals(item, f"{path}[{index}]")
    elif (
        isinstance(value, str)
        and value.lower() not in ("", "true", "false")
        and _secret_key(re.split(r"[.\[]", path)[-1])
    ):
        yield path


def _secret_values(value: Any, path: str, secret: bool = False) -> Iterator[tuple[str, str]]:
    """(path, value) of every string inside a Pulumi secret, and of secret-named JSON fields.

    A secret string that is a JSON document (`json.dumps({"password": ...})`) is opened: its
    secret-named fields are judged like the secret itself.
    """
    if isinstance(value, dict):
        if set(value) == {SECRET_TAG}:
            yield from _secret_values(value[SECRET_TAG], path, True)
            return
        for key, item in value.items():
            yield from _secret_values(item, f"{path}.{key}" if path else key, secret)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secret_values(item, f"{path}[{index}]", secret)
    elif isinstance(value, str) and value and secret:
        document = parse_json(value)
        if isinstance(document, dict | list):
            for inner, text in _json_fields(document, path):
                if _secret_key(re.split(r"[.\[]", inner)[-1]):
                    yield inner, text
        else:
            yield path, value


def _json_fields(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_fields(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_fields(item, f"{path}[{index}]")
    elif isinstance(value, str) and value:
        yield path, value


def _fallback_literals(tree: ast.AST) -> Iterator[tuple[str, int, str]]:
    """Secret literals as fallbacks: `get_secret(...) or "x"`, defaults, `Output.secret("x")`."""

    def literal(node: ast.AST | None) -> ast.Constant | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
            return node
        return None

    def secret_read(node: ast.AST) -> str | None:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        key = literal(node.args[0]) if node.args else None
        if node.func.attr in SECRET_GETTERS:
            return node.func.attr
        if node.func.attr in ("get", "require") and key and _secret_key(str(key.value)):
            return f"{node.func.attr}({key.value!r})"
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for left, right in zip(node.values, node.values[1:], strict=False):
                read, fallback = secret_read(left), literal(right)
                if read and fallback:
                    yield (
                        str(fallback.value),
                        fallback.lineno,
                        f"the fallback of {read} is a literal: a secret in the source",
                    )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            read = secret_read(node)
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
            second = node.args[1] if len(node.args) > 1 else None
            if read and (found := literal(default) or literal(second)):
                yield (
                    str(found.value),
                    found.lineno,
                    f"the default of {read} is a literal: a secret in the source",
                )
            elif (
                node.func.attr == "secret"
                and "Output" in ast.unparse(node.func.value)
                and (found := literal(node.args[0] if node.args else None))
            ):
                yield (
                    str(found.value),
                    found.lineno,
                    "Output.secret() wraps a literal: the value is in the source",
                )
