"""Runs `__main__.py` under Pulumi mocks against the real pulumi_aws SDK and records the result.

Every resource is recorded with its resolved inputs, its provider's region and the logical
names it depends on, so the policy tests can assert on what `pulumi up` would send.
"""

from __future__ import annotations

import functools
import json
import runpy
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
ACCOUNT_ID = "123456789012"
PROVIDER_TYPE = "pulumi:providers:aws"
#: A hosted zone the mocked account has as a private zone of the first stack file's domain.
PRIVATE_ZONE_ID = "ZPRIVATE0123456789ABC"
#: The mocked region's availability zones (letters) and those offering interface endpoints.
ZONE_LETTERS = "abcd"
#: What Route 53 gives a public zone: four name servers in four top-level domains.
NAME_SERVERS = [
    "ns-1.awsdns-01.com",
    "ns-2.awsdns-02.net",
    "ns-3.awsdns-03.org",
    "ns-4.awsdns-04.co.uk",
]
ENDPOINT_ZONE_LETTERS = "bcd"
#: How a secret input arrives under mocks: {SECRET_KEY: SECRET_SIG, "value": ...}.
SECRET_KEY = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig


@dataclass
class Resource:
    """One registered resource, as the engine would have received it."""

    typ: str
    name: str
    urn: str
    inputs: dict[str, Any]
    provider: str
    region: str | None = None
    dependencies: set[str] = field(default_factory=set)
    #: What the engine would know after the create: the inputs and the computed outputs.
    outputs: dict[str, Any] = field(default_factory=dict)
    #: The URNs this resource waits for (explicit `depends_on` and Outputs it consumes).
    dependency_urns: set[str] = field(default_factory=set)

    @property
    def service(self) -> str:
        """`aws:s3/bucket:Bucket` -> `s3`."""
        return self.typ.split(":")[1].split("/")[0]


@dataclass
class StackRun:
    """What one run of the program registered and exported."""

    config: dict[str, Any]
    resources: list[Resource]
    exports: dict[str, Any]
    invokes: list[tuple[str, dict[str, Any], str | None]]

    def of_type(self, typ: str) -> list[Resource]:
        """Every resource of one Pulumi type."""
        return [r for r in self.resources if r.typ == typ]

    def named(self, typ: str, name: str) -> Resource:
        """The resource of this type with this logical name."""
        matches = [r for r in self.of_type(typ) if r.name == name]
        assert len(matches) == 1, f"expected one {typ} named {name!r}, found {len(matches)}"
        return matches[0]

    def aws_resources(self) -> list[Resource]:
        """Every AWS resource that is not itself a provider."""
        return [r for r in self.resources if r.typ.startswith("aws:")]

    @property
    def project(self) -> str:
        """The Pulumi project name."""
        return project_name()

    def setting(self, key: str) -> Any:
        """A stack config value by its short key."""
        return self.config[f"{self.project}:{key}"]

    @property
    def regions(self) -> list[str]:
        """The primary region first, then the secondaries, as configured."""
        return [self.setting("primaryRegion"), *self.setting("secondaryRegions")]


@functools.cache
def project_name() -> str:
    """The project name from Pulumi.yaml."""
    return str(yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["name"])


def stack_files() -> list[Path]:
    """Every stack file of the project: the policies must hold for each of them."""
    return sorted(p for p in PROJECT_DIR.glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml")


@functools.cache
def existing_zones() -> dict[str, str]:
    """The hosted zones the mocked account has: the ones the stack files name, by id."""
    zones = {}
    for path in stack_files():
        config = stack_config(path)
        zone_id = config.get(f"{project_name()}:hostedZoneId")
        if zone_id is not None:
            zones[zone_id] = config[f"{project_name()}:domain"]
    return zones


def stack_config(path: Path) -> dict[str, Any]:
    """The `config:` map of a stack file, keys as written (`project:key`)."""
    return dict(yaml.safe_load(path.read_text())["config"])


def unwrap(value: Any) -> Any:
    """The plain value of an input that may be a mock-serialized secret."""
    if isinstance(value, dict) and value.get(SECRET_KEY) == SECRET_SIG:
        return unwrap(value["value"])
    return value


def is_secret(value: Any) -> bool:
    """Whether an input arrived as a Pulumi secret."""
    return isinstance(value, dict) and value.get(SECRET_KEY) == SECRET_SIG


def strings_in(value: Any) -> Iterable[str]:
    """Every string anywhere inside an input value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers like AWS would for the fields the program reads, and records every resource."""

    def __init__(self) -> None:
        self.resources: dict[tuple[str, str], Resource] = {}
        self.provider_regions: dict[str, str] = {}
        self.invokes: list[tuple[str, dict[str, Any], str | None]] = []

    def region_for(self, provider: str) -> str | None:
        """The region of the provider a resource was registered with."""
        return self.provider_regions.get(provider)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        region = (
            inputs.get("region") if args.typ == PROVIDER_TYPE else self.region_for(args.provider)
        )
        outputs = {**inputs, **computed_outputs(args.typ, inputs, region)}
        self.resources[(args.typ, args.name)] = Resource(
            typ=args.typ,
            name=args.name,
            urn="",
            inputs=inputs,
            provider=args.provider,
            region=region,
            outputs={"id": f"{args.name}-id", **outputs},
        )
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.invokes.append((args.token, dict(args.args), self.region_for(args.provider)))
        if args.token == "aws:route53/getZone:getZone":
            zone_id = args.args["zoneId"]
            if zone_id == PRIVATE_ZONE_ID:
                name = f"{next(iter(existing_zones().values()))}."
                return {"id": zone_id, "zoneId": zone_id, "name": name, "privateZone": True}
            if zone_id not in existing_zones():
                raise LookupError(f"no matching Route 53 Hosted Zone found: {zone_id}")
            name = f"{existing_zones()[zone_id]}."
            return {
                "id": zone_id,
                "zoneId": zone_id,
                "name": name,
                "privateZone": False,
                "nameServers": NAME_SERVERS,
            }
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/test",
                "userId": "AIDATEST",
                "id": ACCOUNT_ID,
            }
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            region = self.region_for(args.provider)
            return {
                "id": region,
                "names": [f"{region}{zone}" for zone in ZONE_LETTERS],
                "zoneIds": [f"{region}-az{n}" for n in range(1, len(ZONE_LETTERS) + 1)],
                "groupNames": [region],
            }
        if args.token == "aws:ec2/getVpcEndpointService:getVpcEndpointService":
            region = self.region_for(args.provider)
            service = f"com.amazonaws.{region}.{args.args['service']}"
            return {
                "id": service,
                "serviceName": service,
                "serviceType": args.args["serviceType"],
                "availabilityZones": [f"{region}{zone}" for zone in ENDPOINT_ZONE_LETTERS],
            }
        raise NotImplementedError(f"no mock for invoke {args.token}")


def computed_outputs(typ: str, inputs: dict[str, Any], region: str | None) -> dict[str, Any]:
    """The provider-computed outputs the program reads (mocks compute nothing themselves)."""
    name = unwrap(inputs.get("name")) or "resource"
    region = region or "global"
    if typ == "aws:s3/bucket:Bucket":
        return {"arn": f"arn:aws:s3:::{inputs['bucket']}"}
    if typ == "aws:iam/role:Role":
        return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"}
    if typ == "aws:dynamodb/table:Table":
        arn = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"
        return {"arn": arn, "streamArn": f"{arn}/stream/2026-01-01T00:00:00.000"}
    if typ == "aws:secretsmanager/secret:Secret":
        return {"arn": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-AbCdEf"}
    if typ == "aws:cloudwatch/logGroup:LogGroup":
        return {"arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{name}"}
    if typ == "aws:lambda/function:Function":
        return {"arn": f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"}
    if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        return {"arn": f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:{name}"}
    if typ == "aws:cloudwatch/eventRule:EventRule":
        return {"arn": f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{name}"}
    if typ == "aws:lambda/functionUrl:FunctionUrl":
        key = f"{region}/{inputs.get('functionName')}"
        url_id = f"url{zlib.crc32(key.encode()):010d}"
        return {"urlId": url_id, "functionUrl": f"https://{url_id}.lambda-url.{region}.on.aws/"}
    if typ == "aws:apigatewayv2/api:Api":
        api_id = f"api{zlib.crc32(f'{region}/{name}'.encode()):010d}"
        return {
            "apiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
            "executionArn": f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}",
            "arn": f"arn:aws:apigateway:{region}::/apis/{api_id}",
        }
    if typ == "aws:acm/certificate:Certificate":
        domain = inputs["domainName"]
        return {
            "arn": f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{zlib.crc32(domain.encode())}",
            "domainValidationOptions": [
                {
                    "domainName": domain,
                    "resourceRecordName": f"_0123abcd.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": "_4567efgh.acm-validations.aws.",
                }
            ],
        }
    if typ == "aws:apigatewayv2/domainName:DomainName":
        configuration = dict(inputs["domainNameConfiguration"])
        configuration["targetDomainName"] = f"d-0123456789.execute-api.{region}.amazonaws.com"
        configuration["hostedZoneId"] = "Z1UJRXOUMOOFQ8"
        return {"domainNameConfiguration": configuration}
    if typ == "aws:route53/record:Record":
        return {"fqdn": str(inputs["name"]).rstrip(".")}
    if typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
        service = str(inputs["serviceName"]).rsplit(".", 1)[-1]
        return {"prefixListId": f"pl-{service}-{region}"}
    if typ == "random:index/randomPassword:RandomPassword":
        return {"result": "generated-random-password-for-tests"}
    service = typ.split(":")[1].split("/")[0]
    return {"arn": f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{name}"}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Adds what `MockResourceArgs` lacks: the URN and the dependencies of each resource."""

    mocks: RecordingMocks

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.names_by_urn: dict[str, str] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        resource = self.mocks.resources[(request.type, request.name)]
        resource.urn = response.urn
        resource.dependencies = set(request.dependencies)
        resource.dependency_urns = set(request.dependencies)
        self.names_by_urn[response.urn] = request.name
        if request.type == PROVIDER_TYPE:
            self.mocks.provider_regions[f"{response.urn}::{response.id}"] = str(resource.region)
        return response


def run_program(config: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> StackRun:
    """Run `__main__.py` once under mocks with this stack config and return what it did."""
    project = project_name()
    mocks = RecordingMocks()
    monitor = RecordingMonitor(mocks)
    pulumi_settings.ROOT.set(None)  # a fresh root stack per run, so exports don't leak
    pulumi.runtime.set_mocks(mocks, project=project, stack="test", preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(
        {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in config.items()
        },
        list(secret_keys),
    )
    exports: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")
        root = pulumi_settings.get_root_resource()
        return pulumi.Output.from_input(root.outputs).apply(exports.update)  # type: ignore[union-attr]

    program()
    resources = list(mocks.resources.values())
    for resource in resources:
        resource.dependencies = {
            monitor.names_by_urn.get(urn, urn) for urn in resource.dependencies
        }
    return StackRun(
        config=dict(config), resources=resources, exports=exports, invokes=mocks.invokes
    )
