"""R1: VPC function cannot reach AWS services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drgen.audit.rules.base import Hit, rule
from drgen.audit.rules.context import Context
from drgen.audit.rules.resource_types import FUNCTION
from drgen.audit.rules.values import as_list, parse_json, plain, statements

#: Services a VPC function reaches through endpoints or NAT, by IAM action prefix.
VPC_SERVICES = ("dynamodb", "s3", "secretsmanager", "sqs", "sns", "kms", "ssm", "kinesis", "sts")


@rule(
    "R1",
    "error",
    "VPC function cannot reach AWS services",
    fix=(
        "Add a NAT gateway, or VPC endpoints (gateway for DynamoDB/S3, interface for the "
        "others) for every service the function uses, in its VPC."
    ),
    scope=(
        "Functions with vpc_config subnets; services from the actions of the role's inline "
        "policies; NAT gateways and VPC endpoints in the function's VPC and region."
    ),
    blind_spots=(
        "Managed policies attached to the role and services reached without IAM (plain HTTPS) "
        "are not counted; a NAT gateway without a route to it passes."
    ),
    url="https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html",
)
def vpc_function_reach(ctx: Context) -> Iterator[Hit]:
    """A VPC function needs NAT or an endpoint for each service its role uses."""
    for fn in ctx.of(FUNCTION):
        vpc_config = plain(fn["inputs"].get("vpcConfig")) or {}
        subnet_ids = as_list(vpc_config.get("subnetIds")) if isinstance(vpc_config, dict) else []
        if not subnet_ids:
            continue
        subnets = ctx.refers(subnet_ids, "aws:ec2/subnet:Subnet")
        vpcs = {plain(s["inputs"].get("vpcId")) for s in subnets}

        def in_vpc(r: dict[str, Any], fn: dict[str, Any] = fn, vpcs: set[Any] = vpcs) -> bool:
            if r["region"] != fn["region"]:
                return False
            if not vpcs:
                return True
            vpc = plain(r["inputs"].get("vpcId"))
            if vpc is None:
                subnet = ctx.one(r["inputs"].get("subnetId"), "aws:ec2/subnet:Subnet")
                vpc = plain(subnet["inputs"].get("vpcId")) if subnet else None
            return vpc in vpcs

        if any(in_vpc(r) for r in ctx.of("aws:ec2/natGateway:NatGateway")):
            continue
        endpoints = {
            str(plain(e["inputs"].get("serviceName")) or "").rsplit(".", 1)[-1]
            for e in ctx.of("aws:ec2/vpcEndpoint:VpcEndpoint")
            if in_vpc(e)
        }
        used = used_services(ctx, fn)
        missing = sorted(used - endpoints)
        if missing:
            yield Hit(
                f"runs in a VPC with no NAT gateway and no VPC endpoint for "
                f"{', '.join(missing)}, which its role uses",
                fn,
            )
        elif not used and not endpoints:
            yield Hit("runs in a VPC with no NAT gateway and no VPC endpoint at all", fn)


def used_services(ctx: Context, fn: dict[str, Any]) -> set[str]:
    """The AWS services a function's inline role policies allow it to call."""
    role = ctx.one(fn["inputs"].get("role"), "aws:iam/role:Role")
    if role is None:
        return set()
    names = {plain(role["outputs"].get(k)) for k in ("id", "name", "arn")} - {None}
    used: set[str] = set()
    for policy in ctx.of("aws:iam/rolePolicy:RolePolicy"):
        if plain(policy["inputs"].get("role")) not in names:
            continue
        for st in statements(parse_json(policy["inputs"].get("policy"))):
            if st.get("Effect", "Allow") != "Allow":
                continue
            for action in as_list(st.get("Action")):
                prefix = str(action).split(":", 1)[0]
                if prefix in VPC_SERVICES:
                    used.add(prefix)
    return used
