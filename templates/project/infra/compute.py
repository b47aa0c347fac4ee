"""The regional function: least-privilege role, logs, and a public Function URL that answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from infra.config import StackConfig
from infra.database import arn_in_region

#: The handler's source, packaged as is: `app/handler.py` becomes `handler.handler`.
APP_DIR = Path(__file__).resolve().parent.parent / "app"
RUNTIME = "python3.12"
LOG_RETENTION_DAYS = 30

LAMBDA_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@dataclass(frozen=True)
class FunctionInputs:
    """What a regional function reads and writes; all in the function's own region."""

    table: aws.dynamodb.Table
    bucket: aws.s3.Bucket
    secret: aws.secretsmanager.Secret


@dataclass(frozen=True)
class RegionalFunction:
    """The function of one region and its public URL."""

    region: str
    function: aws.lambda_.Function
    url: aws.lambda_.FunctionUrl


def function_policy(
    region: str,
    inputs: FunctionInputs,
    log_group_arn: pulumi.Input[str],
) -> pulumi.Output[str]:
    """Only this region's table replica, bucket, secret replica and log group."""
    table_arn = inputs.table.arn.apply(lambda arn: arn_in_region(arn, region))
    secret_arn = inputs.secret.arn.apply(lambda arn: arn_in_region(arn, region))
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Items",
                    "Effect": "Allow",
                    "Action": ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"],
                    "Resource": [table_arn],
                },
                {
                    "Sid": "BucketReachable",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": [inputs.bucket.arn],
                },
                {
                    "Sid": "ReadSecret",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"],
                    "Resource": [secret_arn],
                },
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [pulumi.Output.concat(log_group_arn, ":*")],
                },
            ],
        }
    )


def create_function(
    config: StackConfig,
    region: str,
    provider: pulumi.ProviderResource,
    inputs: FunctionInputs,
) -> RegionalFunction:
    """The function of one region, its role, log group, URL and the URL's public permissions."""
    opts = pulumi.ResourceOptions(provider=provider)
    function_name = config.name("api")
    role = aws.iam.Role(
        f"function-role-{region}",
        name=config.name("api", region),
        assume_role_policy=LAMBDA_TRUST_POLICY,
        opts=opts,
    )
    log_group = aws.cloudwatch.LogGroup(
        f"function-logs-{region}",
        name=f"/aws/lambda/{function_name}",
        retention_in_days=LOG_RETENTION_DAYS,
        opts=opts,
    )
    role_policy = aws.iam.RolePolicy(
        f"function-policy-{region}",
        role=role.id,
        policy=function_policy(region, inputs, log_group.arn),
        opts=opts,
    )
    function = aws.lambda_.Function(
        f"function-{region}",
        name=function_name,
        role=role.arn,
        runtime=RUNTIME,
        architectures=["arm64"],
        handler="handler.handler",
        code=pulumi.FileArchive(str(APP_DIR)),
        memory_size=256,
        timeout=10,
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables={
                "TABLE_NAME": inputs.table.name,
                "BUCKET_NAME": inputs.bucket.bucket,
                "SECRET_ID": inputs.secret.name,
            }
        ),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[log_group, role_policy]),
    )
    url = aws.lambda_.FunctionUrl(
        f"function-url-{region}",
        function_name=function.name,
        authorization_type="NONE",
        opts=opts,
    )
    # A public URL needs both permissions since October 2025; either alone answers 403.
    aws.lambda_.Permission(
        f"function-url-public-{region}",
        statement_id="AllowPublicFunctionUrl",
        action="lambda:InvokeFunctionUrl",
        function=function.name,
        principal="*",
        function_url_auth_type="NONE",
        opts=opts,
    )
    aws.lambda_.Permission(
        f"function-url-invoke-{region}",
        statement_id="AllowInvokeViaFunctionUrl",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="*",
        invoked_via_function_url=True,
        opts=opts,
    )
    return RegionalFunction(region=region, function=function, url=url)
