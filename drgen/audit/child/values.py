"""The record's values as plain JSON: secrets tagged, assets and objects named."""

from __future__ import annotations

import zlib
from typing import Any

#: Tag of a secret value in the record (the mocks' own wrapper is an implementation detail).
SECRET_TAG = "$secret"  # noqa: S105 - a tag, not a secret


def crc(text: str) -> int:
    """A stable number for a name: the mocks' ids and hashes repeat run after run."""
    return zlib.crc32(text.encode())


def plain(value: Any) -> Any:
    """A value without the SDK's secret wrapper."""
    from pulumi.runtime import rpc

    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return plain(value.get("value"))
    return value


def jsonable(value: Any) -> Any:
    """Inputs as plain JSON: secrets tagged, assets and resources named."""
    from pulumi.runtime import rpc

    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return {SECRET_TAG: jsonable(value.get("value"))}
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    path = getattr(value, "path", None)
    if path is not None:
        return {"$asset": str(path)}
    return {"$object": type(value).__name__}
