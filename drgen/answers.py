"""The answers model: every source (prompts, flags, answers file, defaults) ends up here.

Each field is validated on its own, then the rules that span fields (distinct regions, the
length of every physical name the template derives from them) are checked in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from drgen.errors import AnswerError
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


@dataclass(frozen=True)
class Question:
    """One answer drgen needs: how it is asked, passed as a flag, and defaulted."""

    key: str
    prompt: str
    flag: str
    default: Any
    help: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="regions",
        prompt="Regions (primary first, comma-separated)",
        flag="--region",
        default=("us-east-1", "us-west-2"),
        help="AWS commercial region codes; the first is primary, at least two, all distinct",
    ),
    Question(
        key="env_suffix",
        prompt="Environment suffix",
        flag="--env-suffix",
        default="dev",
        help="ends every physical name and names the Pulumi stack, e.g. dev, prod",
    ),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)


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
    PhysicalName("IAM role", "{project}-s3-replication-{suffix}", 64),
    PhysicalName("Lambda function", "{project}-api-{suffix}", 64),
)


@dataclass(frozen=True)
class Answers:
    """A complete, valid set of answers."""

    project_name: str
    regions: tuple[str, ...]
    env_suffix: str

    @property
    def primary_region(self) -> str:
        """The region that owns the global table, the secret and the replication."""
        return self.regions[0]

    @property
    def secondary_regions(self) -> tuple[str, ...]:
        """The regions that receive replicas."""
        return self.regions[1:]

    def to_data(self) -> dict[str, Any]:
        """Plain data for the template and the project's answers record."""
        return {
            "project_name": self.project_name,
            "regions": list(self.regions),
            "env_suffix": self.env_suffix,
        }


def _label(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"{field}: expected a string, got {type(value).__name__} {value!r}")
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


def validate_regions(value: object) -> tuple[str, ...]:
    """At least two distinct commercial region codes, primary first."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise AnswerError(
            f"regions: expected a list of region codes, got {type(value).__name__} {value!r}"
        )
    regions: list[str] = []
    for region in value:
        if not isinstance(region, str) or region not in COMMERCIAL_REGIONS:
            raise AnswerError(
                f"region {region!r} is not an AWS commercial region code; accepted: "
                f"{', '.join(sorted(COMMERCIAL_REGIONS))}"
            )
        if region in regions:
            raise AnswerError(f"region {region!r} is given twice: regions must be distinct")
        regions.append(region)
    if len(regions) < 2:
        raise AnswerError(
            f"regions {regions!r}: a DR stack needs at least two regions (primary first)"
        )
    return tuple(regions)


FIELD_VALIDATORS = {
    "regions": validate_regions,
    "env_suffix": validate_env_suffix,
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


def build_answers(project_name: object, raw: Mapping[str, object]) -> Answers:
    """Validate every answer, then the cross-field rules; the only way to make `Answers`."""
    unknown = sorted(set(raw) - set(QUESTION_KEYS))
    if unknown:
        raise AnswerError(f"unknown answer {unknown[0]!r}; accepted: {', '.join(QUESTION_KEYS)}")
    missing = [key for key in QUESTION_KEYS if key not in raw]
    if missing:
        raise AnswerError(f"missing answers: {', '.join(missing)}")
    name = validate_project_name(project_name)
    answers = Answers(
        project_name=name,
        regions=validate_regions(raw["regions"]),
        env_suffix=validate_env_suffix(raw["env_suffix"]),
    )
    check_physical_names(answers.project_name, answers.env_suffix, answers.regions)
    return answers


def defaults() -> dict[str, object]:
    """Every question's default answer."""
    return {
        q.key: list(q.default) if isinstance(q.default, tuple) else q.default for q in QUESTIONS
    }


def load_answers_file(path: Path) -> dict[str, object]:
    """Read a YAML answers file: a mapping of question keys to answers."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AnswerError(f"answers file {str(path)!r} cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise AnswerError(f"answers file {str(path)!r} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise AnswerError(f"answers file {str(path)!r} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswerError(
            f"answers file {str(path)!r} must be a mapping of answers "
            f"({', '.join(QUESTION_KEYS)}), got {type(data).__name__}"
        )
    unknown = sorted(str(key) for key in data if key not in QUESTION_KEYS)
    if unknown:
        raise AnswerError(
            f"answers file {str(path)!r}: unknown key {unknown[0]!r}; "
            f"accepted: {', '.join(QUESTION_KEYS)}"
        )
    return dict(data)


def missing_answers_error(missing: list[str]) -> AnswerError:
    """The error for a run that cannot prompt and lacks answers."""
    flags = {q.key: q.flag for q in QUESTIONS}
    listed = ", ".join(f"{key} ({flags[key]})" for key in missing)
    return AnswerError(
        f"no terminal to ask for: {listed}; pass them as flags, in --answers-file, "
        "or use --defaults"
    )


def collect_answers(
    answers_file: Path | None, flags: Mapping[str, object | None], *, use_defaults: bool
) -> tuple[dict[str, object], list[str]]:
    """Merge defaults < answers file < flags; return the answers and the keys still missing."""
    raw: dict[str, object] = defaults() if use_defaults else {}
    if answers_file is not None:
        raw.update(load_answers_file(answers_file))
    raw.update({key: value for key, value in flags.items() if value is not None})
    return raw, [key for key in QUESTION_KEYS if key not in raw]
