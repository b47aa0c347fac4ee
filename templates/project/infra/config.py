"""Typed stack configuration, read once from Pulumi config so tests can vary it per stack."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


class ConfigError(ValueError):
    """Raised when the stack configuration cannot produce a valid DR stack."""


@dataclass(frozen=True)
class StackConfig:
    """Everything the stack needs to know, validated once."""

    project: str
    env_suffix: str
    primary_region: str
    secondary_regions: tuple[str, ...]
    app_secret: pulumi.Output[str] | None = None

    @property
    def regions(self) -> tuple[str, ...]:
        """The primary region first, then every secondary region."""
        return (self.primary_region, *self.secondary_regions)

    @property
    def tags(self) -> dict[str, str]:
        """Tags every resource gets through its provider's default tags."""
        return {
            "project": self.project,
            "environment": self.env_suffix,
            "managed-by": "pulumi",
        }

    def name(self, *parts: str) -> str:
        """A physical name: project, parts, then the environment suffix, so stacks never collide."""
        return "-".join((self.project, *parts, self.env_suffix))


def load_config(config: pulumi.Config) -> StackConfig:
    """Read and check the stack config (see Pulumi.<stack>.yaml)."""
    primary = config.require("primaryRegion")
    secondaries = tuple(config.require_object("secondaryRegions"))
    if not secondaries:
        raise ConfigError("secondaryRegions must name at least one region")
    regions = (primary, *secondaries)
    if len(set(regions)) != len(regions):
        raise ConfigError(f"regions must be distinct, got {list(regions)}")
    return StackConfig(
        project=pulumi.get_project(),
        env_suffix=config.require("envSuffix"),
        primary_region=primary,
        secondary_regions=secondaries,
        app_secret=config.get_secret("appSecret"),
    )
