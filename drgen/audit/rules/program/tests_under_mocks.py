"""R7: No tests under Pulumi mocks."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context


@rule(
    "R7",
    "warning",
    "No tests under Pulumi mocks",
    fix=(
        "Add tests that run the program under pulumi.runtime.set_mocks and assert on the "
        "resources' inputs."
    ),
    scope="The project's test files (test*.py or under tests/) that mention set_mocks.",
    blind_spots="Whether the tests assert anything, or cover the program, is not judged.",
    url="https://www.pulumi.com/docs/using-pulumi/testing/unit/",
)
def tests_under_mocks(ctx: Context) -> Iterator[Hit]:
    """Some test must run the program under Pulumi mocks."""
    root = ctx.program.root
    for path in root.rglob("*.py"):
        if (
            any(path.is_relative_to(ex) for ex in ctx.program.excluded)
            or "site-packages" in path.parts
        ):
            continue
        if (
            path.name.startswith("test") or "tests" in path.parts
        ) and b"set_mocks" in path.read_bytes():
            return
    yield Hit(
        "no test runs the program under pulumi.runtime.set_mocks",
        file=ctx.program.entry.relative_to(root).as_posix(),
        line=1,
    )
