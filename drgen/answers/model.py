"""What the answers make: the Answers model, and the physical names the template builds from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A 12-digit AWS account id, as the template embeds it in bucket names.
ACCOUNT_ID_PLACEHOLDER = "0" * 12


@dataclass(frozen=True)
class PhysicalName:
    """A physical name the template builds from the answers, and AWS's limit for it."""

    resource: str
    pattern: str
    limit: int

    def render(self, project_name: str, env_suffix: str, region: str) -> str:
        """The name for these answers, with a 12-digit account id where the template puts one."""
        return self.pattern.format(
            project=project_name, suffix=env_suffix, region=region, account=ACCOUNT_ID_PLACEHOLDER
        )


#: Every physical name in templates/project/infra whose length depends on the answers and
#: whose AWS limit could be reached (the generated tests check every name against AWS too).
PHYSICAL_NAMES: tuple[PhysicalName, ...] = (
    PhysicalName("S3 bucket", "{project}-{account}-{region}-{suffix}", 63),
    PhysicalName("IAM role", "{project}-api-{region}-{suffix}", 64),
    PhysicalName("IAM role", "{project}-replication-{region}-{suffix}", 64),
    PhysicalName("Lambda function", "{project}-api-{suffix}", 64),
    PhysicalName("IAM role", "{project}-probe-{region}-{suffix}", 64),
    PhysicalName("IAM role", "{project}-fis-{region}-{suffix}", 64),
    PhysicalName("Lambda function", "{project}-probe-{suffix}", 64),
    PhysicalName("EventBridge rule", "{project}-probe-{suffix}", 64),
)


@dataclass(frozen=True)
class Answers:
    """A complete, valid set of answers."""

    project_name: str
    regions: tuple[str, ...]
    env_suffix: str
    route53: bool = False
    hosted_zone_id: str | None = None
    domain: str | None = None
    record_name: str | None = None
    network: str = "none"
    base_cidr: str | None = None
    ci: str = "github"
    #: An address, `none`, or None when the record predates the question.
    alarm_email: str | None = None
    #: `pypi`, or the https:// index requirements-dev.txt installs drgen (and the rest) from.
    drgen_source: str = "pypi"

    @property
    def primary_region(self) -> str:
        """The region that owns the global table, the secret and the replication."""
        return self.regions[0]

    @property
    def secondary_regions(self) -> tuple[str, ...]:
        """The regions that receive replicas."""
        return self.regions[1:]

    def to_data(self) -> dict[str, Any]:
        """Plain data for the template and the project's answers record (only what applies)."""
        data: dict[str, Any] = {
            "project_name": self.project_name,
            "regions": list(self.regions),
            "env_suffix": self.env_suffix,
            "route53": self.route53,
            "hosted_zone_id": self.hosted_zone_id,
            "domain": self.domain,
            "record_name": self.record_name,
            "network": self.network,
            "base_cidr": self.base_cidr,
            "ci": self.ci,
            "alarm_email": self.alarm_email,
            "drgen_source": self.drgen_source,
        }
        return {key: value for key, value in data.items() if value is not None}
