"""Two-region serverless API: functions behind HTTP APIs, a global table, failover DNS.

Planted pitfalls are marked `# expect: RNN`; everything else is meant to be right.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
suffix = config.require("environmentSuffix")
REGIONS = ("us-east-1", "eu-west-1")
ZONE = "Z0123456789ABCDEFGHIJ"
providers = {r: aws.Provider(f"aws-{r}", region=r) for r in REGIONS}
primary = providers[REGIONS[0]]
account = aws.get_caller_identity()  # region-independent: fine on the default provider

assume = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=["lambda.amazonaws.com"]
                )
            ],
        )
    ]
)
role = aws.iam.Role("api", name=f"orders-api-{suffix}", assume_role_policy=assume.json)
aws.iam.RolePolicy(  # expect: R22
    "api-data",
    role=role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
        }
    ),
)
table = aws.dynamodb.Table(
    "orders",
    name=f"orders-{suffix}",
    hash_key="pk",
    attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
    billing_mode="PAY_PER_REQUEST",
    stream_enabled=True,
    stream_view_type="NEW_AND_OLD_IMAGES",
    deletion_protection_enabled=True,
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
    opts=pulumi.ResourceOptions(provider=primary),
)
aws.dynamodb.TableReplica(  # expect: R17
    "orders-eu",
    global_table_arn=table.arn,
    deletion_protection_enabled=True,
    opts=pulumi.ResourceOptions(provider=providers["eu-west-1"]),
)
db_secret = aws.secretsmanager.Secret(
    "db", name=f"orders-db-{suffix}", opts=pulumi.ResourceOptions(provider=primary)
)
aws.secretsmanager.SecretVersion(  # expect: R6
    "db",
    secret_id=db_secret.id,
    secret_string=json.dumps({"username": "orders", "password": "Orders2024!"}),
    opts=pulumi.ResourceOptions(provider=primary),
)
topic = aws.sns.Topic("oncall", name=f"orders-oncall-{suffix}", opts=pulumi.ResourceOptions(provider=primary))
aws.sns.TopicSubscription(
    "oncall", topic=topic.arn, protocol="email", endpoint="oncall@example.com",
    opts=pulumi.ResourceOptions(provider=primary),
)


def region_front(region: str):
    opts = pulumi.ResourceOptions(provider=providers[region])
    fn = aws.lambda_.Function(
        f"api-{region}",
        name=f"orders-api-{region}-{suffix}",
        runtime="python3.12",
        handler="app.handler",
        role=role.arn,
        code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return {}\n")}),
        environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": table.name}),
        opts=opts,
    )
    api = aws.apigatewayv2.Api(f"api-{region}", protocol_type="HTTP", opts=opts)
    integration = aws.apigatewayv2.Integration(
        f"api-{region}", api_id=api.id, integration_type="AWS_PROXY", integration_uri=fn.invoke_arn,
        payload_format_version="2.0", opts=opts,
    )
    for key in ("GET /orders", "POST /orders", "GET /status"):
        aws.apigatewayv2.Route(
            f"api-{region}-{key.split()[0].lower()}{key.split()[1].replace('/', '-')}",
            api_id=api.id, route_key=key, target=integration.id.apply(lambda i: f"integrations/{i}"),
            opts=opts,
        )
    aws.apigatewayv2.Stage(f"api-{region}", api_id=api.id, name="$default", auto_deploy=True, opts=opts)
    aws.lambda_.Permission(
        f"api-{region}", action="lambda:InvokeFunction", function=fn.name,
        principal="apigateway.amazonaws.com", source_arn=api.execution_arn.apply(lambda a: f"{a}/*/*"),
        opts=opts,
    )
    check = aws.route53.HealthCheck(  # expect: R24 x2
        f"api-{region}",
        type="HTTPS",
        fqdn=api.api_endpoint.apply(lambda u: u.removeprefix("https://")),
        port=443,
        resource_path="/health",
        failure_threshold=3,
        request_interval=30,
    )
    aws.cloudwatch.MetricAlarm(
        f"api-{region}-health",
        name=f"orders-api-{region}-health-{suffix}",
        namespace="AWS/Route53",
        metric_name="HealthCheckStatus",
        dimensions={"HealthCheckId": check.id},
        statistic="Minimum", period=60, evaluation_periods=2, threshold=1,
        comparison_operator="LessThanThreshold",
        alarm_actions=[topic.arn],
        opts=pulumi.ResourceOptions(provider=primary),
    )
    aws.cloudwatch.MetricAlarm(  # expect: R20 x2
        f"api-{region}-errors",
        name=f"orders-api-{region}-errors-{suffix}",
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions={"FunctionName": fn.name},
        statistic="Sum", period=60, evaluation_periods=1, threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        opts=opts,
    )
    return api, check


fronts = {region: region_front(region) for region in REGIONS}
for role_name, region in (("PRIMARY", REGIONS[0]), ("SECONDARY", REGIONS[1])):
    api, check = fronts[region]
    aws.route53.Record(
        f"orders-{role_name.lower()}",
        zone_id=ZONE,
        name="orders.example.com",
        type="CNAME",
        ttl=60,
        records=[api.api_endpoint.apply(lambda u: u.removeprefix("https://"))],
        set_identifier=region,
        failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type=role_name)],
        health_check_id=check.id,
    )
pulumi.export("account", account.account_id)
pulumi.export("oncallTopic", topic.arn)
