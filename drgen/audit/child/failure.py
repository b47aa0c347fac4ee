"""A failed program's error in one line: the innermost cause, its resource, its line."""

from __future__ import annotations

import re
import traceback

from .computed import MODELLED_COMPONENTS
from .recording import Locator, Recorder

#: How the SDK wraps a failure while preparing a resource's registration (runtime/resource.py).
_WRAPPED = re.compile(r"While processing resource: '(?P<name>[^']*)', type:? '(?P<type>[^']*)'")
#: How the SDK names the resource whose output failed its type check (runtime/rpc.py `_Path`).
_AT_RESOURCE = re.compile(r"at resource `(?P<name>[^`]*)`")
#: Each wrapper quotes the error it wraps after "<kind> has risen: "; the last is the cause.
_RISEN = re.compile(r"(?P<kind>\w+) has risen: ")
#: The SDK wraps a serialization failure once per input level, outermost first.
_INPUT = re.compile(r"While processing input: '(?P<key>[^']*)'")


def causes(error: BaseException) -> list[BaseException]:
    """The error and its causes, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _message(error: BaseException) -> tuple[str, list[str]]:
    """The innermost error quoted in `error`'s text, and the input path the wrappers name.

    The SDK's causes do not survive its futures: the wrappers' text is all that is left.
    """
    # a SyntaxError's str() carries its own (full) path; the place is added separately
    text = (error.msg if isinstance(error, SyntaxError) else str(error)).strip()
    kind = type(error).__name__
    keys = [match["key"] for match in _INPUT.finditer(text)]
    risen = list(_RISEN.finditer(text))
    if risen:
        kind, text = risen[-1]["kind"], text[risen[-1].end() :]
    first = text.splitlines()[0] if text else ""
    return (f"{kind}: {first}" if first else kind), keys


def error_text(error: BaseException, locator: Locator, recorder: Recorder) -> str:
    """The program's failure in one line: the innermost cause, the resource, the line.

    The SDK registers resources asynchronously, so a failure in one surfaces wherever the
    program next waits (often an export); the wrappers name the resource, and the
    recorder knows where the program declared it.
    """
    chain = causes(error)
    innermost = chain[-1]
    place: tuple[str | None, int | None] = (None, None)
    for link in reversed(chain):
        if isinstance(link, SyntaxError) and link.filename:
            rel = locator.relative(link.filename)
            if rel is not None:
                place = (rel, link.lineno)
                break
        frames = traceback.extract_tb(link.__traceback__)
        own = [(locator.relative(f.filename), f.lineno) for f in reversed(frames)]
        found = next(((rel, line) for rel, line in own if rel is not None), None)
        if found:
            place = found
            break
    resource = None
    for link in chain:
        wrapped = _WRAPPED.search(str(link))
        if wrapped:
            resource = (wrapped["type"], wrapped["name"])
            break
        at = _AT_RESOURCE.search(str(link))
        if at:
            typ = next((t for t, n in recorder.locations if n == at["name"]), None)
            resource = (typ, at["name"]) if typ else None
            break
    text, keys = _message(innermost)
    text = (text[:300] + "...") if len(text) > 300 else text
    if resource is not None:
        where = f"at {'.'.join(keys)} of" if keys else "in"
        text += f", {where} {resource[0]} {resource[1]}"
        if place == (None, None):
            place = recorder.place(*resource)
    if place[0] is not None:
        text += f" ({place[0]}:{place[1]})"
    if recorder.components and "'NoneType'" in text:
        text += (
            f"; the audit models only the id outputs of {', '.join(sorted(recorder.components))} "
            "(vpcId, publicSubnetIds, privateSubnetIds, isolatedSubnetIds): its resource "
            "outputs (vpc, subnets, natGateways, ...) read as None"
        )
    return text


def refusal(recorder: Recorder) -> str:
    """Why the first multi-language component the mocks cannot model stops the audit."""
    typ, file, line = recorder.refused[0]
    where = f" ({file}:{line})" if file else ""
    return (
        f"{typ}{where} is a multi-language component: its provider plugin builds its "
        f"resources, which the audit cannot run offline (it models "
        f"{', '.join(MODELLED_COMPONENTS)}); declare those resources with pulumi_aws, "
        "or audit the program without the component"
    )
