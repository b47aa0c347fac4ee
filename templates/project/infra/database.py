"""The DynamoDB global table: written through the primary region, replicated to the others."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.config import StackConfig

#: Partition key of the items table; the handler uses the same name.
HASH_KEY = "pk"


def create_table(config: StackConfig, provider: pulumi.ProviderResource) -> aws.dynamodb.Table:
    """One table in the primary region with a replica in every secondary region.

    Global tables need streams with NEW_AND_OLD_IMAGES; without it the provider and AWS
    disagree forever. Point-in-time recovery and deletion protection are on in every
    region, and replicas carry the table's tags.
    """
    return aws.dynamodb.Table(
        f"table-{config.primary_region}",
        name=config.name("items"),
        billing_mode="PAY_PER_REQUEST",
        hash_key=HASH_KEY,
        attributes=[aws.dynamodb.TableAttributeArgs(name=HASH_KEY, type="S")],
        stream_enabled=True,
        stream_view_type="NEW_AND_OLD_IMAGES",
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        # The AWS managed key (alias/aws/dynamodb) in every region, replicas included.
        server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
        # `pulumi destroy` or a console click cannot delete the data: lift it first (README)
        deletion_protection_enabled=True,
        replicas=[
            aws.dynamodb.TableReplicaArgs(
                region_name=region,
                point_in_time_recovery=True,
                deletion_protection_enabled=True,
                propagate_tags=True,
            )
            for region in config.secondary_regions
        ],
        opts=pulumi.ResourceOptions(provider=provider),
    )


def arn_in_region(arn: str, region: str) -> str:
    """The ARN of the same-named replica in another region (global tables, replicated secrets)."""
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)
