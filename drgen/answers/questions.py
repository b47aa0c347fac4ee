"""The questions drgen asks: how each is asked, passed as a flag, defaulted, and when it applies.

A new question starts here, in QUESTIONS and QUESTION_HELP, and leads to its validator
(fields.FIELD_VALIDATORS), its field in model.Answers (made by rules.build_answers), its flag
with the CLI's `new` options, and its entry in templates/copier.yml.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Raw = Mapping[str, object]
#: What a record made before the `ci` answer existed means: that project has no CI files.
CI_ABSENT = "none"
#: A record made before the `alarm_email` answer existed: its stack file subscribes nobody
#: (unless `pulumi config set alarmEmail` did), and an update keeps it that way.
ALARM_EMAIL_UNRECORDED = ""
#: The explicit answer for "no subscription".
NO_ALARM_EMAIL = "none"
#: The public Python Package Index: where the generated requirements-dev.txt (and so CI)
#: installs drgen unless `drgen_source` names another index. Also what a record made before
#: the question existed means: that project's CI installed drgen from pip's default index.
PYPI = "pypi"
#: Where an answer that `--defaults` filled in came from, as errors name it.
FROM_DEFAULTS = "--defaults"


def _always(raw: Raw) -> bool:
    return True


def _route53_on(raw: Raw) -> bool:
    return raw.get("route53") is True


def _vpc_on(raw: Raw) -> bool:
    return raw.get("network") == "vpc"


@dataclass(frozen=True)
class Question:
    """One answer drgen needs: how it is asked, passed as a flag, defaulted, and when it applies.

    The flags' help texts live with the CLI's options, where `--help` shows them.
    """

    key: str
    prompt: str
    flag: str
    default: object
    applies: Callable[[Raw], bool] = field(default=_always)
    #: When the question applies, in words (for errors).
    condition: str = "always"
    #: Computes the default from the project name and the answers so far (overrides `default`).
    computed_default: Callable[[str, Raw], object] | None = None
    #: What a record written before this question existed means (None: it is required).
    absent_means: object = None
    #: The answer that decides whether this one applies (None: it always applies).
    toggle: str | None = None
    #: What the flag takes, where the error for a missing answer should say (" EMAIL or none").
    flag_hint: str = ""
    #: What makes it apply: as `drgen new`'s flags, and as `drgen update`'s `--set KEY=VALUE`.
    turned_on: tuple[str, str] = ("", "")

    def when(self, *, with_set: bool = False) -> str:
        """When it applies and how to turn that on: `route53 is on (--set route53=true)`."""
        flag, set_item = self.turned_on
        how = f"--set {set_item}" if with_set else flag
        return f"{self.condition} ({how})" if how else self.condition

    def default_for(self, project_name: str, raw: Raw) -> object:
        """The default answer given what is known so far (None: no default, must be given)."""
        if self.computed_default is not None:
            return self.computed_default(project_name, raw)
        return list(self.default) if isinstance(self.default, tuple) else self.default


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="regions",
        prompt="Regions (primary first, comma-separated)",
        flag="--region",
        default=("us-east-1", "us-west-2"),
    ),
    Question(
        key="env_suffix",
        prompt="Environment suffix",
        flag="--env-suffix",
        default="dev",
    ),
    Question(
        key="route53",
        prompt="Route 53 failover on a custom domain?",
        flag="--route53/--no-route53",
        default=False,
    ),
    Question(
        key="hosted_zone_id",
        prompt="Existing hosted zone id (Z...)",
        flag="--hosted-zone-id",
        default=None,
        applies=_route53_on,
        condition="route53 is on",
        toggle="route53",
        turned_on=("--route53", "route53=true"),
    ),
    Question(
        key="domain",
        prompt="The hosted zone's domain",
        flag="--domain",
        default=None,
        applies=_route53_on,
        condition="route53 is on",
        toggle="route53",
        turned_on=("--route53", "route53=true"),
    ),
    Question(
        key="record_name",
        prompt="Record name (the service answers on <record>.<domain>)",
        flag="--record-name",
        default=None,
        applies=_route53_on,
        condition="route53 is on",
        toggle="route53",
        turned_on=("--route53", "route53=true"),
        computed_default=lambda name, raw: f"{name}-{raw.get('env_suffix', 'dev')}",
    ),
    Question(
        key="network",
        prompt="Networking of the functions",
        flag="--network",
        default="none",
    ),
    Question(
        key="base_cidr",
        prompt="Base IPv4 CIDR (one /16 per region)",
        flag="--base-cidr",
        default="10.0.0.0/8",
        applies=_vpc_on,
        condition="network is vpc",
        toggle="network",
        turned_on=("--network vpc", "network=vpc"),
    ),
    Question(
        key="ci",
        prompt="CI workflows to generate",
        flag="--ci",
        default="github",
        absent_means=CI_ABSENT,
    ),
    Question(
        key="alarm_email",
        prompt="Alarm e-mail (an address, or none)",
        flag="--alarm-email",
        # no default: an address cannot be guessed; `none` only when given
        default=None,
        absent_means=ALARM_EMAIL_UNRECORDED,
        flag_hint=" EMAIL or none",
    ),
    Question(
        key="drgen_source",
        prompt="Where requirements-dev.txt installs drgen from (pypi, or an index URL)",
        flag="--drgen-source",
        default=PYPI,
        absent_means=PYPI,
    ),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
#: The answers that decide whether others apply, in question order.
TOGGLES = tuple(dict.fromkeys(q.toggle for q in QUESTIONS if q.toggle is not None))


#: One line under each question at a terminal: what the answer is for.
QUESTION_HELP: dict[str, str] = {
    "regions": "AWS region codes, primary first: traffic fails over in this order (Tab completes)",
    "env_suffix": "Ends every physical name and names the Pulumi stack (e.g. dev, prod)",
    "route53": "Failover records on a custom domain, in a hosted zone you already have",
    "hosted_zone_id": "The existing hosted zone's id as Route 53 shows it, without /hostedzone/",
    "domain": "The hosted zone's domain, e.g. example.com",
    "record_name": "The service answers on <record>.<domain>, with an ACM certificate",
    "network": "none: AWS-managed networking; vpc: private subnets and VPC endpoints",
    "base_cidr": "A private (RFC 1918) block; each region gets the next /16 of it",
    "ci": "github: CI and deploy workflows for GitHub Actions; none: no CI files",
    "alarm_email": "Who is paged: every region's alarm topic mails it; none: nobody, said plainly",
    "drgen_source": "pypi, or your https:// package index (a PyPI mirror that also serves drgen)",
}
