"""Reading the files drgen is given as untrusted input: bounded, UTF-8, and YAML without aliases.

`--answers-file /dev/zero` must not exhaust memory, a 200 MB file must not be read for a
minute before it is refused, and a "billion laughs" YAML (aliases of aliases) must not expand:
none of drgen's inputs needs more than a few hundred kilobytes or any YAML alias. Text is read
as UTF-8 whatever the locale, so an ASCII locale or Python's UTF-8 mode off changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: What a refused alias's YAMLError says (its `problem`).
ALIAS_REFUSED = "YAML aliases are not accepted here"
#: Answers files, stack files, records: the largest generated record is about 0.2 MB.
MAX_INPUT_BYTES = 8 * 1024 * 1024


class InputError(ValueError):
    """A file that cannot be taken as input; the message names why, not the file."""


class TooLargeError(InputError):
    """More bytes than any input of drgen's needs."""


class NotTextError(InputError):
    """Bytes that are not UTF-8."""


def read_bounded(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """At most `limit` bytes of `path`; more is an error, found without reading them all."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(f"is larger than {limit // (1024 * 1024)} MB")
    return data


def read_text(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """The file as UTF-8 text, bounded like `read_bounded`."""
    try:
        return read_bounded(path, limit).decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotTextError(f"is not UTF-8 text (byte {error.start + 1})") from None


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors' aliases (what a YAML bomb is made of)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(None, None, ALIAS_REFUSED, event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load`, without aliases: a YAMLError names the line of the first one."""
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass


def compose_yaml(text: str) -> Any:
    """`yaml.compose` (the node tree, with its lines), without aliases, like `load_yaml`."""
    return yaml.compose(text, Loader=_NoAliasLoader)
