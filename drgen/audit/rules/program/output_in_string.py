"""R3: Output pasted into a string."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.values import parse_json, plain, strings

OUTPUT_STR_MARKERS = ("Calling __str__ on an Output", "<pulumi.output.Output object")


@rule(
    "R3",
    "error",
    "Output pasted into a string",
    fix=(
        "Build documents from outputs with Output.all/apply/concat or Output.json_dumps, "
        "never an f-string or json.dumps on an Output."
    ),
    scope=(
        "Every input of every resource: the text Pulumi puts in place of a stringified Output; "
        "policy and assume_role_policy must parse as JSON."
    ),
    blind_spots=(
        "An Output pasted into a string that a program never sends to the engine (logged, "
        "exported through another Output) is not seen."
    ),
    url="https://www.pulumi.com/docs/concepts/inputs-outputs/",
)
def output_in_string(ctx: Context) -> Iterator[Hit]:
    """No input may hold a stringified Output; policy documents must parse."""
    for r in ctx.resources:
        text = next(
            (s for s in strings(r["inputs"]) if any(m in s for m in OUTPUT_STR_MARKERS)), None
        )
        if text is not None:
            yield Hit("an input holds the text of a stringified Output (f-string or str())", r)
            continue
        for key in ("policy", "assumeRolePolicy"):
            value = plain(r["inputs"].get(key))
            if isinstance(value, str) and parse_json(value) is None:
                yield Hit(f"{key} is not valid JSON: {value[:60]!r}", r)
