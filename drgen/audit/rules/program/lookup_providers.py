"""R18: Lookup without an explicit provider."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.values import plain

#: Lookups whose answer does not depend on the region (only on the account).
REGIONLESS_LOOKUPS = (
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:iam/getPolicyDocument:getPolicyDocument",
)


@rule(
    "R18",
    "error",
    "Lookup without an explicit provider",
    fix=(
        "Pass opts=pulumi.InvokeOptions(provider=...) (or InvokeOutputOptions) to every "
        "data-source lookup."
    ),
    scope=(
        "Every AWS lookup: an explicit provider or a region argument. get_caller_identity, "
        "get_partition and iam.get_policy_document do not depend on the region: they are "
        "reported only when the explicit providers' credentials or endpoints differ from the "
        "default's."
    ),
    blind_spots=(
        "Lookups through pulumi.runtime.invoke on other providers, and the ambient region of "
        "the deploying machine, are not seen."
    ),
    url="https://www.pulumi.com/docs/iac/concepts/functions/provider-functions/",
)
def lookup_providers(ctx: Context) -> Iterator[Hit]:
    """Every AWS lookup names its provider."""
    for invoke in ctx.record.invokes:
        if invoke["token"].startswith("aws:") and invoke["provider"] is None:
            if plain((invoke.get("args") or {}).get("region")):
                continue
            if invoke["token"] in REGIONLESS_LOOKUPS:
                if not ctx.identity_differs:
                    continue
                message = (
                    f"lookup {invoke['token']} uses the default provider, whose credentials or "
                    f"endpoints differ from provider {ctx.identity_differs[0]}'s"
                )
            else:
                message = f"lookup {invoke['token']} uses the default provider"
            yield Hit(
                message,
                {"type": invoke["token"], "name": "(lookup)"},
                file=invoke["file"],
                line=invoke["line"],
            )
