"""R5: Public Function URL without both permissions."""

from __future__ import annotations

from collections.abc import Iterator

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import FUNCTION, FUNCTION_URL, PERMISSION
from drgen.audit.rules.values import plain, truthy


@rule(
    "R5",
    "error",
    "Public Function URL without both permissions",
    fix=(
        "Add lambda.Permission(action='lambda:InvokeFunctionUrl', "
        "function_url_auth_type='NONE', principal='*') and "
        "lambda.Permission(action='lambda:InvokeFunction', invoked_via_function_url=True, "
        "principal='*') on the same function."
    ),
    scope=(
        "FunctionUrl with authorization_type NONE and the lambda.Permission resources on the "
        "same function."
    ),
    blind_spots=(
        "Permissions granted outside the stack (another stack, the console) are not seen."
    ),
    url="https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
)
def function_url_permissions(ctx: Context) -> Iterator[Hit]:
    """A public Function URL needs both public permissions (October 2025)."""
    for url in ctx.of(FUNCTION_URL):
        if plain(url["inputs"].get("authorizationType")) != "NONE":
            continue
        fn = ctx.one(url["inputs"].get("functionName"), FUNCTION)
        handles = (
            {plain(fn["outputs"].get(k)) for k in ("id", "arn", "name")} - {None}
            if fn
            else {plain(url["inputs"].get("functionName"))}
        )
        perms = [p for p in ctx.of(PERMISSION) if plain(p["inputs"].get("function")) in handles]
        has_url = any(
            plain(p["inputs"].get("action")) == "lambda:InvokeFunctionUrl"
            and plain(p["inputs"].get("functionUrlAuthType")) == "NONE"
            for p in perms
        )
        has_invoke = any(
            plain(p["inputs"].get("action")) == "lambda:InvokeFunction"
            and truthy(p["inputs"].get("invokedViaFunctionUrl"))
            for p in perms
        )
        missing = [
            text
            for ok, text in (
                (has_url, "lambda:InvokeFunctionUrl with function_url_auth_type NONE"),
                (has_invoke, "lambda:InvokeFunction with invoked_via_function_url"),
            )
            if not ok
        ]
        if missing:
            yield Hit(
                f"public URL without the permission {' and '.join(missing)}: "
                "every request gets 403",
                url,
            )
