"""One explicit AWS provider per region: nothing may land in an ambient default region."""

from __future__ import annotations

import pulumi_aws as aws

from infra.config import StackConfig


def create_providers(config: StackConfig) -> dict[str, aws.Provider]:
    """Return a provider for every region of the stack, keyed by region, with default tags."""
    return {
        region: aws.Provider(
            f"aws-{region}",
            region=region,
            default_tags=aws.ProviderDefaultTagsArgs(tags=config.tags),
        )
        for region in config.regions
    }
