"""Two-region static assets: S3 buckets with two-way replication, alarms, a component.

Planted pitfalls are marked `# expect: RNN`; everything else is meant to be right.
"""

import json

import pulumi
import pulumi_aws as aws

stack = pulumi.get_stack()
regions = {"east": "us-east-2", "west": "us-west-1"}
providers = {k: aws.Provider(k, region=r) for k, r in regions.items()}


class SecureBucket(pulumi.ComponentResource):
    """A versioned, private, TLS-only bucket."""

    def __init__(self, name: str, bucket: str, provider: aws.Provider) -> None:
        super().__init__("corpus:storage:SecureBucket", name)
        opts = pulumi.ResourceOptions(parent=self, provider=provider)
        self.bucket = aws.s3.Bucket(name, bucket=bucket, opts=opts)
        self.versioning = aws.s3.BucketVersioning(
            name,
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=opts,
        )
        aws.s3.BucketPublicAccessBlock(
            name, bucket=self.bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=opts,
        )
        aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": [arn, f"{arn}/*"],
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ],
                    }
                )
            ),
            opts=opts,
        )
        self.register_outputs({"bucket": self.bucket.id})


buckets = {k: SecureBucket(f"assets-{k}", f"corpus-assets-{k}-{stack}", providers[k]) for k in regions}
logs = aws.s3.Bucket("logs", bucket=f"corpus-devlogs-{regions['east']}", opts=pulumi.ResourceOptions(provider=providers["east"]))  # expect: R8 R15 R16
aws.s3.BucketVersioning(  # expect: R23
    "logs",
    bucket=f"corpus-devlogs-{regions['east']}",
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
    opts=pulumi.ResourceOptions(provider=providers["east"]),
)
replication_role = aws.iam.Role(
    "replication",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "replication",
    role=replication_role.id,
    policy=pulumi.Output.all(*(b.bucket.arn for b in buckets.values())).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                        "Resource": list(arns),
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObjectVersionForReplication", "s3:ReplicateObject", "s3:ReplicateDelete"],
                        "Resource": [f"{a}/*" for a in arns],
                    },
                ],
            }
        )
    ),
)
for source, target in (("east", "west"), ("west", "east")):
    aws.s3.BucketReplicationConfig(  # expect: R4 x2
        f"assets-{source}-to-{target}",
        bucket=buckets[source].bucket.id,
        role=replication_role.arn,
        rules=[
            aws.s3.BucketReplicationConfigRuleArgs(
                id="all",
                status="Enabled",
                filter=aws.s3.BucketReplicationConfigRuleFilterArgs(),
                delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(status="Enabled"),
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(bucket=buckets[target].bucket.arn),
            )
        ],
        opts=pulumi.ResourceOptions(
            provider=providers[source],
            depends_on=[buckets[source].versioning, buckets[target].versioning] if source == "east" else [],
        ),
    )  # the west-to-east one waits for nothing
topic = aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(provider=providers["west"]))
aws.sns.TopicSubscription(
    "alerts", topic=topic.arn, protocol="email", endpoint="ops@example.com",
    opts=pulumi.ResourceOptions(provider=providers["west"]),
)
for key in regions:
    aws.cloudwatch.MetricAlarm(  # expect: R21
        f"replication-failures-{key}",
        namespace="AWS/S3",
        metric_name="OperationsFailedReplication",
        dimensions={"SourceBucket": buckets[key].bucket.id, "RuleId": "all"},
        statistic="Sum", period=300, evaluation_periods=1, threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        alarm_actions=[topic.arn],
        opts=pulumi.ResourceOptions(provider=providers["west"]),
    )
pulumi.export("alerts", topic.arn)
