"""What the mocks answer like AWS: ids, ARNs and computed outputs, components, lookups."""

from __future__ import annotations

import json
from typing import Any

from .values import crc, plain

ACCOUNT_ID = "123456789012"
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
#: The multi-language components the mocks can stand in for (their outputs, not their children).
#: Any other remote component is refused by name: its provider plugin would build it.
MODELLED_COMPONENTS = ("awsx:ec2:Vpc", "awsx:ec2:DefaultVpc")


def computed_outputs(
    typ: str, name: str, inputs: dict[str, Any], region: str | None
) -> tuple[str, dict[str, Any]]:
    """An id and the outputs AWS would compute, for the fields programs commonly read."""
    region = region or "us-east-1"
    key = NAME_INPUTS.get(typ, "name")
    physical = plain(inputs.get(key)) or _autoname(name)
    prefix = ID_PREFIXES.get(typ)
    ident = f"{prefix}{crc(f'{typ}/{name}'):08x}" if prefix else str(physical)
    service = typ.split(":")[1].split("/")[0] if ":" in typ else "resource"
    arn_service = {"lambda": "lambda", "cloudwatch": "logs", "apigatewayv2": "apigateway"}.get(
        service, service
    )
    out: dict[str, Any] = {key: physical, "id": ident}
    out["arn"] = f"arn:aws:{arn_service}:{region}:{ACCOUNT_ID}:{physical}"
    h = f"{crc(f'{region}/{typ}/{name}'):010d}"
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
        bucket = plain(inputs.get("bucket"))
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
        function_name = plain(inputs.get("functionName"))
        url_id = f"url{crc(f'{region}/{function_name}'):010d}"
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
        api = plain(inputs.get("restApi")) or f"rest{h}"
        out["invokeUrl"] = f"https://{api}.execute-api.{region}.amazonaws.com/"
        out["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api}/"
    elif typ == "aws:apigatewayv2/stage:Stage":
        out["invokeUrl"] = f"https://api{h}.execute-api.{region}.amazonaws.com/"
    elif typ == "aws:acm/certificate:Certificate":
        domain = str(plain(inputs.get("domainName")) or "example.com")
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
        configuration = dict(plain(inputs.get("domainNameConfiguration")) or {})
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
        out["fqdn"] = str(plain(inputs.get("name")) or name).rstrip(".")
    elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
        service = str(plain(inputs.get("serviceName")) or "").rsplit(".", 1)[-1]
        out.update(
            prefixListId=f"pl-{service}-{region}",
            dnsEntries=[{"dnsName": f"{ident}.{service}.{region}.vpce.amazonaws.com"}],
        )
    elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
        out.update(dnsName=f"{physical}-{h}.{region}.elb.amazonaws.com", zoneId="Z35SXDOTRQ7X7K")
    elif typ == "aws:ec2/instance:Instance":
        n = crc(name) % 250 + 1
        out.update(
            publicIp=f"203.0.113.{n}",
            privateIp=f"10.0.0.{n}",
            publicDns=f"ec2-203-0-113-{n}.{region}.compute.amazonaws.com",
        )
    elif typ == "aws:ec2/eip:Eip":
        out["publicIp"] = f"198.51.100.{crc(name) % 250 + 1}"
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


def _autoname(name: str) -> str:
    return f"{name}-{crc(name) & 0xFFFFFFF:07x}"


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
    zones = [str(z) for z in plain(inputs.get("availabilityZoneNames")) or []]
    if not zones:
        count = int(plain(inputs.get("numberOfAvailabilityZones")) or 3)
        zones = [f"{region}{letter}" for letter in "abcdef"[:count]]
    specs = plain(inputs.get("subnetSpecs")) or [{"type": "Public"}, {"type": "Private"}]
    ids: dict[str, list[str]] = {"Public": [], "Private": [], "Isolated": []}
    for spec in specs:
        kind = str(plain(spec.get("type")) if isinstance(spec, dict) else "")
        for zone in zones if kind in ids else []:
            ids[kind].append(f"subnet-{crc(f'{name}/{kind}/{zone}'):08x}")
    return {
        "vpcId": f"vpc-{crc(f'{typ}/{name}'):08x}",
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
        zone_id = args.get("zoneId") or f"Z{crc(str(args.get('name'))):08X}"
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
