"""Per-region S3 buckets, each replicating to every other one."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.config import StackConfig

S3 = aws.s3

#: S3 Replication Time Control's target (an SLA with credits, not a bound): 99.99% of objects
#: replicated within 15 minutes.
REPLICATION_MINUTES = 15
#: How long an overwritten or deleted object stays restorable before S3 expires that
#: noncurrent version. Lifecycle actions are not replicated: every bucket carries the same
#: rule and expires its own copies (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
#: replication-what-is-isnot-replicated.html). Delete markers are replicated; once no version
#: is left behind one, the rule removes it in each bucket (ExpiredObjectDeleteMarker:
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html).
NONCURRENT_VERSION_DAYS = 30
#: Parts of an upload never completed are billed until aborted.
INCOMPLETE_UPLOAD_DAYS = 7
#: The tag the S3 replication drill finds its bucket by: FIS's bucket-pause action targets
#: by tags only (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html).
FIS_TARGET_TAG = "fis-target"


@dataclass(frozen=True)
class RegionalBucket:
    """A bucket and its versioning, which replication must wait for."""

    region: str
    bucket: S3.Bucket
    versioning: S3.BucketVersioning


def tls_only_policy(bucket_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """A bucket policy that refuses every request not made over TLS."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def fis_target(config: StackConfig, region: str) -> str:
    """The value of FIS_TARGET_TAG on the region's bucket: no other bucket carries it."""
    return config.name("bucket", region)


def create_bucket(
    config: StackConfig,
    region: str,
    provider: pulumi.ProviderResource,
    account_id: pulumi.Input[str],
) -> RegionalBucket:
    """A private, versioned, encrypted bucket; the account id keeps its global name unique."""
    opts = pulumi.ResourceOptions(provider=provider)
    bucket = S3.Bucket(
        f"bucket-{region}",
        bucket=pulumi.Output.from_input(account_id).apply(
            lambda account: config.name(account, region)
        ),
        tags={FIS_TARGET_TAG: fis_target(config, region)},
        opts=opts,
    )
    versioning = S3.BucketVersioning(
        f"bucket-versioning-{region}",
        bucket=bucket.id,
        versioning_configuration=S3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=opts,
    )
    S3.BucketServerSideEncryptionConfiguration(
        f"bucket-encryption-{region}",
        bucket=bucket.id,
        rules=[
            S3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=S3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                ),
            )
        ],
        opts=opts,
    )
    S3.BucketLifecycleConfiguration(
        f"bucket-lifecycle-{region}",
        bucket=bucket.id,
        rules=[
            S3.BucketLifecycleConfigurationRuleArgs(
                id="expire-noncurrent-versions",
                status="Enabled",
                filter=S3.BucketLifecycleConfigurationRuleFilterArgs(),
                noncurrent_version_expiration=S3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=NONCURRENT_VERSION_DAYS
                ),
                expiration=S3.BucketLifecycleConfigurationRuleExpirationArgs(
                    expired_object_delete_marker=True
                ),
                abort_incomplete_multipart_upload=S3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=INCOMPLETE_UPLOAD_DAYS
                ),
            )
        ],
        opts=opts,
    )
    public_access = S3.BucketPublicAccessBlock(
        f"bucket-public-access-{region}",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    S3.BucketPolicy(
        f"bucket-policy-{region}",
        bucket=bucket.id,
        policy=tls_only_policy(bucket.arn),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[public_access]),
    )
    return RegionalBucket(region=region, bucket=bucket, versioning=versioning)


def rule_id(destination_region: str) -> str:
    """The id of the replication rule towards a region (the replication metrics name it)."""
    return f"to-{destination_region}"


def _replication_role(
    config: StackConfig,
    source: RegionalBucket,
    destinations: list[RegionalBucket],
    provider: pulumi.ProviderResource,
    account_id: pulumi.Input[str],
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """A role only S3 acting for this source bucket of this account may assume, allowed to
    read that bucket and write replicas into the other buckets."""
    region = source.region
    role = aws.iam.Role(
        f"replication-role-{region}",
        name=config.name("replication", region),
        assume_role_policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "s3.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": account_id},
                            "ArnLike": {"aws:SourceArn": source.bucket.arn},
                        },
                    }
                ],
            }
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    policy = aws.iam.RolePolicy(
        f"replication-policy-{region}",
        role=role.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                        "Resource": [source.bucket.arn],
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "s3:GetObjectVersionForReplication",
                            "s3:GetObjectVersionAcl",
                            "s3:GetObjectVersionTagging",
                        ],
                        "Resource": [pulumi.Output.concat(source.bucket.arn, "/*")],
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "s3:ReplicateObject",
                            "s3:ReplicateDelete",
                            "s3:ReplicateTags",
                        ],
                        "Resource": [
                            pulumi.Output.concat(dest.bucket.arn, "/*") for dest in destinations
                        ],
                    },
                ],
            }
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    return role, policy


def create_replication(
    config: StackConfig,
    source: RegionalBucket,
    destinations: list[RegionalBucket],
    provider: pulumi.ProviderResource,
    account_id: pulumi.Input[str],
) -> S3.BucketReplicationConfig:
    """One replication configuration on a bucket, one rule per other bucket, every rule with
    Replication Time Control and metrics. Replica modification sync keeps metadata changes
    made on replicas in step; replicas are never replicated again, so two-way rules do not loop.

    S3 rejects replication until both sides are versioned, so it depends on every versioning
    resource and destination bucket explicitly.
    """
    role, policy = _replication_role(config, source, destinations, provider, account_id)
    rules = [
        S3.BucketReplicationConfigRuleArgs(
            id=rule_id(dest.region),
            priority=priority,
            status="Enabled",
            filter=S3.BucketReplicationConfigRuleFilterArgs(),
            delete_marker_replication=S3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                status="Enabled"
            ),
            source_selection_criteria=S3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                replica_modifications=S3.BucketReplicationConfigRuleSourceSelectionCriteriaReplicaModificationsArgs(
                    status="Enabled"
                ),
            ),
            destination=S3.BucketReplicationConfigRuleDestinationArgs(
                bucket=dest.bucket.arn,
                storage_class="STANDARD",
                replication_time=S3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                    status="Enabled",
                    time=S3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(
                        minutes=REPLICATION_MINUTES
                    ),
                ),
                metrics=S3.BucketReplicationConfigRuleDestinationMetricsArgs(
                    status="Enabled",
                    event_threshold=S3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                        minutes=REPLICATION_MINUTES
                    ),
                ),
            ),
        )
        for priority, dest in enumerate(destinations, start=1)
    ]
    return S3.BucketReplicationConfig(
        f"replication-{source.region}",
        role=role.arn,
        bucket=source.bucket.id,
        rules=rules,
        opts=pulumi.ResourceOptions(
            provider=provider,
            depends_on=[
                source.versioning,
                policy,
                *(dest.bucket for dest in destinations),
                *(dest.versioning for dest in destinations),
            ],
        ),
    )
