"""The application secret: never in code, replicated to every secondary region."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.config import StackConfig

#: Days a deleted secret can still be restored; AWS accepts 7 to 30.
RECOVERY_WINDOW_DAYS = 7


def create_secret(
    config: StackConfig, provider: pulumi.ProviderResource
) -> aws.secretsmanager.Secret:
    """A Secrets Manager secret whose value comes from `pulumi config set --secret appSecret`
    or, when that is not set, from a generated random password. Either way it stays a Pulumi
    secret, encrypted in the state.
    """
    secret = aws.secretsmanager.Secret(
        f"secret-{config.primary_region}",
        name=config.name("app"),
        description="Application secret of the DR stack; read by the functions at run time.",
        recovery_window_in_days=RECOVERY_WINDOW_DAYS,
        replicas=[
            aws.secretsmanager.SecretReplicaArgs(region=region)
            for region in config.secondary_regions
        ],
        opts=pulumi.ResourceOptions(provider=provider),
    )
    value = config.app_secret
    if value is None:
        value = random.RandomPassword("app-secret-value", length=40, special=False).result
    aws.secretsmanager.SecretVersion(
        f"secret-value-{config.primary_region}",
        secret_id=secret.id,
        secret_string=value,
        opts=pulumi.ResourceOptions(provider=provider),
    )
    return secret
