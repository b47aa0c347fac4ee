"""R22: IAM policy allows everything."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.values import as_list, parse_json, plain, statements

POLICY_TYPES = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
#: AWS managed policies that grant every action on every resource (or nearly).
ADMIN_POLICIES = ("AdministratorAccess",)


@rule(
    "R22",
    "error",
    "IAM policy allows everything",
    fix=(
        "Grant the actions the role needs on this stack's resources' ARNs; never Action "
        "'*' or 'service:*' on Resource '*', nor AdministratorAccess."
    ),
    scope=(
        "Allow statements of IAM policies, role, user and group policies and roles' inline "
        "policies; AdministratorAccess attached as a managed policy."
    ),
    blind_spots=(
        "NotAction / NotResource, wildcards such as 's3:Get*', and resource-based policies "
        "(bucket, queue, key policies) are not judged."
    ),
    url="https://docs.aws.amazon.com/controltower/latest/controlreference/iam-rules.html",
)
def iam_wildcards(ctx: Context) -> Iterator[Hit]:
    """No Allow of `*` or `service:*` on Resource `*`; no administrator policy attached.

    AWS Control Tower's CT.IAM.PR.1/.3/.5:
    https://docs.aws.amazon.com/controltower/latest/controlreference/iam-rules.html
    """
    for r in ctx.resources:
        for document in _policy_documents(r):
            for st in statements(document):
                if st.get("Effect", "Allow") != "Allow" or "*" not in as_list(st.get("Resource")):
                    continue
                wild = [
                    str(a)
                    for a in as_list(st.get("Action"))
                    if a == "*" or re.fullmatch(r"[a-z0-9-]+:\*", str(a))
                ]
                if wild:
                    yield Hit(
                        f'allows {", ".join(wild)} on Resource "*": grant the actions it needs '
                        "on this stack's resources",
                        r,
                    )
        arns = [str(plain(a)) for a in as_list(r["inputs"].get("managedPolicyArns"))]
        arns += [str(plain(r["inputs"].get("policyArn")))] if "policyArn" in r["inputs"] else []
        for arn in arns:
            if arn.rsplit("/", 1)[-1] in ADMIN_POLICIES and ":aws:policy/" in arn:
                yield Hit(f"attaches {arn}: every action on every resource", r)


def _policy_documents(resource: dict[str, Any]) -> Iterator[Any]:
    key = POLICY_TYPES.get(resource["type"])
    if key:
        yield parse_json(resource["inputs"].get(key))
    if resource["type"] == "aws:iam/role:Role":
        for inline in as_list(resource["inputs"].get("inlinePolicies")):
            if isinstance(plain(inline), dict):
                yield parse_json(plain(inline).get("policy"))
