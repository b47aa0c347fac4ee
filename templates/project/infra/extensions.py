"""Your own resources. drgen writes this file once and never overwrites it on update.

`extend` runs after the DR stack is built and receives everything it created; whatever it
returns is exported as extra stack outputs. Pass `opts=pulumi.ResourceOptions(provider=...)`
with one of `stack.providers` to every resource you add, so it lands in the right region.
"""

from __future__ import annotations

from typing import Any

from infra.stack import DrStack


def extend(stack: DrStack) -> dict[str, Any]:
    """Add resources to the stack; return extra outputs to export."""
    del stack  # unused until you add something
    return {}
