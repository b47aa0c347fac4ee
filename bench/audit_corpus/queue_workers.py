"""Queue workers in three regions, built by a factory; shared IAM through the default provider.

Planted pitfalls are marked `# expect: RNN`; everything else is meant to be right.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
stage = cfg.get("stage") or pulumi.get_stack()
webhook_token = cfg.get_secret("webhookToken") or "whk-local-only"  # expect: R6
signing_key = pulumi.Output.secret("k3y")  # expect: R6
REGIONS = ["us-east-1", "us-east-2", "ca-central-1"]
providers = {r: aws.Provider(f"p-{r}", region=r, profile="workloads") for r in REGIONS}

zones = aws.get_availability_zones()  # expect: R18
partition = aws.get_partition()
policy = aws.iam.get_policy_document(
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
role = aws.iam.Role("worker", name=f"queue-worker-{stage}", assume_role_policy=policy.json)
aws.iam.RolePolicyAttachment(
    "worker-basic",
    role=role.name,
    policy_arn=f"arn:{partition.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)
dead_letters = aws.sqs.Queue("dead-letters", name=f"dead-letters-{stage}")  # expect: R10


def worker(region: str) -> aws.lambda_.Function:
    opts = pulumi.ResourceOptions(provider=providers[region])
    queue = aws.sqs.Queue(f"jobs-{region}", name=f"jobs-{region}-{stage}", opts=opts)
    fn = aws.lambda_.Function(
        f"worker-{region}",
        name=f"worker-{region}-{stage}",
        runtime="python3.13",
        handler="app.handler",
        role=role.arn,
        code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")}),
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables={"WEBHOOK_TOKEN": webhook_token, "SIGNING_KEY": signing_key}
        ),
        opts=opts,
    )
    aws.lambda_.EventSourceMapping(
        f"worker-{region}", event_source_arn=queue.arn, function_name=fn.arn, batch_size=10, opts=opts
    )
    scale = aws.lambda_.Function(
        f"drain-{region}",
        name=f"drain-{region}-{stage}",
        runtime="python3.13",
        handler="app.handler",
        role=role.arn,
        code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")}),
        opts=opts,
    )
    aws.lambda_.Permission(
        f"drain-{region}", action="lambda:InvokeFunction", function=scale.name,
        principal="lambda.alarms.cloudwatch.amazonaws.com", opts=opts,
    )
    aws.cloudwatch.MetricAlarm(
        f"backlog-{region}",
        name=f"backlog-{region}-{stage}",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        dimensions={"QueueName": queue.name},
        statistic="Maximum", period=60, evaluation_periods=5, threshold=300,
        comparison_operator="GreaterThanThreshold",
        alarm_actions=[scale.arn],
        opts=opts,
    )
    return fn


workers = {r: worker(r) for r in REGIONS}
pulumi.export("workers", {r: fn.name for r, fn in workers.items()})
pulumi.export("zones", zones.names)
