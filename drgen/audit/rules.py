"""The audit's rules: one per way a multi-region DR stack fails, checked on a run's record."""

from __future__ import annotations

import ast
import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from drgen.audit.project import Program, Record

SEVERITIES = ("error", "warning", "note")
SECRET_TAG = "$secret"  # noqa: S105 - a tag, not a secret
REGION_RE = re.compile(r"\b(?:[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\b")

BUCKET = "aws:s3/bucket:Bucket"
BUCKETS = (BUCKET, "aws:s3/bucketV2:BucketV2")
VERSIONINGS = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
REPLICATIONS = ("aws:s3/bucketReplicationConfig:BucketReplicationConfig",)
TABLE = "aws:dynamodb/table:Table"
TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
FUNCTION = "aws:lambda/function:Function"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
#: Types whose `name` (or listed input) is a physical name that must be unique per scope.
PHYSICAL_NAMES = {
    BUCKET: "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    TABLE: "name",
    FUNCTION: "name",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/user:User": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:secretsmanager/secret:Secret": "name",
    ALARM: "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    TOPIC: "name",
    "aws:sqs/queue:Queue": "name",
    "aws:kms/alias:Alias": "name",
    "aws:ecs/cluster:Cluster": "name",
    "aws:ecr/repository:Repository": "name",
    "aws:lb/loadBalancer:LoadBalancer": "name",
    "aws:lb/targetGroup:TargetGroup": "name",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:cloudwatch/eventRule:EventRule": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:kinesis/stream:Stream": "name",
    "aws:apigatewayv2/domainName:DomainName": "domainName",
}
#: Names the user owns (a custom domain): unique, but not the stack's to suffix.
USER_CHOSEN_NAMES = ("aws:apigatewayv2/domainName:DomainName",)
#: Names unique per account (or worldwide), not per region.
GLOBAL_SERVICES = ("iam", "s3", "route53", "cloudfront")
#: Services without regions: their resources land in the same place from any provider.
REGIONLESS_SERVICES = ("iam", "route53", "cloudfront")
#: Services a VPC function reaches through endpoints or NAT, by IAM action prefix.
VPC_SERVICES = ("dynamodb", "s3", "secretsmanager", "sqs", "sns", "kms", "ssm", "kinesis", "sts")
SECRET_KEY_RE = re.compile(
    r"(password|passwd|secret|token|api_?key|private_?key|access_?key|credential)", re.I
)
NOT_SECRET_RE = re.compile(
    r"(id|arn|name|names|ids|arns|type|version|stage|length|files?|paths?|validation)$", re.I
)
#: Config keys taken as the environment suffix, compared lower-case without `_` and `-`.
SUFFIX_KEYS = frozenset(
    {
        "envsuffix",
        "environmentsuffix",
        "env",
        "environment",
        "envname",
        "environmentname",
        "stage",
        "stagename",
        "suffix",
        "namesuffix",
        "resourcesuffix",
        "deployment",
        "deploymentenv",
    }
)
SUFFIX_KEY_RE = re.compile(r"[-_]")
#: Provider settings that decide which account and endpoints a call reaches (not the region).
IDENTITY_KEYS = (
    "accessKey",
    "secretKey",
    "token",
    "profile",
    "sharedCredentialsFiles",
    "sharedConfigFiles",
    "assumeRole",
    "assumeRoles",
    "assumeRoleWithWebIdentity",
    "endpoints",
)
#: Lookups whose answer does not depend on the region (only on the account).
REGIONLESS_LOOKUPS = (
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:iam/getPolicyDocument:getPolicyDocument",
)
OUTPUT_STR_MARKERS = ("Calling __str__ on an Output", "<pulumi.output.Output object")


@dataclass(frozen=True)
class Hit:
    """One failure of a rule, on one resource (or lookup, or the program as a whole)."""

    message: str
    resource: dict[str, Any] | None = None
    file: str | None = None
    line: int | None = None
    severity: str | None = None


@dataclass(frozen=True)
class Rule:
    """A failure pattern: what breaks, how badly, and what to change."""

    id: str
    severity: str
    title: str
    fix: str
    check: Callable[[Context], Iterable[Hit]]
    #: What the rule reads, and where it applies.
    scope: str
    #: What it cannot see: constructs a reviewer must still check by hand.
    blind_spots: str
    #: The AWS (or Pulumi) documentation behind the rule.
    url: str


def plain(value: Any) -> Any:
    """A recorded value without its secret tag."""
    if isinstance(value, dict) and set(value) == {SECRET_TAG}:
        return plain(value[SECRET_TAG])
    return value


def strings(value: Any) -> Iterator[str]:
    """Every string inside a recorded value."""
    value = plain(value)
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def _truthy(value: Any) -> bool:
    value = plain(value)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def parse_json(value: Any) -> Any:
    """A JSON document given as text (or already parsed); None when it does not parse."""
    value = plain(value)
    if isinstance(value, dict | list):
        return value
    try:
        return json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of an IAM policy document, one or many."""
    if not isinstance(document, dict):
        return []
    found = document.get("Statement") or []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    """A recorded value as a list (IAM allows one item or many)."""
    value = plain(value)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Context:
    """A run's record with the lookups the rules share."""

    def __init__(self, program: Program, record: Record) -> None:
        self.program = program
        self.record = record
        self.resources = [r for r in record.resources if not r["type"].startswith("pulumi:")]

    def of(self, *types: str) -> list[dict[str, Any]]:
        """The resources of these types."""
        return [r for r in self.resources if r["type"] in types]

    @cached_property
    def by_urn(self) -> dict[str, dict[str, Any]]:
        """Every registered resource, providers included, by URN."""
        return {r["urn"]: r for r in self.record.resources}

    @cached_property
    def handles(self) -> dict[str, list[dict[str, Any]]]:
        """Resources by every string that refers to them: id, ARN, physical name."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.resources:
            out = r.get("outputs") or {}
            for key in ("id", "arn", "name", "bucket"):
                value = plain(out.get(key))
                if isinstance(value, str) and value and r not in found[value]:
                    found[value].append(r)
        return found

    def refers(self, value: Any, *types: str) -> list[dict[str, Any]]:
        """The resources of these types that a recorded value names."""
        return [
            r
            for s in strings(value)
            for r in self.handles.get(s, [])
            if not types or r["type"] in types
        ]

    def refers_back(self, target: dict[str, Any], types: tuple[str, ...]) -> list[dict[str, Any]]:
        """Resources of these types whose bucket or function input names the target."""
        handles = {plain(target["outputs"].get(k)) for k in ("id", "arn", "name", "bucket")}
        handles.discard(None)
        return [
            r
            for r in self.of(*types)
            if any(plain(r["inputs"].get(k)) in handles for k in ("bucket", "function"))
        ]

    def one(self, value: Any, *types: str) -> dict[str, Any] | None:
        """The first resource of these types that a value names."""
        found = self.refers(value, *types)
        return found[0] if found else None

    @cached_property
    def closure(self) -> dict[str, set[str]]:
        """Every URN each resource waits for, directly or through others."""
        memo: dict[str, set[str]] = {}

        def deps(urn: str, seen: frozenset[str]) -> set[str]:
            if urn in memo:
                return memo[urn]
            resource = self.by_urn.get(urn)
            direct = set(resource["dependencies"]) if resource else set()
            for values in (resource or {}).get("property_dependencies", {}).values():
                direct |= set(values)
            total = set(direct)
            for dep in direct - seen:
                total |= deps(dep, seen | {urn})
            memo[urn] = total
            return total

        return {urn: deps(urn, frozenset()) for urn in self.by_urn}

    def waits_for(self, resource: dict[str, Any], other: dict[str, Any]) -> bool:
        """Whether the engine creates `other` before `resource`."""
        return other["urn"] in self.closure.get(resource["urn"], set())

    @cached_property
    def program_trees(self) -> list[tuple[str, ast.AST]]:
        """The syntax tree of each of the program's own Python files, tests left out."""
        found: list[tuple[str, ast.AST]] = []
        for path in self.program.sources():
            rel = path.relative_to(self.program.root)
            if "tests" in rel.parts or rel.name.startswith("test") or rel.name == "conftest.py":
                continue
            try:
                found.append((rel.as_posix(), ast.parse(path.read_text(errors="replace"))))
            except SyntaxError:
                continue
        return found

    @cached_property
    def source_literals(self) -> set[str]:
        """Every string literal in the program's own Python files (tests left out)."""
        return {
            node.value
            for _, tree in self.program_trees
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }

    @cached_property
    def regions(self) -> list[str]:
        """The regions the AWS resources land in."""
        return sorted(
            {r["region"] for r in self.resources if r["type"].startswith("aws:") and r["region"]}
        )

    @cached_property
    def env_suffixes(self) -> dict[str, str]:
        """What names must carry, each with where it came from: the stack name, config keys."""
        found = {self.program.stack.lower(): "the stack name"}
        for key, value in self.program.config.items():
            short = key.split(":", 1)[-1]
            if SUFFIX_KEY_RE.sub("", short.lower()) in SUFFIX_KEYS and value.strip():
                found.setdefault(value.strip().lower(), f"config {short}")
        return found

    @cached_property
    def identity_differs(self) -> list[str]:
        """Explicit providers whose credentials or endpoints are not the default provider's.

        Global services (IAM, Route 53, CloudFront) and region-independent lookups reached
        through the default provider only go wrong when those settings differ.
        """
        default = {k: _identity_value(self.program.config.get(f"aws:{k}")) for k in IDENTITY_KEYS}
        return [
            p["name"]
            for p in self.record.resources
            if p["type"] == "pulumi:providers:aws"
            and {k: _identity_value(p["inputs"].get(k)) for k in IDENTITY_KEYS} != default
        ]


def _identity_value(value: Any) -> Any:
    """A provider setting compared across providers: JSON text parsed, empty as absent."""
    value = plain(value)
    if isinstance(value, str):
        parsed = parse_json(value)
        value = parsed if parsed is not None and not isinstance(parsed, str) else value
    return value or None


def physical_name(resource: dict[str, Any]) -> str | None:
    """The explicit physical name of a resource, if its type has one and it is set."""
    key = PHYSICAL_NAMES.get(resource["type"])
    value = plain(resource["inputs"].get(key)) if key else None
    return value if isinstance(value, str) and value else None


def service_of(resource_type: str) -> str:
    """`aws:s3/bucket:Bucket` -> `s3`."""
    return resource_type.split(":")[1].split("/")[0] if ":" in resource_type else ""


# --- the ten pitfalls -------------------------------------------------------------------------


def r1_vpc_function_reach(ctx: Context) -> Iterator[Hit]:
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


def r2_dns_targets(ctx: Context) -> Iterator[Hit]:
    """Health checks must probe a host or an IP; a created public zone answers nothing."""
    for hc in ctx.of(HEALTH_CHECK):
        kind = str(plain(hc["inputs"].get("type")) or "")
        ip = plain(hc["inputs"].get("ipAddress"))
        fqdn = plain(hc["inputs"].get("fqdn"))
        if ip is not None:
            try:
                ipaddress.ip_address(str(ip))
            except ValueError:
                yield Hit(f"ip_address is {ip!r}, not an IP address: the check never passes", hc)
                continue
        if isinstance(fqdn, str) and ("/" in fqdn or ":" in fqdn):
            yield Hit(f"fqdn is {fqdn!r}: a host name is expected, not a URL", hc)
        elif kind.startswith(("HTTP", "TCP")) and not ip and not fqdn:
            yield Hit("has neither fqdn nor ip_address: it probes nothing", hc)
    for zone in ctx.of("aws:route53/zone:Zone"):
        if not plain(zone["inputs"].get("vpcs")):
            yield Hit(
                f"creates a public hosted zone for {plain(zone['inputs'].get('name'))!r}: it "
                "answers nothing until the domain's registrar delegates to it",
                zone,
                severity="warning",
            )


def r3_output_in_string(ctx: Context) -> Iterator[Hit]:
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


def r4_replication_order(ctx: Context) -> Iterator[Hit]:
    """Replication waits for versioning on both sides and for its destinations."""
    for config in ctx.of(*REPLICATIONS):
        buckets = ctx.refers(config["inputs"].get("bucket"), *BUCKETS)[:1]
        for rule in as_list(config["inputs"].get("rules")):
            destination = plain(rule).get("destination") if isinstance(plain(rule), dict) else None
            if isinstance(destination, dict):
                buckets += ctx.refers(destination.get("bucket"), *BUCKETS)[:1]
        for bucket in buckets:
            versionings = [
                v
                for v in ctx.refers_back(bucket, VERSIONINGS)
                if str(
                    plain((plain(v["inputs"].get("versioningConfiguration")) or {}).get("status"))
                )
                == "Enabled"
            ]
            if not versionings and not _truthy(
                (plain(bucket["inputs"].get("versioning")) or {}).get("enabled")
            ):
                yield Hit(
                    f"bucket {bucket['name']} is replicated but has no versioning enabled", config
                )
            elif versionings and not any(ctx.waits_for(config, v) for v in versionings):
                yield Hit(
                    f"does not wait for {versionings[0]['name']}, the versioning of bucket "
                    f"{bucket['name']}: S3 rejects replication until it is enabled",
                    config,
                )
            if bucket is not buckets[0] and not ctx.waits_for(config, bucket):
                yield Hit(f"does not wait for the destination bucket {bucket['name']}", config)


def r5_function_url_permissions(ctx: Context) -> Iterator[Hit]:
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
            and _truthy(p["inputs"].get("invokedViaFunctionUrl"))
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


def _secret_key(leaf: str) -> bool:
    return bool(SECRET_KEY_RE.search(leaf)) and not NOT_SECRET_RE.search(leaf)


def _secret_literals(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {SECRET_TAG}:
            return
        for key, item in value.items():
            if key in ("tags", "tagsAll", "defaultTags"):
                continue
            yield from _secret_literals(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secret_literals(item, f"{path}[{index}]")
    elif (
        isinstance(value, str)
        and value.lower() not in ("", "true", "false")
        and _secret_key(re.split(r"[.\[]", path)[-1])
    ):
        yield path


def _secret_values(value: Any, path: str, secret: bool = False) -> Iterator[tuple[str, str]]:
    """(path, value) of every string inside a Pulumi secret, and of secret-named JSON fields.

    A secret string that is a JSON document (`json.dumps({"password": ...})`) is opened: its
    secret-named fields are judged like the secret itself.
    """
    if isinstance(value, dict):
        if set(value) == {SECRET_TAG}:
            yield from _secret_values(value[SECRET_TAG], path, True)
            return
        for key, item in value.items():
            yield from _secret_values(item, f"{path}.{key}" if path else key, secret)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secret_values(item, f"{path}[{index}]", secret)
    elif isinstance(value, str) and value and secret:
        document = parse_json(value)
        if isinstance(document, dict | list):
            for inner, text in _json_fields(document, path):
                if _secret_key(re.split(r"[.\[]", inner)[-1]):
                    yield inner, text
        else:
            yield path, value


def _json_fields(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_fields(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_fields(item, f"{path}[{index}]")
    elif isinstance(value, str) and value:
        yield path, value


#: Config getters whose `or "..."` fallback (or default) is a secret written in the source.
SECRET_GETTERS = ("get_secret", "require_secret", "get_secret_object")


def _fallback_literals(tree: ast.AST) -> Iterator[tuple[str, int, str]]:
    """Secret literals as fallbacks: `get_secret(...) or "x"`, defaults, `Output.secret("x")`."""

    def literal(node: ast.AST | None) -> ast.Constant | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
            return node
        return None

    def secret_read(node: ast.AST) -> str | None:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        key = literal(node.args[0]) if node.args else None
        if node.func.attr in SECRET_GETTERS:
            return node.func.attr
        if node.func.attr in ("get", "require") and key and _secret_key(str(key.value)):
            return f"{node.func.attr}({key.value!r})"
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for left, right in zip(node.values, node.values[1:], strict=False):
                read, fallback = secret_read(left), literal(right)
                if read and fallback:
                    yield (
                        str(fallback.value),
                        fallback.lineno,
                        f"the fallback of {read} is a literal: a secret in the source",
                    )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            read = secret_read(node)
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
            second = node.args[1] if len(node.args) > 1 else None
            if read and (found := literal(default) or literal(second)):
                yield (
                    str(found.value),
                    found.lineno,
                    f"the default of {read} is a literal: a secret in the source",
                )
            elif (
                node.func.attr == "secret"
                and "Output" in ast.unparse(node.func.value)
                and (found := literal(node.args[0] if node.args else None))
            ):
                yield (
                    str(found.value),
                    found.lineno,
                    "Output.secret() wraps a literal: the value is in the source",
                )


def r6_secrets_in_code(ctx: Context) -> Iterator[Hit]:
    """Secret-looking inputs must be Pulumi secrets, and never literals in the source."""
    literals = ctx.source_literals
    fallbacks: set[str] = set()
    for path, tree in ctx.program_trees:
        for value, line, message in _fallback_literals(tree):
            fallbacks.add(value)
            yield Hit(message, file=path, line=line)
    providers = [r for r in ctx.record.resources if r["type"] == "pulumi:providers:aws"]
    for r in providers + ctx.resources:
        for path in _secret_literals(r["inputs"], ""):
            yield Hit(f"{path} is a plain-text value, not a Pulumi secret", r)
        written = [
            path
            for path, value in _secret_values(r["inputs"], "")
            if value in literals and value not in fallbacks
        ]
        if written:
            yield Hit(
                f"the secret {written[0]} is written in the program's source"
                + (" (a provider credential)" if r in providers else ""),
                r,
            )
    for key, value in ctx.program.config.items():
        short = key.split(":", 1)[-1]
        origin = ctx.program.config_origins.get(key)
        if origin is None or not value:
            continue
        in_project = origin.file == "Pulumi.yaml"
        # a `secret: true` declaration in Pulumi.yaml does not hide its default from git
        if key in ctx.program.secret_keys and not in_project:
            continue
        if _secret_key(short):
            yield Hit(
                f"project config {key} has a plain-text default in Pulumi.yaml, shared by "
                "every stack: remove it and set it per stack with `pulumi config set --secret`"
                if in_project
                else f"stack config {key} is plain text: set it with `pulumi config set --secret`",
                file=origin.file,
                line=origin.line,
            )


def r7_tests(ctx: Context) -> Iterator[Hit]:
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
        ) and "set_mocks" in path.read_text(errors="replace"):
            return
    yield Hit(
        "no test runs the program under pulumi.runtime.set_mocks",
        file=ctx.program.entry.relative_to(root).as_posix(),
        line=1,
    )


def r8_env_suffix(ctx: Context) -> Iterator[Hit]:
    """Explicit physical names carry the environment suffix as a whole name token."""
    suffixes = ctx.env_suffixes
    patterns = [re.compile(rf"(?<![a-z0-9]){re.escape(s)}(?![a-z0-9])") for s in suffixes]
    wanted = " or ".join(f"{s!r} ({where})" for s, where in suffixes.items())
    for r in ctx.resources:
        if r["type"] in USER_CHOSEN_NAMES:
            continue
        name = physical_name(r)
        if name is not None and not any(p.search(name.lower()) for p in patterns):
            yield Hit(f"physical name {name!r} lacks the environment suffix {wanted}", r)


def r9_peering(ctx: Context) -> Iterator[Hit]:
    """Cross-region peering needs an accepter in the peer region and routes both ways."""
    for peering in ctx.of(PEERING):
        peer_region = plain(peering["inputs"].get("peerRegion")) or peering["region"]
        cross = peer_region != peering["region"]
        handles = {plain(peering["outputs"].get("id"))}
        accepters = [
            a
            for a in ctx.of(ACCEPTER)
            if plain(a["inputs"].get("vpcPeeringConnectionId")) in handles
        ]
        if cross and _truthy(peering["inputs"].get("autoAccept")):
            yield Hit("auto_accept on a cross-region request: AWS rejects it", peering)
        if not accepters and (cross or not _truthy(peering["inputs"].get("autoAccept"))):
            yield Hit(f"nobody accepts it in the peer region {peer_region}", peering)
        elif accepters and all(a["region"] != peer_region for a in accepters):
            yield Hit(f"the accepter is not in the peer region {peer_region}", peering)
        routes = [
            r for r in ctx.of(ROUTE) if plain(r["inputs"].get("vpcPeeringConnectionId")) in handles
        ]
        for side in sorted({peering["region"], peer_region}):
            if not any(r["region"] == side for r in routes):
                yield Hit(f"no route through it in {side}: traffic does not cross", peering)


def r10_explicit_providers(ctx: Context) -> Iterator[Hit]:
    """Every AWS resource names its provider, and the stack spans two regions."""
    aws = [r for r in ctx.resources if r["type"].startswith("aws:") and r["custom"]]
    for r in aws:
        if r["provider"] is None and plain(r["inputs"].get("region")) is None:
            if service_of(r["type"]) in REGIONLESS_SERVICES:
                if ctx.identity_differs:
                    yield Hit(
                        "uses the default provider, whose credentials or endpoints differ from "
                        f"provider {ctx.identity_differs[0]}'s: it may land in another account",
                        r,
                    )
                continue
            where = ctx.program.default_region or "the ambient AWS_REGION"
            yield Hit(f"uses the default provider: it lands in {where}", r)
    regional = [r for r in aws if service_of(r["type"]) not in REGIONLESS_SERVICES]
    regions = sorted({r["region"] for r in regional if r["region"]})
    if regional and len(regions) < 2:
        yield Hit(
            f"every regional AWS resource is in {regions[0] if regions else 'one region'}: "
            "there is no copy in another region",
            file=ctx.program.entry.relative_to(ctx.program.root).as_posix(),
            line=1,
        )


# --- outage rules -----------------------------------------------------------------------------

FRONTS = (
    FUNCTION_URL,
    "aws:apigatewayv2/api:Api",
    "aws:apigateway/restApi:RestApi",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
)
ROUTING = (
    "failoverRoutingPolicies",
    "latencyRoutingPolicies",
    "weightedRoutingPolicies",
    "geolocationRoutingPolicies",
)


def r11_dns_reaches_every_region(ctx: Context) -> Iterator[Hit]:
    """With routing records, every region with a front is behind a health check."""
    records = [r for r in ctx.of(RECORD) if any(plain(r["inputs"].get(k)) for k in ROUTING)]
    if not records:
        return
    health = {plain(h["outputs"].get("id")): h for h in ctx.of(HEALTH_CHECK)}
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_name[str(plain(record["inputs"].get("name")) or "").rstrip(".")].append(record)

    def targets(record: dict[str, Any]) -> list[str]:
        found = [str(plain(a.get("name")) or "") for a in as_list(record["inputs"].get("aliases"))]
        found += [str(v) for v in as_list(record["inputs"].get("records"))]
        check = health.get(plain(record["inputs"].get("healthCheckId")))
        if check is not None:
            found.append(str(plain(check["inputs"].get("fqdn")) or ""))
        return found

    def regions(record: dict[str, Any], seen: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for target in targets(record):
            found |= set(REGION_RE.findall(target))
            name = target.rstrip(".")
            if name in by_name and name not in seen:
                for nested in by_name[name]:
                    found |= regions(nested, seen | {name})
        return found

    reached: set[str] = set()
    for record in records:
        reached |= regions(record, frozenset())
        failover = [
            plain(p).get("type") for p in as_list(record["inputs"].get("failoverRoutingPolicies"))
        ]
        checked = plain(record["inputs"].get("healthCheckId")) or any(
            _truthy(plain(a).get("evaluateTargetHealth"))
            for a in as_list(record["inputs"].get("aliases"))
        )
        if not checked and "SECONDARY" not in failover:
            yield Hit(
                "a routing record with no health check: it is answered even when down", record
            )
    for region in ctx.regions:
        fronts = [f for f in ctx.of(*FRONTS) if f["region"] == region]
        if fronts and region not in reached:
            yield Hit(
                f"{region} serves users but no health-checked DNS record leads to it: "
                "traffic reaches it only after a deploy",
                fronts[0],
            )


def r12_alarm_topics_reachable(ctx: Context) -> Iterator[Hit]:
    """Alarm topics must be exported or subscribed."""
    exported = set(strings(ctx.record.exports))
    subscribed = {plain(s["inputs"].get("topic")) for s in ctx.of(SUBSCRIPTION)}
    seen: set[str] = set()
    for alarm in ctx.of(ALARM):
        for action in as_list(alarm["inputs"].get("alarmActions")):
            for topic in ctx.refers(action, TOPIC):
                handles = {plain(topic["outputs"].get(k)) for k in ("id", "arn", "name")} - {None}
                if topic["urn"] in seen or handles & (exported | subscribed):
                    continue
                seen.add(topic["urn"])
                yield Hit("alarms notify it, but it is neither exported nor subscribed", topic)


def r13_health_checks_alarmed(ctx: Context) -> Iterator[Hit]:
    """Every health check has an alarm in us-east-1."""
    alarms = ctx.of(ALARM)
    for hc in ctx.of(HEALTH_CHECK):
        ident = plain(hc["outputs"].get("id"))
        watching = [
            a
            for a in alarms
            if plain(a["inputs"].get("namespace")) == "AWS/Route53"
            and plain((plain(a["inputs"].get("dimensions")) or {}).get("HealthCheckId")) == ident
        ]
        if not watching:
            yield Hit("no alarm on its HealthCheckStatus: nobody hears of a failover", hc)
        elif all(a["region"] != "us-east-1" for a in watching):
            yield Hit("its alarm is not in us-east-1, where Route 53 publishes the metric", hc)


def r14_data_protected(ctx: Context) -> Iterator[Hit]:
    """Tables, replicas and databases carry deletion protection."""
    for table in ctx.of(TABLE):
        if not _truthy(table["inputs"].get("deletionProtectionEnabled")):
            yield Hit("the table has no deletion protection", table)
        for replica in as_list(table["inputs"].get("replicas")):
            replica = plain(replica)
            if isinstance(replica, dict) and not _truthy(replica.get("deletionProtectionEnabled")):
                yield Hit(
                    f"the replica in {replica.get('regionName')} has no deletion protection", table
                )
    for replica in ctx.of(TABLE_REPLICA):
        if not _truthy(replica["inputs"].get("deletionProtectionEnabled")):
            yield Hit(f"the replica in {replica['region']} has no deletion protection", replica)
    for db in ctx.of("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        if not _truthy(db["inputs"].get("deletionProtection")):
            yield Hit("the database has no deletion protection", db)


def r15_tls_only(ctx: Context) -> Iterator[Hit]:
    """Every bucket refuses requests without TLS."""
    for bucket in ctx.of(*BUCKETS):
        policies = ctx.refers_back(bucket, ("aws:s3/bucketPolicy:BucketPolicy",))
        denies = [
            st
            for p in policies
            for st in statements(parse_json(p["inputs"].get("policy")))
            if st.get("Effect") == "Deny"
            and str(
                ((st.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
            ).lower()
            == "false"
        ]
        if not denies:
            yield Hit("no bucket policy denies requests without TLS (aws:SecureTransport)", bucket)


def r16_public_access_blocked(ctx: Context) -> Iterator[Hit]:
    """Every bucket blocks public access, all four ways."""
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in ctx.of(*BUCKETS):
        blocks = ctx.refers_back(
            bucket, ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
        )
        if not blocks:
            yield Hit("no public access block", bucket)
            continue
        off = [f for f in flags if not any(_truthy(b["inputs"].get(f)) for b in blocks)]
        if off:
            yield Hit(f"public access block leaves {', '.join(off)} off", bucket)


def r17_pitr(ctx: Context) -> Iterator[Hit]:
    """Tables and replicas keep point-in-time recovery."""
    for table in ctx.of(TABLE):
        if not _truthy((plain(table["inputs"].get("pointInTimeRecovery")) or {}).get("enabled")):
            yield Hit("point-in-time recovery is off", table)
        for replica in as_list(table["inputs"].get("replicas")):
            replica = plain(replica)
            if isinstance(replica, dict) and not _truthy(replica.get("pointInTimeRecovery")):
                yield Hit(
                    f"point-in-time recovery is off on the replica in {replica.get('regionName')}",
                    table,
                )
    for replica in ctx.of(TABLE_REPLICA):
        if not _truthy(replica["inputs"].get("pointInTimeRecovery")):
            yield Hit(
                f"point-in-time recovery is off on the replica in {replica['region']}", replica
            )


def r18_lookup_providers(ctx: Context) -> Iterator[Hit]:
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


def r19_unique_names(ctx: Context) -> Iterator[Hit]:
    """No two resources of a type share a physical name in one scope."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in sorted(ctx.resources, key=lambda r: (r["file"] or "", r["line"] or 0, r["name"])):
        name = physical_name(r)
        if name is None:
            continue
        scope = "global" if service_of(r["type"]) in GLOBAL_SERVICES else str(r["region"])
        key = (r["type"], name, scope)
        if key in seen:
            where = "account-wide" if scope == "global" else f"in {scope}"
            yield Hit(f"physical name {name!r} is also used by {seen[key]['name']} ({where})", r)
        else:
            seen[key] = r


# --- rules beyond the ten ---------------------------------------------------------------------

ALARM_ACTION_KEYS = ("alarmActions", "okActions", "insufficientDataActions")
#: Services whose ARNs CloudWatch takes as alarm actions (SNS, Lambda, EC2 and Auto Scaling,
#: Systems Manager OpsCenter and Incident Manager, investigations):
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html
ALARM_ACTION_SERVICES = (
    "sns",
    "lambda",
    "autoscaling",
    "automate",
    "ssm",
    "ssm-incidents",
    "aiops",
)
ARN_SERVICE_RE = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):")


def r20_alarm_actions(ctx: Context) -> Iterator[Hit]:
    """An alarm must act on something CloudWatch can act on."""
    for alarm in ctx.of(ALARM):
        actions = [
            str(plain(a)) for key in ALARM_ACTION_KEYS for a in as_list(alarm["inputs"].get(key))
        ]
        enabled = plain(alarm["inputs"].get("actionsEnabled"))
        if enabled is False or str(enabled).lower() == "false":
            yield Hit("actions_enabled is False: it changes state and nobody hears of it", alarm)
        elif not actions:
            yield Hit("has no alarm, OK or insufficient-data action: it notifies nobody", alarm)
        else:
            for action in actions:
                match = ARN_SERVICE_RE.match(action)
                if match is None or match.group(1) not in ALARM_ACTION_SERVICES:
                    yield Hit(
                        f"action {action!r} is not an SNS topic, Lambda function, Auto Scaling, "
                        "EC2 or Systems Manager action: CloudWatch rejects it",
                        alarm,
                    )
                    break


#: Dimensions that name the resource a metric belongs to.
METRIC_DIMENSIONS = (
    "FunctionName",
    "TableName",
    "BucketName",
    "QueueName",
    "TopicName",
    "ApiId",
    "ApiName",
    "LoadBalancer",
    "TargetGroup",
    "DBInstanceIdentifier",
    "DBClusterIdentifier",
    "StreamName",
    "ClusterName",
    "DistributionId",
    "SourceBucket",
)


def _metric_regions(ctx: Context, resource: dict[str, Any]) -> set[str]:
    """Where a resource's metrics are published: its region (and its replicas')."""
    if service_of(resource["type"]) == "cloudfront":
        return {"us-east-1"}  # CloudFront publishes its metrics in us-east-1 only
    found = {resource["region"]} if resource["region"] else set()
    if resource["type"] == TABLE:
        found |= {
            str(plain(r).get("regionName"))
            for r in as_list(resource["inputs"].get("replicas"))
            if isinstance(plain(r), dict)
        }
        arn = plain(resource["outputs"].get("arn"))
        found |= {
            r["region"]
            for r in ctx.of(TABLE_REPLICA)
            if plain(r["inputs"].get("globalTableArn")) == arn and r["region"]
        }
    return found


#: The bucket whose region an S3 Replication metric is published in ("Which Region is this
#: metric published in?"): https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
S3_REPLICATION_METRIC_BUCKET = {
    "BytesPendingReplication": "DestinationBucket",
    "ReplicationLatency": "DestinationBucket",
    "OperationsPendingReplication": "DestinationBucket",
    "OperationsFailedReplication": "SourceBucket",
}


def _metric_keys(namespace: Any, metric_name: Any) -> tuple[str, ...]:
    """The dimensions that say where this metric is published."""
    if namespace == "AWS/S3" and metric_name in S3_REPLICATION_METRIC_BUCKET:
        return (S3_REPLICATION_METRIC_BUCKET[metric_name],)
    return METRIC_DIMENSIONS


def r21_alarm_metric_region(ctx: Context) -> Iterator[Hit]:
    """An alarm lives in the region of the metric it watches (Route 53 is R13's).

    Metrics exist only in the region they are published in:
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html
    """
    for alarm in ctx.of(ALARM):
        inputs = alarm["inputs"]
        metrics = [
            (
                plain(inputs.get("dimensions")) or {},
                _metric_keys(plain(inputs.get("namespace")), plain(inputs.get("metricName"))),
            )
        ]
        for query in as_list(inputs.get("metricQueries")):
            metric = (plain(query) or {}).get("metric") if isinstance(plain(query), dict) else None
            if isinstance(metric, dict):
                keys = _metric_keys(plain(metric.get("namespace")), plain(metric.get("metricName")))
                metrics.append((plain(metric.get("dimensions")) or {}, keys))
        for found, keys in metrics:
            if not isinstance(found, dict):
                continue
            for key in keys:
                value = plain(found.get(key))
                if not isinstance(value, str) or not value:
                    continue
                targets = [
                    t
                    for t in ctx.handles.get(value, [])
                    if service_of(t["type"]) not in ("iam", "route53")
                ]
                regions = set().union(*(_metric_regions(ctx, t) for t in targets))
                if targets and regions and alarm["region"] not in regions:
                    yield Hit(
                        f"watches {key}={value} of {targets[0]['name']}, whose metrics are in "
                        f"{', '.join(sorted(regions))}, from {alarm['region']}: it never fires",
                        alarm,
                    )


POLICY_TYPES = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
#: AWS managed policies that grant every action on every resource (or nearly).
ADMIN_POLICIES = ("AdministratorAccess",)


def _policy_documents(resource: dict[str, Any]) -> Iterator[Any]:
    key = POLICY_TYPES.get(resource["type"])
    if key:
        yield parse_json(resource["inputs"].get(key))
    if resource["type"] == "aws:iam/role:Role":
        for inline in as_list(resource["inputs"].get("inlinePolicies")):
            if isinstance(plain(inline), dict):
                yield parse_json(plain(inline).get("policy"))


def r22_iam_wildcards(ctx: Context) -> Iterator[Hit]:
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


#: Inputs that name things without needing them to exist (metric dimensions, labels).
NOT_REFERENCES = frozenset({"tags", "tagsAll", "dimensions", "description", "comment"})


def _reference_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, string) of every direct string input, documents and labels left out."""
    value = plain(value)
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_REFERENCES:
                yield from _reference_strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _reference_strings(item, f"{path}[{index}]")
    elif isinstance(value, str) and value:
        yield path, value


def r23_create_order(ctx: Context) -> Iterator[Hit]:
    """A resource that names another of the stack by constructed ARN or name waits for it.

    The engine orders creates only by dependencies: a string built by hand carries none, so
    the referring resource can be created first, and AWS rejects it (Route 53: an alias to a
    record set that does not exist yet;
    https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html).
    """
    by_handle: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in ctx.resources:
        arn = plain(r["outputs"].get("arn"))
        if isinstance(arn, str) and arn.startswith("arn:"):
            by_handle[arn].append(r)
        name = physical_name(r)
        if name and r["type"] not in USER_CHOSEN_NAMES:
            by_handle[name].append(r)
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in ctx.of(RECORD):
        name = str(plain(record["inputs"].get("name")) or "").rstrip(".").lower()
        records[name].append(record)
    for r in ctx.resources:
        found: list[tuple[str, list[dict[str, Any]]]] = []
        for path, value in _reference_strings(r["inputs"], ""):
            if path == PHYSICAL_NAMES.get(r["type"], "name"):
                continue  # its own name
            if r["type"] == RECORD and re.fullmatch(r"aliases\[\d+\]\.name", path):
                targets = records.get(value.rstrip(".").lower(), [])
            else:
                targets = by_handle.get(value, [])
            targets = [t for t in targets if t is not r]
            if targets:
                # the same string may be another resource's id that this one waits for
                found.append((path, targets + ctx.handles.get(value, [])))
        for path, targets in found:
            if not any(ctx.waits_for(r, t) for t in targets):
                target = targets[0]
                yield Hit(
                    f"{path} names {target['type'].rsplit(':', 1)[-1]} {target['name']} by a "
                    "constructed string, without a dependency on it: the first deploy can "
                    "create this first, and AWS rejects it (pass the output, or depends_on)",
                    r,
                )
                break


LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
#: Addresses Route 53's health checkers, on the internet, cannot reach:
#: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def _host(value: Any) -> str:
    text = str(plain(value) or "")
    return re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split(":", 1)[0].lower()


def _route_serves(route_key: str, method: str, path: str) -> bool:
    """Whether an HTTP API route key (`GET /health`, `ANY /{proxy+}`, `$default`) takes it."""
    if route_key == "$default":
        return True
    verb, _, pattern = route_key.partition(" ")
    if verb not in (method, "ANY"):
        return False
    regex = "".join(
        ".+" if part.endswith("+}") else "[^/]+" if part.startswith("{") else re.escape(part)
        for part in re.split(r"(\{[^}]+\})", pattern)
        if part
    )
    return re.fullmatch(regex, path) is not None


def r24_health_check_can_pass(ctx: Context) -> Iterator[Hit]:
    """A health check probes something that can answer it: a public endpoint, served.

    Route 53's checkers are on the internet and need a 2xx/3xx answer on the probed port:
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
    """
    for hc in ctx.of(HEALTH_CHECK):
        kind = str(plain(hc["inputs"].get("type")) or "")
        if not kind.startswith(("HTTP", "TCP")):
            continue
        ip = plain(hc["inputs"].get("ipAddress"))
        host = _host(hc["inputs"].get("fqdn"))
        secure = kind.startswith("HTTPS")
        port = plain(hc["inputs"].get("port")) or (443 if secure else 80)
        path = str(plain(hc["inputs"].get("resourcePath")) or "/")
        path = "/" + path.lstrip("/")
        if ip:
            try:
                address = ipaddress.ip_address(str(ip))
            except ValueError:
                continue  # R2's finding
            if any(address in net for net in PRIVATE_NETWORKS):
                yield Hit(f"ip_address {ip} is private: Route 53's checkers cannot reach it", hc)
            continue
        if not host:
            continue
        for db in ctx.of("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
            hosts = {_host(db["outputs"].get(k)) for k in ("address", "endpoint")}
            if host in hosts and not _truthy(db["inputs"].get("publiclyAccessible")):
                yield Hit(
                    f"probes the private database endpoint of {db['name']}: Route 53's checkers "
                    "are on the internet and never reach it",
                    hc,
                )
        for lb in ctx.of(*LOAD_BALANCERS):
            if _host(lb["outputs"].get("dnsName")) != host:
                continue
            arn = plain(lb["outputs"].get("arn"))
            listeners = [
                ln for ln in ctx.of(*LISTENERS) if plain(ln["inputs"].get("loadBalancerArn")) == arn
            ]
            on_port = [ln for ln in listeners if plain(ln["inputs"].get("port")) == port]
            if not on_port:
                ports = sorted({str(plain(ln["inputs"].get("port"))) for ln in listeners})
                yield Hit(
                    f"{kind} on port {port}, but {lb['name']} listens on "
                    f"{', '.join(ports) or 'no port'}: the check never passes",
                    hc,
                )
            elif kind.startswith("HTTP") and all(
                str(plain(ln["inputs"].get("protocol")) or "HTTP").upper()
                != ("HTTPS" if secure else "HTTP")
                for ln in on_port
            ):
                yield Hit(
                    f"{kind} on port {port}, but {lb['name']} speaks "
                    f"{plain(on_port[0]['inputs'].get('protocol')) or 'HTTP'} there",
                    hc,
                )
        for api in ctx.of("aws:apigatewayv2/api:Api"):
            if _host(api["outputs"].get("apiEndpoint")) != host or not kind.startswith("HTTP"):
                continue
            api_id = plain(api["outputs"].get("id"))
            routes = [
                str(plain(r["inputs"].get("routeKey")) or "")
                for r in ctx.of("aws:apigatewayv2/route:Route")
                if plain(r["inputs"].get("apiId")) == api_id
            ]
            routes += (
                [str(plain(api["inputs"].get("routeKey")) or "")]
                if plain(api["inputs"].get("target"))
                else []
            )
            stages = [
                str(plain(st["inputs"].get("name")) or "")
                for st in ctx.of("aws:apigatewayv2/stage:Stage")
                if plain(st["inputs"].get("apiId")) == api_id
            ]
            served = path
            named = [st for st in stages if st != "$default"]
            if "$default" not in stages and named:
                prefix = next((f"/{st}" for st in named if path.startswith(f"/{st}/")), None)
                served = path[len(prefix) :] if prefix else ""
            if not served or not any(_route_serves(key, "GET", served) for key in routes):
                yield Hit(
                    f"GET {path} on {api['name']}, which has no route for it "
                    f"({', '.join(sorted(routes)) or 'no routes'}): every probe fails",
                    hc,
                )


def r25_routing_between_regions(ctx: Context) -> Iterator[Hit]:
    """Health checks or DNS over several regional fronts need a routing record to steer.

    Only failover, latency, weighted or geolocation records act on health:
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html
    """
    if any(any(plain(r["inputs"].get(k)) for k in ROUTING) for r in ctx.of(RECORD)):
        return
    checks = ctx.of(HEALTH_CHECK)
    records = ctx.of(RECORD)
    if not checks and not records:
        return  # no DNS at all: failing over is the clients' business (docs/audit.md)
    regions = {f["region"] for f in ctx.of(*FRONTS) if f["region"]}
    for hc in checks:
        regions |= set(REGION_RE.findall(str(plain(hc["inputs"].get("fqdn")) or "")))
    if len(regions) < 2:
        return
    yield Hit(
        f"endpoints in {', '.join(sorted(regions))} and "
        f"{'health checks' if checks else 'DNS records'}, but no failover, latency, weighted or "
        "geolocation record: nothing steers traffic away from a failed region",
        (records or checks)[0],  # a plain record is where the routing policy is missing
    )


RULES = [
    Rule(
        "R1",
        "error",
        "VPC function cannot reach AWS services",
        (
            "Add a NAT gateway, or VPC endpoints (gateway for DynamoDB/S3, interface for the "
            "others) for every service the function uses, in its VPC."
        ),
        r1_vpc_function_reach,
        scope=(
            "Functions with vpc_config subnets; services from the actions of the role's inline "
            "policies; NAT gateways and VPC endpoints in the function's VPC and region."
        ),
        blind_spots=(
            "Managed policies attached to the role and services reached without IAM (plain HTTPS) "
            "are not counted; a NAT gateway without a route to it passes."
        ),
        url="https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html",
    ),
    Rule(
        "R2",
        "error",
        "Route 53 health check or zone that cannot work",
        (
            "Health checks: fqdn=<host> (no scheme or path) or a real ip_address; use an existing "
            "hosted zone from stack config instead of creating one."
        ),
        r2_dns_targets,
        scope=(
            "Route 53 health checks (ip_address, fqdn) and hosted zones the program creates "
            "(a public zone is a warning)."
        ),
        blind_spots=(
            "Whether the domain is really delegated to a created zone, or an fqdn resolves at all, "
            "needs the real DNS."
        ),
        url="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html",
    ),
    Rule(
        "R3",
        "error",
        "Output pasted into a string",
        (
            "Build documents from outputs with Output.all/apply/concat or Output.json_dumps, "
            "never an f-string or json.dumps on an Output."
        ),
        r3_output_in_string,
        scope=(
            "Every input of every resource: the text Pulumi puts in place of a stringified Output; "
            "policy and assume_role_policy must parse as JSON."
        ),
        blind_spots=(
            "An Output pasted into a string that a program never sends to the engine (logged, "
            "exported through another Output) is not seen."
        ),
        url="https://www.pulumi.com/docs/concepts/inputs-outputs/",
    ),
    Rule(
        "R4",
        "error",
        "S3 replication before versioning",
        (
            "Enable BucketVersioning on the source and every destination and give the "
            "BucketReplicationConfig depends_on=[...all versionings, destination buckets]."
        ),
        r4_replication_order,
        scope=(
            "BucketReplicationConfig: versioning of the source and every destination, and "
            "dependencies on them and on the destination buckets."
        ),
        blind_spots=(
            "Replication configured inline on a bucket (deprecated) or through another stack's "
            "buckets is not followed."
        ),
        url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html",
    ),
    Rule(
        "R5",
        "error",
        "Public Function URL without both permissions",
        (
            "Add lambda.Permission(action='lambda:InvokeFunctionUrl', "
            "function_url_auth_type='NONE', principal='*') and "
            "lambda.Permission(action='lambda:InvokeFunction', invoked_via_function_url=True, "
            "principal='*') on the same function."
        ),
        r5_function_url_permissions,
        scope=(
            "FunctionUrl with authorization_type NONE and the lambda.Permission resources on the "
            "same function."
        ),
        blind_spots=(
            "Permissions granted outside the stack (another stack, the console) are not seen."
        ),
        url="https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    ),
    Rule(
        "R6",
        "error",
        "Secret in code or plain-text config",
        (
            "Read it with pulumi.Config().require_secret(...) (set with `pulumi config set "
            "--secret`) or generate it (random.RandomPassword); keep it a Pulumi secret."
        ),
        r6_secrets_in_code,
        scope=(
            "Inputs of every resource and provider under secret-looking keys, secret values (and "
            "their JSON fields) that are literals in the program's own files (tests left out), "
            "literal fallbacks (get_secret(...) or '...', defaults, Output.secret('...')) read "
            "from the source, and plain-text stack config."
        ),
        blind_spots=(
            "A secret built from several literals, or read from a file or environment variable at "
            "run time, is not recognised; keys with unusual names are not treated as secrets."
        ),
        url="https://www.pulumi.com/docs/concepts/secrets/",
    ),
    Rule(
        "R7",
        "warning",
        "No tests under Pulumi mocks",
        (
            "Add tests that run the program under pulumi.runtime.set_mocks and assert on the "
            "resources' inputs."
        ),
        r7_tests,
        scope="The project's test files (test*.py or under tests/) that mention set_mocks.",
        blind_spots="Whether the tests assert anything, or cover the program, is not judged.",
        url="https://www.pulumi.com/docs/using-pulumi/testing/unit/",
    ),
    Rule(
        "R8",
        "error",
        "Physical name without the environment suffix",
        (
            "Put the stack's environment suffix into every explicit physical name (or leave the "
            "name out and let Pulumi autoname it)."
        ),
        r8_env_suffix,
        scope=(
            "Explicit physical names of the types in PHYSICAL_NAMES; the suffix is the stack name "
            "or the value of a suffix-like config key (envSuffix, environment_suffix, env, stage, "
            "suffix, ... in any case, with _ or -), matched as a whole name token."
        ),
        blind_spots=(
            "Types outside the list, and names that are unique for another reason (a region or "
            "account in them) without the suffix, are judged by the list only."
        ),
        url="https://www.pulumi.com/docs/concepts/resources/names/#autonaming",
    ),
    Rule(
        "R9",
        "error",
        "VPC peering without accepter or routes",
        (
            "Request with auto_accept=False, accept with a VpcPeeringConnectionAccepter through "
            "the peer region's provider, and add routes to the peer CIDR on both sides."
        ),
        r9_peering,
        scope="VpcPeeringConnection, its accepters and the routes through it.",
        blind_spots=(
            "Whether the route tables carrying the routes are the ones the subnets use, and CIDR "
            "overlap, are not checked."
        ),
        url="https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html",
    ),
    Rule(
        "R10",
        "error",
        "Resource not pinned to a region",
        (
            "Create one aws.Provider per region and pass provider= to every AWS resource; spread "
            "the stack over at least two regions."
        ),
        r10_explicit_providers,
        scope=(
            "Every AWS resource: an explicit provider or a v7 region input. IAM, Route 53 and "
            "CloudFront are global: on the default provider they are reported only when the "
            "explicit providers' credentials, profile, assume_role or endpoints differ from the "
            "default's (stack config). Also: regional resources in fewer than two regions."
        ),
        blind_spots=(
            "The ambient credentials and AWS_REGION of the machine that deploys are not known; a "
            "provider built from another provider's settings at run time is compared by its inputs "
            "only."
        ),
        url="https://www.pulumi.com/registry/packages/aws/api-docs/provider/",
    ),
    Rule(
        "R11",
        "error",
        "Region not reachable through health-checked DNS",
        (
            "Give every region's front a health-checked DNS record (a failover chain: each "
            "SECONDARY aliases the next pair with evaluate_target_health, or latency records with "
            "health checks)."
        ),
        r11_dns_reaches_every_region,
        scope=(
            "Route 53 records with a routing policy, followed through alias chains and "
            "health-check targets, against the regions that have a front (function URL, HTTP or "
            "REST API, load balancer)."
        ),
        blind_spots=(
            "Fronts of other kinds (CloudFront, EC2 hosts, Global Accelerator) are not recognised; "
            "a region is matched by its name in the target host."
        ),
        url="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html",
    ),
    Rule(
        "R12",
        "error",
        "Alarm topic nobody can hear",
        ("Export every alarm topic's ARN (pulumi.export) or subscribe the on-call address to it."),
        r12_alarm_topics_reachable,
        scope="SNS topics that alarms notify: exported or subscribed in the stack.",
        blind_spots=(
            "Subscriptions made outside the stack (another stack, the console, an email confirmed "
            "later) are not seen."
        ),
        url="https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html",
    ),
    Rule(
        "R13",
        "error",
        "Health check without an alarm",
        (
            "Add a CloudWatch alarm on AWS/Route53 HealthCheckStatus (dimension HealthCheckId) in "
            "us-east-1 for every health check."
        ),
        r13_health_checks_alarmed,
        scope="Every Route 53 health check: an alarm on AWS/Route53 HealthCheckId, in us-east-1.",
        blind_spots="Alarms in metric_queries (math expressions) are not followed.",
        url="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html",
    ),
    Rule(
        "R14",
        "error",
        "Stateful data without deletion protection",
        (
            "Set deletion_protection_enabled=True on the table and every TableReplicaArgs "
            "(deletion_protection=True on databases)."
        ),
        r14_data_protected,
        scope=(
            "DynamoDB tables and their inline replicas, TableReplica resources, RDS instances and "
            "clusters."
        ),
        blind_spots=(
            "Other stateful services (S3 object lock, EFS, ElastiCache) are not judged; Pulumi's "
            "protect= is not counted as deletion protection."
        ),
        url="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html",
    ),
    Rule(
        "R15",
        "error",
        "Bucket accepts requests without TLS",
        ("Add a BucketPolicy denying s3:* when aws:SecureTransport is false."),
        r15_tls_only,
        scope="Every bucket: a BucketPolicy on it denying requests with aws:SecureTransport false.",
        blind_spots="A deny through an organisation SCP or another stack's policy is not seen.",
        url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    ),
    Rule(
        "R16",
        "error",
        "Bucket public access not blocked",
        ("Add a BucketPublicAccessBlock with all four settings true."),
        r16_public_access_blocked,
        scope="Every bucket: a BucketPublicAccessBlock with all four settings true.",
        blind_spots="An account-level public access block is not seen.",
        url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
    Rule(
        "R17",
        "error",
        "Table without point-in-time recovery",
        (
            "Set point_in_time_recovery=TablePointInTimeRecoveryArgs(enabled=True) and "
            "point_in_time_recovery=True on every replica."
        ),
        r17_pitr,
        scope=(
            "DynamoDB tables, their inline replicas and TableReplica resources: point-in-time "
            "recovery on."
        ),
        blind_spots="Backups by AWS Backup plans instead of PITR are not recognised.",
        url="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",
    ),
    Rule(
        "R18",
        "error",
        "Lookup without an explicit provider",
        (
            "Pass opts=pulumi.InvokeOptions(provider=...) (or InvokeOutputOptions) to every "
            "data-source lookup."
        ),
        r18_lookup_providers,
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
    ),
    Rule(
        "R19",
        "error",
        "Physical name used twice in one scope",
        ("Put the region (for regional services) or a unique part into each physical name."),
        r19_unique_names,
        scope=(
            "Explicit physical names of one type: IAM, S3, Route 53 and CloudFront per account, "
            "the others per region."
        ),
        blind_spots=(
            "Names already taken outside the stack (another stack, another account for S3) are not "
            "known."
        ),
        url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    ),
    Rule(
        "R20",
        "error",
        "Alarm that acts on nothing",
        (
            "Give every MetricAlarm alarm_actions (an SNS topic, Lambda function, Auto Scaling, "
            "EC2 or Systems Manager ARN) and keep actions_enabled on."
        ),
        r20_alarm_actions,
        scope=(
            "Every MetricAlarm: alarm, OK and insufficient-data actions, actions_enabled, and "
            "whether each action is an ARN of a service CloudWatch can act through."
        ),
        blind_spots=(
            "Composite alarms and EventBridge rules on alarm state changes are not counted as "
            "actions; whether a topic has subscribers is R12's."
        ),
        url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html",
    ),
    Rule(
        "R21",
        "error",
        "Alarm on a metric of another region",
        (
            "Create each alarm through the provider of the region its resource is in "
            "(CloudFront and Route 53 metrics: us-east-1)."
        ),
        r21_alarm_metric_region,
        scope=(
            "MetricAlarm dimensions (and metric_queries) that name a resource of the stack "
            "(FunctionName, TableName, BucketName, ApiId, LoadBalancer, ...): the alarm's region "
            "must be one the resource publishes metrics in (a global table's replicas count). "
            "S3 Replication metrics are judged by the bucket whose region publishes them: "
            "DestinationBucket for ReplicationLatency and the pending ones, SourceBucket for "
            "OperationsFailedReplication."
        ),
        blind_spots=(
            "Dimensions naming resources outside the stack, and custom metrics published "
            "elsewhere, are not judged; Route 53 health-check alarms are R13's."
        ),
        url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html",
    ),
    Rule(
        "R22",
        "error",
        "IAM policy allows everything",
        (
            "Grant the actions the role needs on this stack's resources' ARNs; never Action "
            "'*' or 'service:*' on Resource '*', nor AdministratorAccess."
        ),
        r22_iam_wildcards,
        scope=(
            "Allow statements of IAM policies, role, user and group policies and roles' inline "
            "policies; AdministratorAccess attached as a managed policy."
        ),
        blind_spots=(
            "NotAction / NotResource, wildcards such as 's3:Get*', and resource-based policies "
            "(bucket, queue, key policies) are not judged."
        ),
        url="https://docs.aws.amazon.com/controltower/latest/controlreference/iam-rules.html",
    ),
    Rule(
        "R23",
        "error",
        "Reference by constructed name without a dependency",
        (
            "Pass the other resource's output (record.name, topic.arn, bucket.id) instead of a "
            "string built by hand, or add depends_on=[...] on it."
        ),
        r23_create_order,
        scope=(
            "Every input string equal to the ARN or explicit physical name of another resource "
            "of the stack (or, for Route 53 aliases, to another record's name), when the "
            "resource does not wait for it."
        ),
        blind_spots=(
            "Names inside JSON documents (policies), metric dimensions and tags are not taken "
            "as references; a name that differs by case or a trailing part is not matched."
        ),
        url="https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html",
    ),
    Rule(
        "R24",
        "error",
        "Health check that cannot pass",
        (
            "Probe a public endpoint on a port and protocol it listens on, on a path and method "
            "it serves (GET); never a private address or a private database endpoint."
        ),
        r24_health_check_can_pass,
        scope=(
            "Route 53 HTTP(S)/TCP health checks against the stack's load balancers (listener "
            "ports and protocols), HTTP APIs (routes and stages, GET), RDS endpoints "
            "(publicly_accessible) and private IP addresses."
        ),
        blind_spots=(
            "REST APIs, CloudFront and custom domains in front of an API are not followed; "
            "whether the endpoint answers 2xx/3xx is only known by a real probe."
        ),
        url="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html",
    ),
    Rule(
        "R25",
        "error",
        "Regions without a routing record to steer between them",
        (
            "Add failover (PRIMARY/SECONDARY, chained for more regions) or latency records with "
            "health checks over the regional fronts."
        ),
        r25_routing_between_regions,
        scope=(
            "Programs whose fronts (function URLs, APIs, load balancers) or health-check targets "
            "span two or more regions and that manage DNS (health checks or records), but have "
            "no failover, latency, weighted or geolocation record."
        ),
        blind_spots=(
            "A program with no DNS at all (clients, Global Accelerator or another stack steer) "
            "is not reported; records in another stack are not seen."
        ),
        url="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html",
    ),
]
RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True)
class Finding:
    """One rule broken by one resource, with where it was declared and what to change."""

    rule: str
    severity: str
    title: str
    message: str
    fix: str
    resource_type: str | None
    resource_name: str | None
    file: str | None
    line: int | None


def check(program: Program, record: Record, rule_ids: Iterable[str]) -> list[Finding]:
    """Every finding of the chosen rules, minus those waived inline on the declaring line."""
    ctx = Context(program, record)
    findings = []
    for rule_id in rule_ids:
        rule = RULES_BY_ID[rule_id]
        hits = sorted(
            rule.check(ctx),
            key=lambda h: (
                h.file or (h.resource or {}).get("file") or "",
                h.line or (h.resource or {}).get("line") or 0,
            ),
        )
        for hit in hits:
            file = hit.file or (hit.resource or {}).get("file")
            line = hit.line or (hit.resource or {}).get("line")
            if file and line and waived(program.root / file, line, rule.id):
                continue
            findings.append(
                Finding(
                    rule=rule.id,
                    severity=hit.severity or rule.severity,
                    title=rule.title,
                    message=hit.message,
                    fix=rule.fix,
                    resource_type=(hit.resource or {}).get("type"),
                    resource_name=(hit.resource or {}).get("name"),
                    file=file,
                    line=line,
                )
            )
    return findings


WAIVER_RE = re.compile(r"#\s*drgen:\s*ignore\[([A-Za-z0-9,\s]+)\]")


def waived(path: Path, line: int, rule_id: str) -> bool:
    """Whether the declaring line carries `# drgen: ignore[R5]` for this rule."""
    try:
        text = path.read_text(errors="replace").splitlines()[line - 1]
    except (OSError, IndexError):
        return False
    match = WAIVER_RE.search(text)
    if match is None:
        return False
    return rule_id in {part.strip().upper() for part in match.group(1).split(",")}
