"""Words in messages: counts (`1 region`, `2 regions`) and YAML's names for types."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`count word`: the word as it is for 1, with an s otherwise."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def them(count: int) -> str:
    """The pronoun for `count` things: `edit it`, `edit them`."""
    return "it" if count == 1 else "them"


#: YAML's names for the types a YAML file can hold (Python's `dict` is a mapping).
YAML_TYPES = {"dict": "mapping", "list": "list", "int": "integer", "float": "number",
              "str": "string", "bool": "boolean", "tuple": "list"}  # fmt: skip


def yaml_type(value: object) -> str:
    """The type of a value read from YAML, in YAML's words: `mapping`, `integer`, `null`."""
    if value is None:
        return "null"
    return YAML_TYPES.get(type(value).__name__, type(value).__name__)
