"""The rules that span answers, and `build_answers`, the only way to make `Answers`.

Each answer is checked on its own (fields.py, regions.py), then every rule spanning answers:
each physical name the template derives fits AWS's limit, the custom domain fits ACM's, the
base network holds a /16 per region. Every refusal is collected and raised together, each
naming where its answers came from.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection, Mapping, Sequence

from drgen.answers.fields import FIELD_VALIDATORS, validate_field, validate_project_name
from drgen.answers.model import PHYSICAL_NAMES, Answers
from drgen.answers.questions import (
    CI_ABSENT,
    FROM_DEFAULTS,
    PYPI,
    QUESTION_KEYS,
    QUESTIONS,
    TOGGLES,
    Raw,
)
from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.answers.wording import shown, suggest
from drgen.errors import AnswerError, AnswerErrors
from drgen.text import plural, them


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


#: ACM puts the first domain name in the certificate's common name, limited to 64 characters.
ACM_COMMON_NAME_LIMIT = 64


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
            f"base_cidr {base_cidr!r} holds {plural(room, '/16 network')} but "
            f"{plural(len(regions), 'region')} need one each: use a larger network"
        )


def _cross_field_problems(answers: Answers) -> list[tuple[str, tuple[str, ...]]]:
    """Every rule that spans answers and fails, with the answers (keys) it involves."""
    problems: list[tuple[str, tuple[str, ...]]] = []
    try:
        check_physical_names(answers.project_name, answers.env_suffix, answers.regions)
    except AnswerError as error:
        problems.append((str(error), ("env_suffix", "regions")))
    if answers.record_name is not None and answers.domain is not None:
        try:
            check_custom_domain(answers.record_name, answers.domain)
        except AnswerError as error:
            problems.append((str(error), ("record_name", "domain")))
    if answers.base_cidr is not None:
        try:
            check_cidr_room(answers.base_cidr, answers.regions)
        except AnswerError as error:
            problems.append((str(error), ("base_cidr", "regions")))
    return problems


class _Problems:
    """The refusals of one set of answers, each tagged with where its answers came from."""

    def __init__(self, sources: Mapping[str, str], defaulted: Collection[str] = ()) -> None:
        self.sources = sources
        #: The answers that are defaults, not given: `--defaults`, or filled in by `--set`.
        self.defaulted = {k for k, v in sources.items() if v == FROM_DEFAULTS} | set(defaulted)
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
                if key in self.defaulted:
                    source = self.sources.get(key)
                    self.derived.append(f"{line} (from {source})" if source else line)
                else:
                    self.add(line, (key,))

    def raise_any(self) -> None:
        """Raise every refusal so far, if there is one."""
        if self.lines or self.derived:
            raise AnswerErrors(self.lines or self.derived)


def _check_fields(
    project_name: object, raw: Raw, found: _Problems, *, every_missing: bool, with_set: bool
) -> tuple[dict[str, object], list[str]]:
    """Each answer on its own, in question order: the valid ones, and those still missing."""
    good: dict[str, object] = {}
    try:
        good["project_name"] = validate_project_name(project_name)
    except AnswerError as error:
        found.add(str(error))
    for key in raw:
        if key not in QUESTION_KEYS:
            found.add(f"unknown answer {str(key)!r}; {suggest(str(key), QUESTION_KEYS)}")
    for toggle in TOGGLES:  # first: they decide which other answers apply
        if toggle in raw:
            found.check(toggle, raw[toggle], good)
    missing: list[str] = []
    for question in QUESTIONS:
        if question.toggle is not None and question.toggle not in good:
            continue  # its toggle is missing or refused: whether it applies is unknown
        applies = question.applies(good)
        if question.key not in raw:
            if applies and (every_missing or question.absent_means is None):
                missing.append(question.key)
        elif not applies:
            found.add(
                f"{question.key} {shown(raw[question.key])} is only used when "
                f"{question.when(with_set=with_set)}; remove it or turn that on",
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
    with_set: bool = False,
    defaulted: Collection[str] = (),
) -> Answers:
    """Validate every answer, then the cross-field rules; the only way to make `Answers`.

    Every refusal is collected and raised together (`AnswerErrors`), each naming its source
    (`sources`: answer key -> flag or file). `problems` are refusals found earlier (an answers
    file's unknown keys). Without `unanswered`, a missing answer that predates its question
    takes `absent_means` (an old record); with it, every missing answer is listed by it.
    `with_set`: hints in `drgen update --set` syntax; `defaulted`: the answers not given, whose
    refusals count only when nothing given explains them.
    """
    found = _Problems(sources or {}, defaulted)
    found.lines.extend(problems)
    good, missing = _check_fields(
        project_name, raw, found, every_missing=unanswered is not None, with_set=with_set
    )
    if missing:
        found.add(unanswered(missing) if unanswered else _missing(missing, with_set=with_set))
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
        drgen_source=str(good.get("drgen_source", PYPI)),
    )
    for message, keys in _cross_field_problems(answers):
        found.add(message, keys)
    found.raise_any()
    return answers


def _missing(missing: list[str], *, with_set: bool) -> str:
    """The line for answers a record and `--set` leave unanswered."""
    line = f"missing answers: {', '.join(missing)}"
    if with_set:
        sets = " ".join(f"--set {key}=..." for key in missing)
        line += f"; give {them(len(missing))} with {sets}"
    return line


def check_given(
    project_name: str, raw: Raw, *, sources: Mapping[str, str], problems: Sequence[str] = ()
) -> None:
    """Refuse every answer given so far that is wrong on its own, all at once.

    Before prompting for the rest: the missing answers are not errors yet.
    """
    found = _Problems(sources)
    found.lines.extend(problems)
    _check_fields(project_name, raw, found, every_missing=False, with_set=False)
    found.raise_any()


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
