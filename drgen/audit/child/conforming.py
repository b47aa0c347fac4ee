"""Outputs as the SDK declares them: a value fits its output type, or is left out."""

from __future__ import annotations

import collections.abc
import inspect
import json
import typing
from typing import Any

from .values import plain

#: What `conform` returns for a value that cannot have the declared output type.
DROP = object()
#: Passed to `conform` to keep what does not fit as it is.
KEEP = object()
_OUTPUT_TYPES: dict[type, dict[str, Any]] = {}


def output_types(cls: type | None) -> dict[str, Any]:
    """The output types the SDK declares for a resource class (camelCase name -> type)."""
    if cls is None:
        return {}
    if cls not in _OUTPUT_TYPES:  # reading the annotations is slow: once per class
        try:
            from pulumi import _types

            _OUTPUT_TYPES[cls] = dict(_types.resource_types(cls))
        except Exception:  # an SDK without (or with a different) type metadata: no checks
            _OUTPUT_TYPES[cls] = {}
    return _OUTPUT_TYPES[cls]


def conform(value: Any, typ: Any, misfit: Any = DROP) -> Any:
    """`value` as the SDK's declared output type `typ` accepts it, or `misfit`.

    The SDK raises on a dict or list where it declares something else
    (`rpc.translate_output_properties`); a document where a string is declared becomes
    its JSON text, as in a deploy; anything else that cannot fit is dropped (the default
    `misfit`), so the SDK falls back to the program's input (or None) as it does for a
    missing output. With `misfit=KEEP` a misfit stays as it is (for the record).
    """
    from pulumi import _types
    from pulumi.runtime import rpc

    if typ is None or typ is Any or value is None:
        return value
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        inner = conform(value.get("value"), typ, misfit)
        return DROP if inner is DROP else _secret_of(inner)
    typ = _types.unwrap_optional_type(typ)
    if typ is Any:
        return value
    origin = typing.get_origin(typ)
    args = typing.get_args(typ)
    if typ is str:
        return json_text(value) if isinstance(value, dict | list) else value
    if isinstance(value, dict):
        if inspect.isclass(typ) and _types.is_output_type(typ):
            types = _types.output_type_types(typ)
            fields = {k: conform(v, types.get(k), misfit) for k, v in value.items()}
            return {k: v for k, v in fields.items() if v is not DROP}
        if typ is dict or origin in (dict, collections.abc.Mapping):
            inner_type = args[1] if len(args) == 2 else None
            entries = {k: conform(v, inner_type, misfit) for k, v in value.items()}
            return {k: v for k, v in entries.items() if v is not DROP}
        return value if misfit is KEEP else misfit
    if isinstance(value, list):
        if typ is list or origin in (list, collections.abc.Sequence):
            items = [conform(v, args[0] if args else None, misfit) for v in value]
            return DROP if any(v is DROP for v in items) else items
        return value if misfit is KEEP else misfit
    import pulumi

    if inspect.isclass(typ) and issubclass(typ, pulumi.Resource):
        # a resource reference is declared: an echoed id or name is not one
        return value if misfit is KEEP else misfit
    return value


def conform_all(values: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]:
    """Every value that fits its declared output type, as that type."""
    fitted = {key: conform(value, types.get(key)) for key, value in values.items()}
    return {key: value for key, value in fitted.items() if value is not DROP}


def as_deployed(inputs: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]:
    """Inputs as a deploy sends them: a document given for a string property is JSON text."""
    return {key: conform(value, types.get(key), KEEP) for key, value in inputs.items()}


def json_text(value: Any) -> Any:
    """A document as the JSON text pulumi-aws sends for it (Go's encoding: sorted, compact)."""
    text = json.dumps(_deep_plain(value), sort_keys=True, separators=(",", ":"))
    return _secret_of(text) if _has_secret(value) else text


def _secret_of(value: Any) -> Any:
    from pulumi.runtime import rpc

    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _has_secret(value: Any) -> bool:
    from pulumi.runtime import rpc

    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return True
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False


def _deep_plain(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, dict):
        return {k: _deep_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_plain(v) for v in value]
    return value
