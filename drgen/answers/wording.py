"""How errors show an answer: in YAML's words, with its type, or as a near miss of a name."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import yaml

from drgen.text import yaml_type


def shown(value: object) -> str:
    """An answer as errors name it: YAML's `null`, `true` and `false`, not Python's words."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    return repr(value)


def typed(value: object) -> str:
    """A wrong-typed answer as errors name it: its type and value, both in YAML's words."""
    if value is None:
        return "null"
    kind = yaml_type(value)
    if isinstance(value, str):
        return f"{kind} {value!r}"
    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=2**31)
    except yaml.YAMLError:  # not a value YAML has (a tuple, an object)
        return f"{kind} {value!r}"
    return f"{kind} {text.removesuffix(chr(10)).removesuffix(chr(10) + '...')}"


def suggest(key: str, accepted: Sequence[str]) -> str:
    """`did you mean x?` for a near miss, else the accepted keys."""
    close = difflib.get_close_matches(key, accepted, n=1)
    return f"did you mean {close[0]}?" if close else f"accepted: {', '.join(accepted)}"
