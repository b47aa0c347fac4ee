"""Create order: what the real APIs resolve at create time must already exist.

Mocks create everything at once and resolve nothing, so a resource that names another one
of the stack by a value it could only know from it (an alias to a record name, an id, an
ARN or a name built from strings) deploys under mocks in any order. AWS does not: the
engine creates a resource as soon as its dependencies exist, so such a reference must be a
dependency (an Output it consumes, or `depends_on`), directly or through others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from tests.harness import Resource, StackRun, unwrap


class Reference(NamedTuple):
    """An input naming another resource: `path` into the inputs (`a.b[]` walks a list).

    Where AWS's documentation leaves it open, count it as resolved: a dependency is free.
    """

    path: str
    #: Whether the API looks the named resource up when this resource is created.
    resolved: bool
    #: The AWS page that says so, or why nothing is looked up.
    why: str


def api(service: str, action: str) -> str:
    """The API reference page of an action (its errors name what must exist)."""
    return f"https://docs.aws.amazon.com/{service}/API_{action}.html"


LAMBDA = "lambda/latest/api"
IAM = "IAM/latest/APIReference"
S3 = "AmazonS3/latest/API"
APIGW = "apigatewayv2/latest/api-reference"
EC2 = "AWSEC2/latest/APIReference"
FIS = "fis/latest/APIReference"
FIS_TARGETS_AT_START = (
    "FIS identifies an experiment's targets when the experiment starts, not when its "
    "template is created (https://docs.aws.amazon.com/fis/latest/userguide/targets.html)"
)
NOT_LOOKED_UP_POLICY = (
    "IAM and resource policies may name resources that do not exist yet; nothing is "
    "looked up until a request is authorized "
    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)"
)

#: Every AWS resource type the stack creates, with each input that names another resource.
#: A type missing here fails the test: say what its inputs reference before adding it.
REFERENCES: dict[str, tuple[Reference, ...]] = {
    "aws:route53/record:Record": (
        # "Tried to create an alias that targets ..., but that target was not found": an
        # alias names a record set in the current hosted zone or an AWS resource's DNS name
        Reference(
            "aliases[].name",
            True,
            "https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html",
        ),
        Reference("healthCheckId", True, api("Route53/latest/APIReference", "ResourceRecordSet")),
    ),
    "aws:route53/healthCheck:HealthCheck": (
        Reference("fqdn", False, "a health check probes a host name; nothing is looked up"),
    ),
    "aws:lambda/function:Function": (
        Reference("role", True, api(LAMBDA, "CreateFunction")),
        Reference("vpcConfig.subnetIds[]", True, api(LAMBDA, "CreateFunction")),
        Reference("vpcConfig.securityGroupIds[]", True, api(LAMBDA, "CreateFunction")),
        Reference(
            "environment.variables",
            False,
            "plain strings handed to the code; Lambda looks nothing up",
        ),
    ),
    "aws:lambda/functionUrl:FunctionUrl": (
        Reference("functionName", True, api(LAMBDA, "CreateFunctionUrlConfig")),
    ),
    "aws:lambda/permission:Permission": (
        Reference("function", True, api(LAMBDA, "AddPermission")),
        Reference("sourceArn", False, NOT_LOOKED_UP_POLICY),
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        Reference(
            "name",
            False,
            "a log group may be named after a function that does not exist yet: Lambda "
            "writes into /aws/lambda/<function name> whenever it exists "
            "(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)",
        ),
    ),
    "aws:iam/role:Role": (Reference("assumeRolePolicy", False, NOT_LOOKED_UP_POLICY),),
    "aws:iam/rolePolicy:RolePolicy": (
        Reference("role", True, api(IAM, "PutRolePolicy")),
        Reference("policy", False, NOT_LOOKED_UP_POLICY),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        Reference("role", True, api(IAM, "AttachRolePolicy")),
    ),
    "aws:s3/bucket:Bucket": (),
    "aws:s3/bucketVersioning:BucketVersioning": (
        Reference("bucket", True, api(S3, "PutBucketVersioning")),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        Reference("bucket", True, api(S3, "PutBucketEncryption")),
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        Reference("bucket", True, api(S3, "PutPublicAccessBlock")),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": (
        Reference("bucket", True, api(S3, "PutBucketPolicy")),
        Reference("policy", False, NOT_LOOKED_UP_POLICY),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        Reference("bucket", True, api(S3, "PutBucketLifecycleConfiguration")),
    ),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (
        Reference("bucket", True, api(S3, "PutBucketReplication")),
        Reference("role", True, api(S3, "PutBucketReplication")),
        Reference("rules[].destination.bucket", True, api(S3, "PutBucketReplication")),
    ),
    "aws:dynamodb/table:Table": (),
    "aws:secretsmanager/secret:Secret": (),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        Reference("secretId", True, api("secretsmanager/latest/apireference", "PutSecretValue")),
    ),
    "aws:sns/topic:Topic": (),
    "aws:sns/topicSubscription:TopicSubscription": (
        Reference("topic", True, api("sns/latest/api", "Subscribe")),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        Reference(
            "alarmActions[]", True, api("AmazonCloudWatch/latest/APIReference", "PutMetricAlarm")
        ),
        Reference(
            "okActions[]", True, api("AmazonCloudWatch/latest/APIReference", "PutMetricAlarm")
        ),
        Reference(
            "dimensions",
            False,
            "an alarm may watch a metric nothing has published yet (it is INSUFFICIENT_DATA "
            "until then: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/"
            "AlarmThatSendsEmail.html)",
        ),
    ),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (
        Reference("functionName", True, api(LAMBDA, "PutFunctionEventInvokeConfig")),
    ),
    "aws:cloudwatch/eventRule:EventRule": (),
    "aws:cloudwatch/eventTarget:EventTarget": (
        Reference("rule", True, api("eventbridge/latest/APIReference", "PutTargets")),
        Reference("arn", True, api("eventbridge/latest/APIReference", "PutTargets")),
    ),
    "aws:acm/certificate:Certificate": (),
    "aws:acm/certificateValidation:CertificateValidation": (
        Reference("certificateArn", True, api("acm/latest/APIReference", "DescribeCertificate")),
        # the validation waits until ACM has seen the record
        Reference(
            "validationRecordFqdns[]",
            True,
            "https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html",
        ),
    ),
    "aws:apigatewayv2/api:Api": (),
    "aws:apigatewayv2/integration:Integration": (
        Reference("apiId", True, api(APIGW, "CreateIntegration")),
        Reference("integrationUri", True, api(APIGW, "CreateIntegration")),
    ),
    "aws:apigatewayv2/route:Route": (
        Reference("apiId", True, api(APIGW, "CreateRoute")),
        Reference("target", True, api(APIGW, "CreateRoute")),
    ),
    "aws:apigatewayv2/stage:Stage": (
        Reference("apiId", True, api(APIGW, "CreateStage")),
        # NotFoundException "Unable to find Route by key ... within the provided RouteSettings"
        Reference("routeSettings[].routeKey", True, api(APIGW, "CreateStage")),
    ),
    "aws:apigatewayv2/domainName:DomainName": (
        # the certificate must be issued: validated, not merely requested
        Reference("domainNameConfiguration.certificateArn", True, api(APIGW, "CreateDomainName")),
    ),
    "aws:apigatewayv2/apiMapping:ApiMapping": (
        Reference("apiId", True, api(APIGW, "CreateApiMapping")),
        Reference("domainName", True, api(APIGW, "CreateApiMapping")),
        Reference("stage", True, api(APIGW, "CreateApiMapping")),
    ),
    "aws:fis/experimentTemplate:ExperimentTemplate": (
        # the docs do not say whether the role and the alarms are checked at create time
        Reference("roleArn", True, api(FIS, "CreateExperimentTemplate")),
        Reference("stopConditions[].value", True, api(FIS, "CreateExperimentTemplate")),
        Reference("targets[].resourceArns[]", False, FIS_TARGETS_AT_START),
        Reference("actions[].parameters[].value", False, FIS_TARGETS_AT_START),
    ),
    "aws:ec2/vpc:Vpc": (),
    "aws:ec2/subnet:Subnet": (Reference("vpcId", True, api(EC2, "CreateSubnet")),),
    "aws:ec2/routeTable:RouteTable": (Reference("vpcId", True, api(EC2, "CreateRouteTable")),),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        Reference("routeTableId", True, api(EC2, "AssociateRouteTable")),
        Reference("subnetId", True, api(EC2, "AssociateRouteTable")),
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        Reference("vpcId", True, api(EC2, "CreateVpcEndpoint")),
        Reference("routeTableIds[]", True, api(EC2, "CreateVpcEndpoint")),
        Reference("subnetIds[]", True, api(EC2, "CreateVpcEndpoint")),
        Reference("securityGroupIds[]", True, api(EC2, "CreateVpcEndpoint")),
        Reference("policy", False, NOT_LOOKED_UP_POLICY),
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        Reference("vpcId", True, api(EC2, "CreateSecurityGroup")),
        Reference("ingress[].securityGroups[]", True, api(EC2, "AuthorizeSecurityGroupIngress")),
        Reference("egress[].prefixListIds[]", True, api(EC2, "AuthorizeSecurityGroupEgress")),
    ),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": (
        Reference("vpcId", True, api(EC2, "CreateVpcPeeringConnection")),
        Reference("peerVpcId", True, api(EC2, "CreateVpcPeeringConnection")),
    ),
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": (
        Reference("vpcPeeringConnectionId", True, api(EC2, "AcceptVpcPeeringConnection")),
    ),
    "aws:ec2/route:Route": (
        Reference("routeTableId", True, api(EC2, "CreateRoute")),
        Reference("vpcPeeringConnectionId", True, api(EC2, "CreateRoute")),
    ),
}


class Identity(NamedTuple):
    """A value that names a resource: where it is in its outputs, and where it is unique."""

    path: str
    #: True when the value is unique only within the resource's region (regional names).
    regional: bool = False
    #: How other resources write it (`integrations/{}` for a route target).
    template: str = "{}"


#: What names a resource besides its id and ARN (which every type has): the values the
#: mocks compute as AWS would, and the physical names this stack chooses.
IDENTITIES: dict[str, tuple[Identity, ...]] = {
    "aws:route53/record:Record": (Identity("name"), Identity("fqdn")),
    "aws:apigatewayv2/domainName:DomainName": (
        Identity("domainNameConfiguration.targetDomainName"),
    ),
    "aws:apigatewayv2/api:Api": (Identity("apiEndpoint"), Identity("executionArn")),
    "aws:apigatewayv2/integration:Integration": (Identity("id", template="integrations/{}"),),
    "aws:apigatewayv2/route:Route": (Identity("routeKey", regional=True),),
    # a certificate is usable once validated: naming it must wait for its validation too
    "aws:acm/certificateValidation:CertificateValidation": (Identity("certificateArn"),),
    "aws:lambda/function:Function": (Identity("name", regional=True),),
    "aws:lambda/functionUrl:FunctionUrl": (Identity("functionUrl"),),
    "aws:iam/role:Role": (Identity("name"),),
    "aws:s3/bucket:Bucket": (Identity("bucket"),),
    "aws:dynamodb/table:Table": (Identity("name", regional=True),),
    "aws:secretsmanager/secret:Secret": (Identity("name", regional=True),),
    "aws:cloudwatch/logGroup:LogGroup": (Identity("name", regional=True),),
    "aws:sns/topic:Topic": (Identity("name", regional=True),),
    "aws:ec2/securityGroup:SecurityGroup": (Identity("name", regional=True),),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (Identity("prefixListId"),),
}


def values_at(value: Any, path: str) -> Iterator[Any]:
    """Every value at `path` (`a.b[]` walks the list at `a.b`); nothing where it is absent."""
    if not path:
        yield unwrap(value)
        return
    head, _, rest = path.partition(".")
    key, each = head.removesuffix("[]"), head.endswith("[]")
    value = unwrap(value)
    if not isinstance(value, dict) or value.get(key) is None:
        return
    items = unwrap(value[key]) if each else [value[key]]
    for item in items:
        yield from values_at(item, rest)


def normal(value: str) -> str:
    """DNS names with or without their final dot are the same name."""
    return value.rstrip(".")


def identities(resource: Resource) -> Iterator[tuple[str | None, str]]:
    """(scope, value) pairs naming the resource; the scope is its region for regional names."""
    wanted = (Identity("id"), Identity("arn"), *IDENTITIES.get(resource.typ, ()))
    for identity in wanted:
        scope = resource.region if identity.regional else None
        for value in values_at(resource.outputs, identity.path):
            if isinstance(value, str):
                yield scope, normal(identity.template.format(value))


def index(resources: Iterable[Resource]) -> dict[tuple[str | None, str], list[Resource]]:
    """The resources each (scope, value) names."""
    named: dict[tuple[str | None, str], list[Resource]] = {}
    for resource in resources:
        for key in set(identities(resource)):
            named.setdefault(key, []).append(resource)
    return named


def waits_for(resource: Resource, by_urn: dict[str, Resource]) -> set[str]:
    """The URNs of everything the resource waits for, directly or through others."""
    seen: set[str] = set()
    pending = list(resource.dependency_urns)
    while pending:
        urn = pending.pop()
        if urn not in seen:
            seen.add(urn)
            pending.extend(by_urn[urn].dependency_urns if urn in by_urn else ())
    return seen


def missing_dependencies(stack: StackRun) -> list[str]:
    """One line per reference the API resolves at create time that is not a dependency."""
    resources = stack.aws_resources()
    named = index(resources)
    by_urn = {r.urn: r for r in stack.resources}
    problems = []
    for resource in resources:
        before = waits_for(resource, by_urn)
        for reference in REFERENCES[resource.typ]:
            if not reference.resolved:
                continue
            for value in values_at(resource.inputs, reference.path):
                if not isinstance(value, str):
                    continue
                value = normal(value)
                targets = named.get((None, value), []) + named.get((resource.region, value), [])
                for target in targets:
                    if target is not resource and target.urn not in before:
                        problems.append(
                            f"{resource.typ} {resource.name} names {target.typ} {target.name} "
                            f"by {reference.path}={value!r} but does not depend on it "
                            f"({reference.why})"
                        )
    return problems


def test_every_resource_type_says_what_its_inputs_reference(stack: StackRun) -> None:
    unknown = sorted({r.typ for r in stack.aws_resources()} - set(REFERENCES))
    assert not unknown, f"add to REFERENCES what these types' inputs name: {unknown}"


def test_what_the_api_resolves_at_create_time_is_created_first(stack: StackRun) -> None:
    problems = missing_dependencies(stack)
    assert not problems, "\n".join(problems)


def resource(typ: str, name: str, region: str, inputs: dict[str, Any], *after: str) -> Resource:
    """A recorded resource as the harness would hold it, waiting for the URNs `after`."""
    return Resource(
        typ=typ,
        name=name,
        urn=f"urn:{name}",
        inputs=inputs,
        provider="provider",
        region=region,
        outputs={"id": f"{name}-id", **inputs},
        dependency_urns=set(after),
    )


def test_the_check_follows_dependencies_through_others_and_regional_names_per_region() -> None:
    record = "aws:route53/record:Record"
    permission = "aws:lambda/permission:Permission"
    function = "aws:lambda/function:Function"
    target = resource(record, "below", "r1", {"name": "next.example.com."})
    middle = resource(record, "middle", "r1", {"name": "mid.example.com"}, "urn:below")
    alias = {"aliases": [{"name": "next.example.com"}]}
    direct = resource(record, "direct", "r1", alias)
    through = resource(record, "through", "r1", alias, "urn:middle")
    elsewhere = resource(function, "fn-r2", "r2", {"name": "app"})
    here = resource(permission, "invoke-r1", "r1", {"function": "app"})
    stack = StackRun(
        config={},
        resources=[target, middle, direct, through, elsewhere, here],
        exports={},
        invokes=[],
    )
    (problem,) = missing_dependencies(stack)
    assert problem.startswith(f"{record} direct names {record} below by aliases[].name="), problem
