"""The answers model: every source (prompts, flags, answers file, defaults) ends up here.

Each field is validated on its own, then the rules that span fields (distinct regions, the
length of every physical name the template derives from them) are checked in one place.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drgen.errors import AnswerError, AnswerErrors
from drgen.files import ALIAS_REFUSED, InputError, load_yaml, read_text
from drgen.regions import COMMERCIAL_REGIONS

#: Lowercase DNS-label style: valid in S3 bucket names, IAM, Lambda and Pulumi names alike.
LABEL = re.compile(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*")
LABEL_RULE = "lowercase letters, digits and single hyphens, starting with a letter"
#: S3 refuses bucket names that start or end with these (bucket names start with the
#: project name and end with the suffix).
RESERVED_PREFIXES = ("sthree-", "amzn-s3-demo-", "xn--")
RESERVED_SUFFIXES = ("s3alias",)
#: A 12-digit AWS account id, as the template embeds it in bucket names.
ACCOUNT_ID_PLACEHOLDER = "0" * 12


Raw = Mapping[str, object]
#: What a record made before the `ci` answer existed means: that project has no CI files.
CI_ABSENT = "none"
#: A record made before the `alarm_email` answer existed: its stack file subscribes nobody
#: (unless `pulumi config set alarmEmail` did), and an update keeps it that way.
ALARM_EMAIL_UNRECORDED = ""
#: The explicit answer for "no subscription".
NO_ALARM_EMAIL = "none"
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

    The flags' help texts live with the options in cli.py, where `--help` shows them.
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
    #: Whether `drgen new` asks for it at a terminal and needs it without one. An optional
    #: answer is given only by its flag, the answers file or `--set`.
    required: bool = True

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
        condition="route53 is on (--route53)",
        toggle="route53",
    ),
    Question(
        key="domain",
        prompt="The hosted zone's domain",
        flag="--domain",
        default=None,
        applies=_route53_on,
        condition="route53 is on (--route53)",
        toggle="route53",
    ),
    Question(
        key="record_name",
        prompt="Record name (the service answers on <record>.<domain>)",
        flag="--record-name",
        default=None,
        applies=_route53_on,
        condition="route53 is on (--route53)",
        toggle="route53",
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
        condition="network is vpc (--network vpc)",
        toggle="network",
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
        prompt="Alarm e-mail (every alarm topic mails it; none: nobody)",
        flag="--alarm-email",
        # no default: an address cannot be guessed; `none` only when given
        default=None,
        absent_means=ALARM_EMAIL_UNRECORDED,
        required=False,
    ),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
#: The answers that decide whether others apply, in question order.
TOGGLES = tuple(dict.fromkeys(q.toggle for q in QUESTIONS if q.toggle is not None))


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
        }
        return {key: value for key, value in data.items() if value is not None}


def _shown(value: object) -> str:
    """An answer as errors name it: YAML's `null`, `true` and `false`, not Python's words."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    return repr(value)


def _got(value: object) -> str:
    """A wrong-typed answer as errors name it: its type and value."""
    return "null" if value is None else f"{type(value).__name__} {value!r}"


def _label(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"{field}: expected a string, got {_got(value)}")
    if not LABEL.fullmatch(value):
        raise AnswerError(f"{field} {value!r} is not valid: use {LABEL_RULE}")
    return value


def validate_project_name(value: object) -> str:
    """The project name: a label, not one S3 reserves."""
    name = _label("project name", value)
    if name.startswith(RESERVED_PREFIXES):
        raise AnswerError(
            f"project name {name!r} starts with a prefix S3 reserves "
            f"({', '.join(RESERVED_PREFIXES)}): choose another name"
        )
    return name


def validate_env_suffix(value: object) -> str:
    """The environment suffix: a label, not one S3 reserves at the end of a bucket name."""
    suffix = _label("env_suffix", value)
    if suffix in RESERVED_SUFFIXES:
        raise AnswerError(f"env_suffix {suffix!r} is reserved by S3: choose another suffix")
    return suffix


#: Region codes of the other AWS partitions, which a commercial account cannot deploy to.
OTHER_PARTITIONS = (
    ("cn-", "the China partition (aws-cn)"),
    ("us-gov-", "the GovCloud partition (aws-us-gov)"),
    ("us-iso", "an isolated partition"),
    ("eusc-", "the European Sovereign Cloud partition"),
)
REGION_EXAMPLES = "such as us-east-1, eu-west-1 or ap-southeast-2"


def _region_problem(given: str) -> str:
    """Why `given` (stripped, as typed) is not a commercial region code: a guess, or examples."""
    code = given.lower()
    if not code:
        return "regions: an empty region code (a comma too many?)"
    for prefix, partition in OTHER_PARTITIONS:
        if code.startswith(prefix):
            return (
                f"region {given!r} is in {partition}; drgen deploys to AWS commercial regions "
                f"only ({REGION_EXAMPLES})"
            )
    close = difflib.get_close_matches(code, sorted(COMMERCIAL_REGIONS), n=1)
    if close:
        return f"region {given!r} is not an AWS commercial region code; did you mean {close[0]}?"
    return f"region {given!r} is not an AWS commercial region code ({REGION_EXAMPLES})"


def region_codes(value: object) -> list[str]:
    """The codes in a list and/or comma-separated strings, stripped, as typed (case kept).

    One syntax for every source: `-r a,b -r c`, `--set regions=a,b`, `regions: [a, b]` and
    `regions: a, b` all give the same list.
    """
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise AnswerError(
            "regions: expected a list of region codes or a comma-separated string, "
            f"got {_got(value)}"
        )
    codes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise AnswerError(f"regions: expected region codes, got {_got(item)}")
        codes.extend(part.strip() for part in item.split(","))
    return codes


def validate_regions(value: object) -> tuple[str, ...]:
    """At least two distinct commercial region codes, primary first, lowercased.

    Every unknown or repeated code is reported, not only the first.
    """
    problems: list[str] = []
    regions: list[str] = []
    for given in region_codes(value):
        code = given.lower()
        if code not in COMMERCIAL_REGIONS:
            problems.append(_region_problem(given))
        elif code in regions:
            problems.append(f"region {code!r} is given twice: regions must be distinct")
        else:
            regions.append(code)
    if problems:
        raise AnswerErrors(problems)
    if len(regions) < 2:
        raise AnswerError(
            f"regions {regions!r}: a DR stack needs at least two regions (primary first)"
        )
    return tuple(regions)


def validate_route53(value: object) -> bool:
    """On or off; YAML's true/false, not a string."""
    if not isinstance(value, bool):
        raise AnswerError(f"route53: expected true or false, got {_got(value)}")
    return value


#: Route 53's API gives a hosted zone Id a maximum length of 32 (API_HostedZone).
HOSTED_ZONE_ID_LIMIT = 32
HOSTED_ZONE_ID = re.compile(r"Z[A-Z0-9]+")


def validate_hosted_zone_id(value: object) -> str:
    """A Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ."""
    if not isinstance(value, str) or not HOSTED_ZONE_ID.fullmatch(value):
        raise AnswerError(
            f"hosted_zone_id {_shown(value)} is not a Route 53 hosted zone id: expected Z "
            f"followed by up to {HOSTED_ZONE_ID_LIMIT - 1} uppercase letters and digits "
            "(without /hostedzone/)"
        )
    if len(value) > HOSTED_ZONE_ID_LIMIT:
        raise AnswerError(
            f"hosted_zone_id {value!r} is {len(value)} characters long; Route 53 hosted zone "
            f"ids have at most {HOSTED_ZONE_ID_LIMIT}"
        )
    return value


DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _dns_name(field: str, value: object, *, min_labels: int) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"{field}: expected a string, got {_got(value)}")
    labels = value.split(".")
    if (
        len(labels) < min_labels
        or len(value) > 253
        or not all(DNS_LABEL.fullmatch(label) for label in labels)
    ):
        raise AnswerError(
            f"{field} {value!r} is not a valid DNS name: use {min_labels}+ dot-separated "
            "labels of lowercase letters, digits and inner hyphens (1-63 each), no trailing dot"
        )
    return value


def validate_domain(value: object) -> str:
    """The hosted zone's domain: at least two labels, lowercase."""
    return _dns_name("domain", value, min_labels=2)


def validate_record_name(value: object) -> str:
    """The record's name relative to the domain: one or more labels."""
    return _dns_name("record_name", value, min_labels=1)


NETWORKS = ("none", "vpc")


def validate_network(value: object) -> str:
    """`none` or `vpc`."""
    if value not in NETWORKS:
        raise AnswerError(
            f"network {_shown(value)} is not accepted; accepted: {', '.join(NETWORKS)}"
        )
    return str(value)


#: Continuous-integration systems drgen writes workflows for.
CI_SYSTEMS = ("github", "none")


def validate_ci(value: object) -> str:
    """One of the CI systems drgen writes workflows for, or none."""
    if value not in CI_SYSTEMS:
        raise AnswerError(f"ci {_shown(value)} is not accepted; accepted: {', '.join(CI_SYSTEMS)}")
    return str(value)


#: The private address blocks of RFC 1918, the ones AWS recommends for a VPC.
PRIVATE_NETWORKS = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


def validate_base_cidr(value: object) -> str:
    """An RFC 1918 IPv4 network with no host bits set, /16 or larger."""
    if not isinstance(value, str):
        raise AnswerError(f"base_cidr: expected a string, got {_got(value)}")
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        raise AnswerError(
            f"base_cidr {value!r} is not an IPv4 network such as 10.0.0.0/8 "
            "(address/prefix, host bits zero)"
        ) from None
    if network.prefixlen > 16:
        raise AnswerError(f"base_cidr {value!r} is smaller than a /16; each region needs a /16")
    if not any(network.subnet_of(block) for block in PRIVATE_NETWORKS):
        raise AnswerError(
            f"base_cidr {value!r} is not a private range: use part of the RFC 1918 blocks "
            f"{', '.join(map(str, PRIVATE_NETWORKS))}"
        )
    return value


#: What SNS e-mail subscriptions and the generated stack config accept: a plain ASCII
#: address (RFC 5321 limits it to 254 characters), no quoting or comments.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_LIMIT = 254


def validate_alarm_email(value: object) -> str:
    """An e-mail address every alarm topic mails, or `none` for no subscription."""
    if not isinstance(value, str):
        raise AnswerError(f"alarm_email: expected a string, got {_got(value)}")
    if value == NO_ALARM_EMAIL:
        return value
    if len(value) > EMAIL_LIMIT or not EMAIL.fullmatch(value):
        raise AnswerError(
            f"alarm_email {value!r} is not accepted: expected an e-mail address such as "
            f"oncall@example.com (at most {EMAIL_LIMIT} characters), or none"
        )
    return value


FIELD_VALIDATORS: dict[str, Callable[[object], object]] = {
    "regions": validate_regions,
    "env_suffix": validate_env_suffix,
    "route53": validate_route53,
    "hosted_zone_id": validate_hosted_zone_id,
    "domain": validate_domain,
    "record_name": validate_record_name,
    "network": validate_network,
    "base_cidr": validate_base_cidr,
    "ci": validate_ci,
    "alarm_email": validate_alarm_email,
}


def validate_field(key: str, value: object) -> object:
    """Validate one answer on its own (used by prompts to re-ask at once)."""
    return FIELD_VALIDATORS[key](value)


def check_physical_names(project_name: str, env_suffix: str, regions: tuple[str, ...]) -> None:
    """Every name the template derives must fit AWS's limit, for every region chosen."""
    for name in PHYSICAL_NAMES:
        for region in regions:
            rendered = name.render(project_name, env_suffix, region)
            if len(rendered) > name.limit:
                excess = len(rendered) - name.limit
                raise AnswerError(
                    f"project name {project_name!r} with env_suffix {env_suffix!r} makes the "
                    f"{name.resource} name {rendered!r} {len(rendered)} characters long in "
                    f"{region}; AWS accepts at most {name.limit}: shorten them by {excess}"
                )


def longest_env_suffix(project_name: str, regions: tuple[str, ...]) -> int:
    """The longest env_suffix that still fits every physical name (0 if none does)."""
    return min(
        name.limit - len(name.render(project_name, "", region))
        for name in PHYSICAL_NAMES
        for region in regions
    )


#: ACM puts the first domain name in the certificate's common name, limited to 64 characters.
ACM_COMMON_NAME_LIMIT = 64


def _cross_field_problems(answers: Answers) -> list[tuple[str, tuple[str, ...]]]:
    """Every rule that spans answers and fails, with the answers (keys) it involves."""
    problems: list[tuple[str, tuple[str, ...]]] = []
    try:
        check_physical_names(answers.project_name, answers.env_suffix, answers.regions)
    except AnswerError as error:
        problems.append((str(error), ("env_suffix", "regions")))
    if answers.record_name is not None and answers.domain is not None:
        fqdn = f"{answers.record_name}.{answers.domain}"
        if len(fqdn) > ACM_COMMON_NAME_LIMIT:
            problems.append(
                (
                    f"custom domain {fqdn!r} is {len(fqdn)} characters; ACM certificates accept "
                    f"at most {ACM_COMMON_NAME_LIMIT}: shorten record_name or domain",
                    ("record_name", "domain"),
                )
            )
    if answers.base_cidr is not None:
        room = 2 ** (16 - ipaddress.IPv4Network(answers.base_cidr).prefixlen)
        if room < len(answers.regions):
            problems.append(
                (
                    f"base_cidr {answers.base_cidr!r} holds {room} /16 networks but "
                    f"{len(answers.regions)} regions need one each: use a larger network",
                    ("base_cidr", "regions"),
                )
            )
    return problems


def check_cross_field(answers: Answers) -> None:
    """The rules that span answers: name lengths, the custom domain, room for every VPC."""
    problems = [message for message, _ in _cross_field_problems(answers)]
    if problems:
        raise AnswerErrors(problems)


def _suggest(key: str, accepted: Sequence[str]) -> str:
    """`did you mean x?` for a near miss, else the accepted keys."""
    close = difflib.get_close_matches(key, accepted, n=1)
    return f"did you mean {close[0]}?" if close else f"accepted: {', '.join(accepted)}"


class _Problems:
    """The refusals of one set of answers, each tagged with where its answers came from."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self.lines: list[str] = []
        #: Refusals of defaults computed from refused answers (record_name from a bad suffix):
        #: shown only if nothing else explains them.
        self.derived: list[str] = []

    def add(self, message: str, keys: Sequence[str] = ()) -> None:
        tagged = [key for key in keys if key in self.sources]
        origins = {self.sources[key] for key in tagged}
        if len(origins) == 1:
            message += f" (from {origins.pop()})"
        elif origins:
            message += f" ({', '.join(f'{key} from {self.sources[key]}' for key in tagged)})"
        self.lines.append(message)

    def check(self, key: str, value: object, good: dict[str, object]) -> None:
        """Validate one answer; keep it in `good` or record every reason it is refused."""
        try:
            good[key] = FIELD_VALIDATORS[key](value)
        except AnswerError as error:
            lines = error.problems if isinstance(error, AnswerErrors) else [str(error)]
            for line in lines:
                if self.sources.get(key) == FROM_DEFAULTS:
                    self.derived.append(f"{line} (from {FROM_DEFAULTS})")
                else:
                    self.add(line, (key,))

    def raise_any(self) -> None:
        """Raise every refusal so far, if there is one."""
        if self.lines or self.derived:
            raise AnswerErrors(self.lines or self.derived)


def _check_fields(
    project_name: object, raw: Raw, found: _Problems, *, every_missing: bool
) -> tuple[dict[str, object], list[str]]:
    """Each answer on its own, in question order: the valid ones, and those still missing."""
    good: dict[str, object] = {}
    try:
        good["project_name"] = validate_project_name(project_name)
    except AnswerError as error:
        found.add(str(error))
    for key in raw:
        if key not in QUESTION_KEYS:
            found.add(f"unknown answer {str(key)!r}; {_suggest(str(key), QUESTION_KEYS)}")
    for toggle in TOGGLES:  # first: they decide which other answers apply
        if toggle in raw:
            found.check(toggle, raw[toggle], good)
    missing: list[str] = []
    for question in QUESTIONS:
        if question.toggle is not None and question.toggle not in good:
            continue  # its toggle is missing or refused: whether it applies is unknown
        applies = question.applies(good)
        if question.key not in raw:
            if applies and question.required and (every_missing or question.absent_means is None):
                missing.append(question.key)
        elif not applies:
            found.add(
                f"{question.key} {_shown(raw[question.key])} is only used when "
                f"{question.condition}; remove it or turn that on",
                (question.key,),
            )
        elif question.key not in TOGGLES:
            found.check(question.key, raw[question.key], good)
    return good, missing


def build_answers(
    project_name: object,
    raw: Raw,
    *,
    sources: Mapping[str, str] | None = None,
    problems: Sequence[str] = (),
    unanswered: Callable[[list[str]], str] | None = None,
) -> Answers:
    """Validate every answer, then the cross-field rules; the only way to make `Answers`.

    Every refusal is collected and raised together (`AnswerErrors`), each naming its source
    (`sources`: answer key -> flag or file). `problems` are refusals found earlier (an answers
    file's unknown keys). Without `unanswered`, a missing answer that predates its question
    takes `absent_means` (an old record); with it, every missing answer is listed by it.
    """
    found = _Problems(sources or {})
    found.lines.extend(problems)
    good, missing = _check_fields(project_name, raw, found, every_missing=unanswered is not None)
    if missing:
        found.add(unanswered(missing) if unanswered else f"missing answers: {', '.join(missing)}")
    found.raise_any()
    answers = Answers(
        project_name=str(good["project_name"]),
        regions=good["regions"],  # type: ignore[arg-type]
        env_suffix=str(good["env_suffix"]),
        route53=bool(good["route53"]),
        hosted_zone_id=good.get("hosted_zone_id"),  # type: ignore[arg-type]
        domain=good.get("domain"),  # type: ignore[arg-type]
        record_name=good.get("record_name"),  # type: ignore[arg-type]
        network=str(good["network"]),
        base_cidr=good.get("base_cidr"),  # type: ignore[arg-type]
        ci=str(good.get("ci", CI_ABSENT)),
        alarm_email=good.get("alarm_email"),  # type: ignore[arg-type]
    )
    for message, keys in _cross_field_problems(answers):
        found.add(message, keys)
    found.raise_any()
    return answers


#: The keys of a record (`.drgen/answers.yml`) besides the answers themselves.
RECORD_KEYS = ("drgen_version", "answers")


@dataclass(frozen=True)
class AnswersFile:
    """What an answers file says: its answers, where each came from, and what it refuses."""

    answers: dict[str, object]
    sources: dict[str, str]
    problems: list[str]


def _parse(path: Path, text: str) -> object:
    """JSON for a .json file, YAML otherwise (a JSON document that YAML refuses falls back)."""
    where = f"answers file {str(path)!r}"
    if path.suffix.lower() != ".json":
        try:
            return load_yaml(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            if getattr(error, "problem", None) == ALIAS_REFUSED:
                raise AnswerError(f"{where} uses a YAML alias{at}: write the value out") from None
            if not text.lstrip().startswith("{"):
                raise AnswerError(f"{where} is not valid YAML{at}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        at = f" at line {error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        raise AnswerError(f"{where} is not valid JSON{at}") from None


def read_answers_file(path: Path) -> AnswersFile:
    """Read answers from YAML or JSON: a plain mapping, or a project's `.drgen/answers.yml`.

    A record's `drgen_version` and `project_name` are ignored: replaying a project's answers
    makes a new project named by `drgen new`'s NAME with the installed template. Unknown keys
    are problems, each reported with the rest of the answers' refusals.
    """
    where = f"answers file {str(path)!r}"
    try:
        text = read_text(path)
    except OSError as error:
        raise AnswerError(f"{where} cannot be read: {error.strerror}") from None
    except InputError as error:
        raise AnswerError(f"{where} {error}") from None
    data = _parse(path, text)
    if data is None:
        return AnswersFile({}, {}, [])
    if not isinstance(data, dict):
        raise AnswerError(
            f"{where} must be a mapping of answers ({', '.join(QUESTION_KEYS)}), "
            f"got {type(data).__name__}"
        )
    problems: list[str] = []
    prefix = ""
    if "answers" in data:  # a record: {drgen_version: ..., answers: {project_name: ..., ...}}
        for key in data:
            if key not in RECORD_KEYS:
                problems.append(
                    f"{where}: unknown key {str(key)!r} beside answers; accepted: "
                    f"{', '.join(RECORD_KEYS)}"
                )
        data = data["answers"]
        if not isinstance(data, dict):
            raise AnswerError(f"{where}: answers must be a mapping, got {_got(data)}")
        data = {key: value for key, value in data.items() if key != "project_name"}
        prefix = "answers."
    answers: dict[str, object] = {}
    for key, value in data.items():
        if key in QUESTION_KEYS:
            answers[key] = value
        elif key == "project_name":
            problems.append(
                f"{where}: project_name is not an answer: the project is named by drgen new's NAME"
            )
        else:
            problems.append(
                f"{where}: unknown key {prefix}{str(key)!r}; {_suggest(str(key), QUESTION_KEYS)}"
            )
    sources = {key: f"{where}, key {prefix}{key}" for key in answers}
    return AnswersFile(answers, sources, problems)


def load_answers_file(path: Path) -> dict[str, object]:
    """The answers of an answers file; refuses one with unknown keys (all of them named)."""
    read = read_answers_file(path)
    if read.problems:
        raise AnswerErrors(read.problems)
    return read.answers


def missing_answers_message(
    missing: Sequence[str], *, use_defaults: bool = False, without_default: Sequence[str] = ()
) -> str:
    """The error line for a run that cannot prompt and lacks answers, with advice that fits.

    `without_default`: the missing answers `--defaults` cannot supply (a hosted zone).
    """
    flags = {q.key: q.flag for q in QUESTIONS}
    listed = ", ".join(f"{key} ({flags[key]})" for key in missing)
    if use_defaults:
        them, flags_ = ("it", "a flag") if len(missing) == 1 else ("them", "flags")
        return (
            f"no terminal to ask for: {listed}; --defaults has no default for {them}: "
            f"pass {them} as {flags_} or in --answers-file"
        )
    if without_default:
        return (
            f"no terminal to ask for: {listed}; pass them as flags or in --answers-file "
            f"(--defaults has no default for {', '.join(without_default)})"
        )
    return (
        f"no terminal to ask for: {listed}; pass them as flags, in --answers-file, "
        "or use --defaults"
    )


def missing_answers_error(missing: list[str]) -> AnswerError:
    """The error for a run that cannot prompt and lacks answers."""
    return AnswerError(missing_answers_message(missing))


@dataclass
class Gathered:
    """The answers of one `drgen new` before prompting: merged, defaulted, with their sources."""

    project_name: str
    raw: dict[str, object]
    #: Applicable questions still unanswered, in question order.
    missing: list[str]
    #: Answer key -> the flag, answers-file key or `--defaults` that gave it.
    sources: dict[str, str]
    #: Refusals found while reading (an answers file's unknown keys).
    problems: list[str]
    use_defaults: bool

    def build(self) -> Answers:
        """Validate everything at once; a question still unanswered is named with its flag."""
        return build_answers(
            self.project_name,
            self.raw,
            sources=self.sources,
            problems=self.problems,
            unanswered=self._unanswered,
        )

    def check_given(self) -> None:
        """Refuse every answer given so far that is wrong on its own, all at once.

        Before prompting for the rest: the missing answers are not errors yet.
        """
        found = _Problems(self.sources)
        found.lines.extend(self.problems)
        _check_fields(self.project_name, self.raw, found, every_missing=False)
        found.raise_any()

    def _unanswered(self, missing: list[str]) -> str:
        questions = {q.key: q for q in QUESTIONS}
        without = [
            k for k in missing if questions[k].default_for(self.project_name, self.raw) is None
        ]
        return missing_answers_message(
            missing, use_defaults=self.use_defaults, without_default=without
        )


def gather_answers(
    project_name: str,
    answers_file: Path | None,
    flags: Mapping[str, object | None],
    *,
    use_defaults: bool,
) -> Gathered:
    """Merge answers file < flags, fill defaults if asked, and remember where each came from."""
    raw: dict[str, object] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    if answers_file is not None:
        read = read_answers_file(answers_file)
        raw.update(read.answers)
        sources.update(read.sources)
        problems.extend(read.problems)
    flag_of = {q.key: q.flag for q in QUESTIONS}
    for key, value in flags.items():
        if value is not None:
            raw[key] = value
            sources[key] = flag_of.get(key, key)
    before = set(raw)
    missing = fill_defaults(project_name, raw, use_defaults=use_defaults)
    sources.update((key, FROM_DEFAULTS) for key in set(raw) - before)
    return Gathered(project_name, raw, missing, sources, problems, use_defaults)


def collect_answers(
    project_name: str,
    answers_file: Path | None,
    flags: Mapping[str, object | None],
    *,
    use_defaults: bool,
) -> tuple[dict[str, object], list[str]]:
    """Merge answers file < flags, fill defaults if asked; return answers and what is missing.

    Questions are visited in order, so a toggle is settled before the answers that depend on it.
    """
    raw: dict[str, object] = {}
    if answers_file is not None:
        raw.update(load_answers_file(answers_file))
    raw.update({key: value for key, value in flags.items() if value is not None})
    return raw, fill_defaults(project_name, raw, use_defaults=use_defaults)


def fill_defaults(
    project_name: str, raw: dict[str, object], *, use_defaults: bool = True
) -> list[str]:
    """Give every applicable, unanswered question its default; return the keys still missing.

    Works in place and in question order, so a toggle is settled before its dependents.
    """
    missing = []
    for question in QUESTIONS:
        if question.key in raw or not question.applies(raw) or not question.required:
            continue
        default = question.default_for(project_name, raw) if use_defaults else None
        if default is None:
            missing.append(question.key)
        else:
            raw[question.key] = default
    return missing


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
    "alarm_email": "Who is paged: every region's alarm topic mails it (none: nobody)",
}


def check_custom_domain(record_name: str, domain: str) -> None:
    """`<record>.<domain>` becomes the certificate's common name, which ACM limits."""
    fqdn = f"{record_name}.{domain}"
    if len(fqdn) > ACM_COMMON_NAME_LIMIT:
        raise AnswerError(
            f"custom domain {fqdn!r} is {len(fqdn)} characters; ACM certificates accept at "
            f"most {ACM_COMMON_NAME_LIMIT}: shorten record_name or domain"
        )


def check_cidr_room(base_cidr: str, regions: tuple[str, ...]) -> None:
    """Every region needs its own /16 inside the base network."""
    room = 2 ** (16 - ipaddress.IPv4Network(base_cidr).prefixlen)
    if room < len(regions):
        raise AnswerError(
            f"base_cidr {base_cidr!r} holds {room} /16 networks but "
            f"{len(regions)} regions need one each: use a larger network"
        )


def check_room_for_suffix(project_name: str, regions: tuple[str, ...]) -> None:
    """Some env_suffix (one character at least) must still fit every physical name."""
    for name in PHYSICAL_NAMES:
        for region in regions:
            bare = name.render(project_name, "", region)
            if len(bare) + 1 > name.limit:
                raise AnswerError(
                    f"project name {project_name!r} leaves no room for an env_suffix in "
                    f"{region}: the {name.resource} name {bare + 'x'!r} would be "
                    f"{len(bare) + 1} characters and AWS accepts at most {name.limit}"
                )


def check_decided(project_name: str, raw: Raw) -> None:
    """Check what the answers given so far already decide, before the others are known.

    Each answer on its own, then every rule spanning answers whose inputs are all known; a
    prompt calls it with the answer being typed so the error arrives at that prompt.
    """
    name = validate_project_name(project_name)
    known = {
        q.key: validate_field(q.key, raw[q.key])
        for q in QUESTIONS
        if q.key in raw and q.applies(raw)
    }
    regions = known.get("regions")
    if isinstance(regions, tuple):
        if "env_suffix" in known:
            check_physical_names(name, str(known["env_suffix"]), regions)
        else:
            check_room_for_suffix(name, regions)
        if "base_cidr" in known:
            check_cidr_room(str(known["base_cidr"]), regions)
    else:  # whatever regions come, the shortest code is the least a name can take
        check_room_for_suffix(name, (min(sorted(COMMERCIAL_REGIONS), key=len),))
    if "record_name" in known and "domain" in known:
        check_custom_domain(str(known["record_name"]), str(known["domain"]))
