"""Reading the record's values: secrets untagged, strings found, documents parsed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

SECRET_TAG = "$secret"  # noqa: S105 - a tag, not a secret
REGION_RE = re.compile(r"\b(?:[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\b")


def plain(value: Any) -> Any:
    """A recorded value without its secret tag."""
    if isinstance(value, dict) and set(value) == {SECRET_TAG}:
        return plain(value[SECRET_TAG])
    return value


def strings(value: Any) -> Iterator[str]:
    """Every string inside a recorded value."""
    value = plain(value)
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def truthy(value: Any) -> bool:
    """Whether a recorded flag is on (a boolean, or its text)."""
    value = plain(value)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def parse_json(value: Any) -> Any:
    """A JSON document given as text (or already parsed); None when it does not parse."""
    value = plain(value)
    if isinstance(value, dict | list):
        return value
    try:
        return json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of an IAM policy document, one or many."""
    if not isinstance(document, dict):
        return []
    found = document.get("Statement") or []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    """A recorded value as a list (IAM allows one item or many)."""
    value = plain(value)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def service_of(resource_type: str) -> str:
    """`aws:s3/bucket:Bucket` -> `s3`."""
    return resource_type.split(":")[1].split("/")[0] if ":" in resource_type else ""
