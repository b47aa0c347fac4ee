"""The child side of `drgen audit`: runs Pulumi programs under recording mocks.

Run as a script (`python runner.py JOBS.json OUT.json`) by the target program's own
interpreter, so it imports only the standard library and `pulumi`: never drgen. Each job
names a program directory, its entry and its stack config; the output holds, per job,
what the program would have sent to the engine, or the program's own error.
"""

from __future__ import annotations

import collections.abc
import contextlib
import inspect
import json
import os
import platform
import re
import runpy
import sys
import traceback
import typing
import warnings
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ACCOUNT_ID = "123456789012"
PROVIDER_PREFIX = "pulumi:providers:"
#: Tag of a secret value in the record (the mocks' own wrapper is an implementation detail).
SECRET_TAG = "$secret"  # noqa: S105 - a tag, not a secret


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


class Locator:
    """Where in the program's own files something was declared: the innermost frame there."""

    def __init__(self, root: Path, excluded: list[Path]) -> None:
        self.root = root
        self.excluded = excluded
        self._relative: dict[str, str | None] = {}

    def relative(self, filename: str) -> str | None:
        """The file's path in the program, or None when it is not the program's own."""
        if filename not in self._relative:  # resolving is slow: once per file
            self._relative[filename] = self._resolve(filename)
        return self._relative[filename]

    def _resolve(self, filename: str) -> str | None:
        try:
            path = Path(filename).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(self.root) or "site-packages" in path.parts:
            return None
        if any(path.is_relative_to(ex) for ex in self.excluded):
            return None
        return path.relative_to(self.root).as_posix()

    def here(self) -> tuple[str | None, int | None]:
        """The program file and line of the caller's caller's innermost own frame."""
        frame = sys._getframe(2)
        while frame is not None:
            rel = self.relative(frame.f_code.co_filename)
            if rel is not None:
                return rel, frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None, None


def jsonable(value: Any) -> Any:
    """Inputs as plain JSON: secrets tagged, assets and resources named."""
    from pulumi.runtime import rpc

    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return {SECRET_TAG: jsonable(value.get("value"))}
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    path = getattr(value, "path", None)
    if path is not None:
        return {"$asset": str(path)}
    return {"$object": type(value).__name__}


def _plain(value: Any) -> Any:
    from pulumi.runtime import rpc

    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return _plain(value.get("value"))
    return value


def _autoname(name: str) -> str:
    return f"{name}-{_crc(name) & 0xFFFFFFF:07x}"


#: Id prefixes AWS uses, so programs that parse ids (or rules that read them) see real shapes.
ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:route53/healthCheck:HealthCheck": "hc-",
    "aws:route53/zone:Zone": "Z",
}

#: The input that holds each type's physical name, where it is not `name`.
NAME_INPUTS = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:lambda/function:Function": "name",
    "aws:sqs/queue:Queue": "name",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
}


def computed_outputs(
    typ: str, name: str, inputs: dict[str, Any], region: str | None
) -> tuple[str, dict[str, Any]]:
    """An id and the outputs AWS would compute, for the fields programs commonly read."""
    region = region or "us-east-1"
    key = NAME_INPUTS.get(typ, "name")
    physical = _plain(inputs.get(key)) or _autoname(name)
    prefix = ID_PREFIXES.get(typ)
    ident = f"{prefix}{_crc(f'{typ}/{name}'):08x}" if prefix else str(physical)
    service = typ.split(":")[1].split("/")[0] if ":" in typ else "resource"
    arn_service = {"lambda": "lambda", "cloudwatch": "logs", "apigatewayv2": "apigateway"}.get(
        service, service
    )
    out: dict[str, Any] = {key: physical, "id": ident}
    out["arn"] = f"arn:aws:{arn_service}:{region}:{ACCOUNT_ID}:{physical}"
    h = f"{_crc(f'{region}/{typ}/{name}'):010d}"
    if typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        out.update(
            arn=f"arn:aws:s3:::{physical}",
            bucketDomainName=f"{physical}.s3.amazonaws.com",
            bucketRegionalDomainName=f"{physical}.s3.{region}.amazonaws.com",
            websiteEndpoint=f"{physical}.s3-website-{region}.amazonaws.com",
            websiteDomain=f"s3-website-{region}.amazonaws.com",
            hostedZoneId="Z3AQBSTGFYJSTF",
            region=region,
        )
    elif "bucketWebsiteConfiguration" in typ:
        bucket = _plain(inputs.get("bucket"))
        out.update(
            websiteEndpoint=f"{bucket}.s3-website-{region}.amazonaws.com",
            websiteDomain=f"s3-website-{region}.amazonaws.com",
        )
    elif typ.startswith("aws:iam/"):
        kind = typ.rsplit(":", 1)[1].lower()
        out["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:{kind}/{physical}"
        out["uniqueId"] = f"AROA{h}"
    elif typ == "aws:dynamodb/table:Table":
        out["arn"] = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{physical}"
        out["streamArn"] = f"{out['arn']}/stream/2026-01-01T00:00:00.000"
    elif typ == "aws:secretsmanager/secret:Secret":
        out["arn"] = f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{physical}-AbCdEf"
    elif typ == "aws:cloudwatch/logGroup:LogGroup":
        out["arn"] = f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{physical}"
    elif typ == "aws:lambda/function:Function":
        arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{physical}"
        out.update(
            arn=arn,
            qualifiedArn=f"{arn}:$LATEST",
            version="$LATEST",
            invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
        )
    elif typ == "aws:lambda/functionUrl:FunctionUrl":
        function_name = _plain(inputs.get("functionName"))
        url_id = f"url{_crc(f'{region}/{function_name}'):010d}"
        out.update(urlId=url_id, functionUrl=f"https://{url_id}.lambda-url.{region}.on.aws/")
    elif typ == "aws:apigatewayv2/api:Api":
        api_id = f"api{h}"
        out.update(
            id=api_id,
            apiEndpoint=f"https://{api_id}.execute-api.{region}.amazonaws.com",
            executionArn=f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}",
            arn=f"arn:aws:apigateway:{region}::/apis/{api_id}",
        )
    elif typ == "aws:apigateway/restApi:RestApi":
        out.update(
            id=f"rest{h}",
            rootResourceId=f"root{h}",
            executionArn=f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:rest{h}",
        )
    elif typ in ("aws:apigateway/stage:Stage", "aws:apigateway/deployment:Deployment"):
        api = _plain(inputs.get("restApi")) or f"rest{h}"
        out["invokeUrl"] = f"https://{api}.execute-api.{region}.amazonaws.com/"
        out["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api}/"
    elif typ == "aws:apigatewayv2/stage:Stage":
        out["invokeUrl"] = f"https://api{h}.execute-api.{region}.amazonaws.com/"
    elif typ == "aws:acm/certificate:Certificate":
        domain = str(_plain(inputs.get("domainName")) or "example.com")
        out["domainValidationOptions"] = [
            {
                "domainName": domain,
                "resourceRecordName": f"_0123abcd.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": "_4567efgh.acm-validations.aws.",
            }
        ]
        out["arn"] = f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{h}"
    elif typ == "aws:apigatewayv2/domainName:DomainName":
        configuration = dict(_plain(inputs.get("domainNameConfiguration")) or {})
        configuration["targetDomainName"] = f"d-{h}.execute-api.{region}.amazonaws.com"
        configuration["hostedZoneId"] = "Z1UJRXOUMOOFQ8"
        out["domainNameConfiguration"] = configuration
    elif typ == "aws:apigateway/domainName:DomainName":
        out.update(
            regionalDomainName=f"d-{h}.execute-api.{region}.amazonaws.com",
            regionalZoneId="Z1UJRXOUMOOFQ8",
            cloudfrontDomainName=f"d{h}.cloudfront.net",
            cloudfrontZoneId="Z2FDTNDATAQYW2",
        )
    elif typ == "aws:route53/zone:Zone":
        out.update(zoneId=ident, nameServers=[f"ns-{n}.awsdns-{n}.org" for n in (1, 2)])
    elif typ == "aws:route53/record:Record":
        out["fqdn"] = str(_plain(inputs.get("name")) or name).rstrip(".")
    elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
        service = str(_plain(inputs.get("serviceName")) or "").rsplit(".", 1)[-1]
        out.update(
            prefixListId=f"pl-{service}-{region}",
            dnsEntries=[{"dnsName": f"{ident}.{service}.{region}.vpce.amazonaws.com"}],
        )
    elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
        out.update(dnsName=f"{physical}-{h}.{region}.elb.amazonaws.com", zoneId="Z35SXDOTRQ7X7K")
    elif typ == "aws:ec2/instance:Instance":
        n = _crc(name) % 250 + 1
        out.update(
            publicIp=f"203.0.113.{n}",
            privateIp=f"10.0.0.{n}",
            publicDns=f"ec2-203-0-113-{n}.{region}.compute.amazonaws.com",
        )
    elif typ == "aws:ec2/eip:Eip":
        out["publicIp"] = f"198.51.100.{_crc(name) % 250 + 1}"
    elif typ == "aws:cloudfront/distribution:Distribution":
        out.update(domainName=f"d{h}.cloudfront.net", hostedZoneId="Z2FDTNDATAQYW2")
    elif typ == "aws:sqs/queue:Queue":
        out["url"] = f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{physical}"
        out["arn"] = f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{physical}"
    elif typ == "aws:kms/key:Key":
        out.update(keyId=f"key-{h}", arn=f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/key-{h}")
    elif typ == "aws:rds/instance:Instance":
        out.update(address=f"{physical}.{h}.{region}.rds.amazonaws.com", port=5432)
        out["endpoint"] = f"{out['address']}:5432"
    elif typ == "aws:ecr/repository:Repository":
        out["repositoryUrl"] = f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{physical}"
    elif typ.startswith("random:"):
        out.update(result=f"audit-placeholder-{h}", hex=f"{h}", b64Std=f"{h}=", dec=h)
    return ident, out


#: What `conform` returns for a value that cannot have the declared output type.
DROP = object()
#: Passed to `conform` to keep what does not fit as it is.
KEEP = object()

#: The multi-language components the mocks can stand in for (their outputs, not their children).
#: Any other remote component is refused by name: its provider plugin would build it.
MODELLED_COMPONENTS = ("awsx:ec2:Vpc", "awsx:ec2:DefaultVpc")


_OUTPUT_TYPES: dict[type, dict[str, Any]] = {}


def output_types(cls: type | None) -> dict[str, Any]:
    """The output types the SDK declares for a resource class (camelCase name -> type)."""
    if cls is None:
        return {}
    if cls not in _OUTPUT_TYPES:  # reading the annotations is slow: once per class
        try:
            from pulumi import _types

            _OUTPUT_TYPES[cls] = dict(_types.resource_types(cls))
        except Exception:  # an SDK without (or with a different) type metadata: no checks
            _OUTPUT_TYPES[cls] = {}
    return _OUTPUT_TYPES[cls]


def _secret_of(value: Any) -> Any:
    from pulumi.runtime import rpc

    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _has_secret(value: Any) -> bool:
    from pulumi.runtime import rpc

    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return True
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False


def _deep_plain(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, dict):
        return {k: _deep_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_plain(v) for v in value]
    return value


def json_text(value: Any) -> Any:
    """A document as the JSON text pulumi-aws sends for it (Go's encoding: sorted, compact)."""
    text = json.dumps(_deep_plain(value), sort_keys=True, separators=(",", ":"))
    return _secret_of(text) if _has_secret(value) else text


def conform(value: Any, typ: Any, misfit: Any = DROP) -> Any:
    """`value` as the SDK's declared output type `typ` accepts it, or `misfit`.

    The SDK raises on a dict or list where it declares something else
    (`rpc.translate_output_properties`); a document where a string is declared becomes
    its JSON text, as in a deploy; anything else that cannot fit is dropped (the default
    `misfit`), so the SDK falls back to the program's input (or None) as it does for a
    missing output. With `misfit=KEEP` a misfit stays as it is (for the record).
    """
    from pulumi import _types
    from pulumi.runtime import rpc

    if typ is None or typ is Any or value is None:
        return value
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        inner = conform(value.get("value"), typ, misfit)
        return DROP if inner is DROP else _secret_of(inner)
    typ = _types.unwrap_optional_type(typ)
    if typ is Any:
        return value
    origin = typing.get_origin(typ)
    args = typing.get_args(typ)
    if typ is str:
        return json_text(value) if isinstance(value, dict | list) else value
    if isinstance(value, dict):
        if inspect.isclass(typ) and _types.is_output_type(typ):
            types = _types.output_type_types(typ)
            fields = {k: conform(v, types.get(k), misfit) for k, v in value.items()}
            return {k: v for k, v in fields.items() if v is not DROP}
        if typ is dict or origin in (dict, collections.abc.Mapping):
            inner_type = args[1] if len(args) == 2 else None
            entries = {k: conform(v, inner_type, misfit) for k, v in value.items()}
            return {k: v for k, v in entries.items() if v is not DROP}
        return value if misfit is KEEP else misfit
    if isinstance(value, list):
        if typ is list or origin in (list, collections.abc.Sequence):
            items = [conform(v, args[0] if args else None, misfit) for v in value]
            return DROP if any(v is DROP for v in items) else items
        return value if misfit is KEEP else misfit
    import pulumi

    if inspect.isclass(typ) and issubclass(typ, pulumi.Resource):
        # a resource reference is declared: an echoed id or name is not one
        return value if misfit is KEEP else misfit
    return value


def conform_all(values: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]:
    """Every value that fits its declared output type, as that type."""
    fitted = {key: conform(value, types.get(key)) for key, value in values.items()}
    return {key: value for key, value in fitted.items() if value is not DROP}


def as_deployed(inputs: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]:
    """Inputs as a deploy sends them: a document given for a string property is JSON text."""
    return {key: conform(value, types.get(key), KEEP) for key, value in inputs.items()}


def component_outputs(
    typ: str, name: str, inputs: dict[str, Any], region: str | None
) -> dict[str, Any]:
    """What a modelled multi-language component reports (ids only, not its child resources)."""
    region = region or "us-east-1"
    if typ == "awsx:ec2:DefaultVpc":  # the default VPC: one public default subnet per zone
        inputs = {"subnetSpecs": [{"type": "Public"}]}
    # awsx.ec2.Vpc: without subnet specs, a public and a private subnet in each of the
    # region's first three availability zones
    # (https://www.pulumi.com/registry/packages/awsx/api-docs/ec2/vpc/).
    zones = [str(z) for z in _plain(inputs.get("availabilityZoneNames")) or []]
    if not zones:
        count = int(_plain(inputs.get("numberOfAvailabilityZones")) or 3)
        zones = [f"{region}{letter}" for letter in "abcdef"[:count]]
    specs = _plain(inputs.get("subnetSpecs")) or [{"type": "Public"}, {"type": "Private"}]
    ids: dict[str, list[str]] = {"Public": [], "Private": [], "Isolated": []}
    for spec in specs:
        kind = str(_plain(spec.get("type")) if isinstance(spec, dict) else "")
        for zone in zones if kind in ids else []:
            ids[kind].append(f"subnet-{_crc(f'{name}/{kind}/{zone}'):08x}")
    return {
        "vpcId": f"vpc-{_crc(f'{typ}/{name}'):08x}",
        "publicSubnetIds": ids["Public"],
        "privateSubnetIds": ids["Private"],
        "isolatedSubnetIds": ids["Isolated"],
    }


def invoke_result(function: str, args: dict[str, Any], region: str | None) -> dict[str, Any]:
    """Answers for the lookups programs commonly make; anything else gets an empty result."""
    region = region or "us-east-1"
    if function == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/audit",
            "userId": "AIDAAUDIT",
            "id": ACCOUNT_ID,
        }
    if function == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.aws"}
    if function == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    if function == "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
            "id": region,
            "names": [f"{region}{z}" for z in "abc"],
            "zoneIds": [f"{region}-az{n}" for n in (1, 2, 3)],
            "groupNames": [region],
        }
    if function == "aws:route53/getZone:getZone":
        zone_id = args.get("zoneId") or f"Z{_crc(str(args.get('name'))):08X}"
        name = str(args.get("name") or "example.com").rstrip(".") + "."
        return {"id": zone_id, "zoneId": zone_id, "name": name, "privateZone": False}
    if function == "aws:ec2/getAmi:getAmi":
        return {"id": "ami-0123456789abcdef0", "architecture": "x86_64", "name": "audit-ami"}
    if function == "aws:ec2/getVpc:getVpc":
        return {"id": "vpc-default", "cidrBlock": "172.31.0.0/16", "default": True}
    if function in ("aws:ec2/getSubnets:getSubnets", "aws:ec2/getSubnetIds:getSubnetIds"):
        return {"id": region, "ids": [f"subnet-{region}-{z}" for z in "abc"]}
    if function == "aws:ec2/getVpcEndpointService:getVpcEndpointService":
        service = args.get("service") or "service"
        return {
            "id": service,
            "serviceName": args.get("serviceName") or f"com.amazonaws.{region}.{service}",
            "availabilityZones": [f"{region}{z}" for z in "abc"],
        }
    if function == "aws:iam/getPolicyDocument:getPolicyDocument":
        return {"json": json.dumps(_policy_document(args)), "id": "policy"}
    return {}


def _policy_document(args: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": st.get("effect", "Allow")}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        if st.get("actions"):
            out["Action"] = st["actions"]
        if st.get("resources"):
            out["Resource"] = st["resources"]
        for principal in st.get("principals") or []:
            out.setdefault("Principal", {})[principal.get("type")] = principal.get("identifiers")
        for cond in st.get("conditions") or []:
            out.setdefault("Condition", {}).setdefault(cond.get("test"), {})[
                cond.get("variable")
            ] = cond.get("values")
        statements.append(out)
    return {"Version": "2012-10-17", "Statement": statements}


class Recorder:
    """Records registrations and lookups of one program run."""

    def __init__(self, locator: Locator, default_region: str | None) -> None:
        self.locator = locator
        self.default_region = default_region
        self.locations: dict[tuple[str, str], tuple[str | None, int | None]] = {}
        self.invoke_locations: dict[str, list[tuple[str | None, int | None]]] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.provider_refs: dict[str, dict[str, Any]] = {}
        self.invokes: list[dict[str, Any]] = []
        self.outputs: dict[tuple[str, str], dict[str, Any]] = {}
        self.classes: dict[tuple[str, str], type] = {}
        self.remote: set[tuple[str, str]] = set()
        #: Multi-language components the mocks cannot stand in for, with where they were declared.
        self.refused: list[tuple[str, str | None, int | None]] = []
        #: The modelled components met, by type: their resource-typed outputs read as None.
        self.components: set[str] = set()

    def place(self, typ: str, name: str) -> tuple[str | None, int | None]:
        """The program file and line that declared a resource."""
        return self.locations.get((typ, name), (None, None))

    def provider_of(self, ref: str) -> dict[str, Any] | None:
        """The provider (name, region) a `urn::id` reference points to."""
        return self.provider_refs.get(ref) if ref else None


def _patch(recorder: Recorder) -> Callable[[], None]:
    """Hook resource construction and lookups to learn where the program declared them."""
    import pulumi
    import pulumi.resource
    import pulumi.runtime

    original_init = pulumi.resource.Resource.__init__

    def init(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        recorder.locations.setdefault((t, name), recorder.locator.here())
        recorder.classes.setdefault((t, name), type(self))
        original_init(self, t, name, *args, **kwargs)

    originals: dict[str, Any] = {}

    def wrap(attr: str) -> None:
        original = getattr(pulumi.runtime, attr)
        originals[attr] = original

        def lookup(token: str, *args: Any, **kwargs: Any) -> Any:
            recorder.invoke_locations.setdefault(token, []).append(recorder.locator.here())
            return original(token, *args, **kwargs)

        setattr(pulumi.runtime, attr, lookup)

    for attr in ("invoke", "invoke_output", "invoke_async"):
        if hasattr(pulumi.runtime, attr):
            wrap(attr)
    pulumi.resource.Resource.__init__ = init  # type: ignore[method-assign]

    def undo() -> None:
        pulumi.resource.Resource.__init__ = original_init  # type: ignore[method-assign]
        for attr, original in originals.items():
            setattr(pulumi.runtime, attr, original)

    return undo


def _make_mocks(recorder: Recorder) -> tuple[Any, Any]:
    import pulumi
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime import rpc

    class RecordingMocks(pulumi.runtime.Mocks):
        def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
            inputs = dict(args.inputs)
            if args.typ.startswith(PROVIDER_PREFIX):
                return f"{args.name}-provider-id", inputs
            if args.typ == "pulumi:pulumi:StackReference":
                # Another stack's outputs are not knowable offline: every one reads as None.
                return args.name, {**inputs, "outputs": {}, "secretOutputNames": []}
            provider = recorder.provider_of(args.provider)
            region = _plain(inputs.get("region")) or (
                provider["region"] if provider else recorder.default_region
            )
            key = NAME_INPUTS.get(args.typ, "name")
            if args.resource_id and key not in inputs:  # `Resource.get(name, id)`: id is the name
                inputs[key] = args.resource_id
            ident, out = computed_outputs(args.typ, args.name, inputs, region)
            if args.resource_id:
                ident = args.resource_id
            if (args.typ, args.name) in recorder.remote:
                if args.typ not in MODELLED_COMPONENTS:
                    recorder.refused.append((args.typ, *recorder.place(args.typ, args.name)))
                    return None, {}
                out = component_outputs(args.typ, args.name, inputs, region)
                recorder.components.add(args.typ)
                ident = ""
            # The SDK checks outputs against the types it declares: echo only what fits.
            types = output_types(recorder.classes.get((args.typ, args.name)))
            state = conform_all({**inputs, **out}, types)
            recorder.outputs[(args.typ, args.name)] = jsonable({**out, "id": ident})
            return ident, state

        def call(self, args: Any) -> Any:
            provider = recorder.provider_of(args.provider)
            region = _plain(args.args.get("region")) or (
                provider["region"] if provider else recorder.default_region
            )
            places = recorder.invoke_locations.get(args.token) or [(None, None)]
            seen = sum(1 for i in recorder.invokes if i["token"] == args.token)
            file, line = places[min(seen, len(places) - 1)]
            recorder.invokes.append(
                {
                    "token": args.token,
                    "args": jsonable(args.args),
                    "provider": provider["name"] if provider else None,
                    "region": region,
                    "file": file,
                    "line": line,
                }
            )
            return invoke_result(args.token, args.args, region)

    class RecordingMonitor(pulumi_mocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:
            if getattr(request, "remote", False):
                recorder.remote.add((request.type, request.name))
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            if request.type == "pulumi:pulumi:Stack":
                return response
            file, line = recorder.place(request.type, request.name)
            is_provider = request.type.startswith(PROVIDER_PREFIX)
            raw_inputs = as_deployed(
                dict(rpc.deserialize_properties(request.object)),
                output_types(recorder.classes.get((request.type, request.name))),
            )
            provider = recorder.provider_of(request.provider)
            region = _plain(raw_inputs.get("region"))  # a provider's own, or a v7 override
            if region is None and not is_provider:
                region = provider["region"] if provider else recorder.default_region
            entry = {
                "type": request.type,
                "name": request.name,
                "urn": response.urn,
                "id": response.id,
                "custom": bool(request.custom),
                "inputs": jsonable(raw_inputs),
                "provider": provider["name"] if provider else None,
                "region": region,
                "dependencies": sorted(set(request.dependencies)),
                "property_dependencies": {
                    k: sorted(v.urns) for k, v in request.propertyDependencies.items()
                },
                "parent": request.parent or None,
                "protect": bool(getattr(request, "protect", False)),
                "retain_on_delete": bool(getattr(request, "retainOnDelete", False)),
                "outputs": recorder.outputs.get((request.type, request.name), {}),
                "file": file,
                "line": line,
            }
            recorder.resources[response.urn] = entry
            if is_provider:
                recorder.provider_refs[f"{response.urn}::{response.id}"] = {
                    "name": request.name,
                    "region": _plain(raw_inputs.get("region")),
                }
            return response

    return RecordingMocks(), RecordingMonitor


@contextlib.contextmanager
def _in_program(root: Path, workdir: Path) -> Iterator[None]:
    """Run in the program's directory, as Pulumi does; forget its modules afterwards.

    sys.path is left alone: `runpy.run_path` puts a directory entry first itself, and a
    file entry gets nothing, as under Pulumi (see `run_job`).
    """
    cwd = os.getcwd()
    os.chdir(workdir)
    before = set(sys.modules)
    try:
        yield
    finally:
        os.chdir(cwd)
        for module in set(sys.modules) - before:
            origin = getattr(sys.modules[module], "__file__", None) or ""
            if origin and Path(origin).resolve().is_relative_to(root):
                del sys.modules[module]


#: How the SDK wraps a failure while preparing a resource's registration (runtime/resource.py).
_WRAPPED = re.compile(r"While processing resource: '(?P<name>[^']*)', type:? '(?P<type>[^']*)'")
#: How the SDK names the resource whose output failed its type check (runtime/rpc.py `_Path`).
_AT_RESOURCE = re.compile(r"at resource `(?P<name>[^`]*)`")
#: Each wrapper quotes the error it wraps after "<kind> has risen: "; the last is the cause.
_RISEN = re.compile(r"(?P<kind>\w+) has risen: ")
#: The SDK wraps a serialization failure once per input level, outermost first.
_INPUT = re.compile(r"While processing input: '(?P<key>[^']*)'")


def _chain(error: BaseException) -> list[BaseException]:
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


def _error_text(error: BaseException, locator: Locator, recorder: Recorder) -> str:
    """The program's failure in one line: the innermost cause, the resource, the line.

    The SDK registers resources asynchronously, so a failure in one surfaces wherever the
    program next waits (often an export); the wrappers name the resource, and the
    recorder knows where the program declared it.
    """
    chain = _chain(error)
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


def _refusal(recorder: Recorder) -> str:
    typ, file, line = recorder.refused[0]
    where = f" ({file}:{line})" if file else ""
    return (
        f"{typ}{where} is a multi-language component: its provider plugin builds its "
        f"resources, which the audit cannot run offline (it models "
        f"{', '.join(MODELLED_COMPONENTS)}); declare those resources with pulumi_aws, "
        "or audit the program without the component"
    )


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Run one program under mocks; return its record or its error.

    As Pulumi runs it: in `workdir` (the `main:` directory, or a file main's own
    directory), with `runpy.run_path(entry)`, where `entry` is that directory (so it heads
    sys.path) or the file (nothing added to sys.path). Sources: pulumi/pulumi
    pkg/engine/project.go `getPwdMain`, sdk/python/cmd/pulumi-language-python-exec, and
    pulumi/pulumi#7360 (a file main cannot import its siblings).
    """
    import pulumi
    from pulumi.runtime import settings as pulumi_settings

    root = Path(job["program"]).resolve()
    run = Path(job["run"]).resolve()
    workdir = Path(job["workdir"]).resolve()
    locator = Locator(root, [Path(p).resolve() for p in job.get("excluded", [])])
    recorder = Recorder(locator, job.get("default_region"))
    mocks, monitor_class = _make_mocks(recorder)
    exports: dict[str, Any] = {}
    undo = _patch(recorder)
    failure: dict[str, Any] | None = None
    try:
        with _in_program(root, workdir):
            pulumi_settings.ROOT.set(None)
            pulumi.runtime.set_mocks(
                mocks,
                project=job["project"],
                stack=job["stack"],
                preview=False,
                monitor=monitor_class(mocks),
            )
            pulumi.runtime.set_all_config(job["config"], job.get("secret_keys", []))

            @pulumi.runtime.test  # type: ignore[untyped-decorator]
            def program_run() -> Any:
                runpy.run_path(str(run), run_name="__main__")
                root_resource = pulumi_settings.get_root_resource()
                return pulumi.Output.from_input(root_resource.outputs).apply(exports.update)  # type: ignore[union-attr]

            program_run()
    except (Exception, SystemExit) as error:  # the program's failure, reported, never raised
        innermost = _chain(error)[-1]
        failure = {
            "error": _error_text(error, locator, recorder),
            "kind": type(innermost).__name__,
            "module": getattr(innermost, "name", None),
        }
    finally:
        undo()
    if recorder.refused:  # whatever failed after it, the component is the cause
        return {"refused": _refusal(recorder)}
    if failure is not None:
        return failure
    return {
        "resources": list(recorder.resources.values()),
        "invokes": recorder.invokes,
        "exports": jsonable(exports),
    }


def main(argv: list[str]) -> int:
    """`runner.py JOBS.json OUT.json`: one result per job, in order."""
    jobs = json.loads(Path(argv[0]).read_text())
    # Run as a script, this file's directory heads sys.path: drgen's modules must not
    # shadow (or stand in for) the program's own `project`, `rules` or `report`.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != here]
    warnings.simplefilter("ignore")
    results: list[dict[str, Any]] = []
    for job in jobs:
        version = {"python": "{}.{}".format(*sys.version_info[:2])}
        results.append({**run_job(job), **version, "python_full": platform.python_version()})
        Path(argv[1]).write_text(json.dumps(results))  # partial results survive a later hang
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
