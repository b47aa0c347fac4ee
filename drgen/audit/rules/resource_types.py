"""The resource types the rules read, and what names their physical names."""

from __future__ import annotations

from typing import Any

from drgen.audit.rules.values import plain

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


def physical_name(resource: dict[str, Any]) -> str | None:
    """The explicit physical name of a resource, if its type has one and it is set."""
    key = PHYSICAL_NAMES.get(resource["type"])
    value = plain(resource["inputs"].get(key)) if key else None
    return value if isinstance(value, str) and value else None
