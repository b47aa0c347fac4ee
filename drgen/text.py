"""Counting in messages: `1 region` and `2 regions`, never `1 regions` or `region(s)`."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`count word`: the word as it is for 1, with an s otherwise."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def them(count: int) -> str:
    """The pronoun for `count` things: `edit it`, `edit them`."""
    return "it" if count == 1 else "them"
