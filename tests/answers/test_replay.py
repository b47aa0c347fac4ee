"""The answers given back as a command line and an answers file, and fed back to `drgen new`.

What a person who declines at the recap is shown must rebuild exactly their answers: through
the CLI's own parsing of the command line, and through `--answers-file`.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from drgen.answers.model import Answers
from drgen.answers.regions import COMMERCIAL_REGIONS
from drgen.answers.replay import answers_file_text, new_arguments, new_command_line
from drgen.answers.rules import build_answers
from drgen.answers.sources import gather_answers
from drgen.cli.app import app
from drgen.errors import AnswerError

ROUTE53_VPC = Answers(
    project_name="shop",
    regions=("eu-west-1", "eu-central-1", "us-east-1"),
    env_suffix="prod",
    route53=True,
    hosted_zone_id="Z0123ABC",
    domain="example.com",
    record_name="api",
    network="vpc",
    base_cidr="172.16.0.0/12",
    ci="none",
    alarm_email="on-call+dr@example.com",
    drgen_source="https://pypi.example.com/simple/",
)


def parsed_by_the_cli(arguments: list[str]) -> Answers:
    """The answers `drgen new` would build from `arguments`, parsed by the real CLI."""
    assert arguments[:2] == ["drgen", "new"]
    seen: dict[str, Any] = {}

    def capture(report: object, name: str, flags: dict[str, object], *rest: object) -> None:
        seen.update(name=name, flags=flags, options=rest[0])

    with mock.patch("drgen.cli.new.run_new", capture):
        result = CliRunner().invoke(app, arguments[1:], prog_name="drgen")
    assert result.exit_code == 0, result.output
    options = seen["options"]
    assert options.answers_file is None and not options.use_defaults
    gathered = gather_answers(seen["name"], None, seen["flags"], use_defaults=False)
    assert gathered.missing == []  # nothing would be asked
    return gathered.build()


def read_back(text: str, name: str) -> Answers:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.yml"
        path.write_text(text)
        gathered = gather_answers(name, path, {}, use_defaults=False)
    assert gathered.missing == [] and gathered.problems == []
    return gathered.build()


def test_every_answer_is_a_flag_in_question_order() -> None:
    assert new_arguments(ROUTE53_VPC) == [
        "drgen", "new", "shop", "--region", "eu-west-1,eu-central-1,us-east-1",
        "--env-suffix", "prod", "--route53", "--hosted-zone-id", "Z0123ABC",
        "--domain", "example.com", "--record-name", "api", "--network", "vpc",
        "--base-cidr", "172.16.0.0/12", "--ci", "none", "--alarm-email", "on-call+dr@example.com",
        "--drgen-source", "https://pypi.example.com/simple/",
    ]  # fmt: skip
    off = Answers("demo", ("us-east-1", "us-west-2"), "dev", alarm_email="none")
    assert new_arguments(off, output_dir=Path("infra/dr"), force=True, no_verify=True) == [
        "drgen", "new", "demo", "--region", "us-east-1,us-west-2", "--env-suffix", "dev",
        "--no-route53", "--network", "none", "--ci", "github", "--alarm-email", "none",
        "--drgen-source", "pypi", "--output-dir", "infra/dr", "--force", "--no-verify",
    ]  # fmt: skip


def test_the_command_line_is_quoted_for_a_shell() -> None:
    odd = Answers("demo", ("us-east-1", "us-west-2"), "dev", alarm_email="o'neil&co@example.com")
    line = new_command_line(odd, output_dir=Path("my infra/$HOME"))
    assert "--alarm-email 'o'\"'\"'neil&co@example.com'" in line
    assert line.endswith("--output-dir 'my infra/$HOME'")
    assert shlex.split(line) == new_arguments(odd, output_dir=Path("my infra/$HOME"))
    assert parsed_by_the_cli(shlex.split(line)) == odd
    dash = Answers("demo", ("us-east-1", "us-west-2"), "dev", alarm_email="-x@example.com")
    assert parsed_by_the_cli(new_arguments(dash)) == dash  # not taken for an option


def test_the_answers_file_holds_the_answers_but_not_the_name() -> None:
    assert answers_file_text(ROUTE53_VPC).splitlines() == [
        "regions:",
        "- eu-west-1",
        "- eu-central-1",
        "- us-east-1",
        "env_suffix: prod",
        "route53: true",
        "hosted_zone_id: Z0123ABC",
        "domain: example.com",
        "record_name: api",
        "network: vpc",
        "base_cidr: 172.16.0.0/12",
        "ci: none",
        "alarm_email: on-call+dr@example.com",
        "drgen_source: https://pypi.example.com/simple/",
    ]


def test_both_give_back_the_same_answers() -> None:
    assert parsed_by_the_cli(new_arguments(ROUTE53_VPC)) == ROUTE53_VPC
    assert parsed_by_the_cli(shlex.split(new_command_line(ROUTE53_VPC))) == ROUTE53_VPC
    assert read_back(answers_file_text(ROUTE53_VPC), "shop") == ROUTE53_VPC
    indented = "".join(f"  {line}\n" for line in answers_file_text(ROUTE53_VPC).splitlines())
    assert read_back(indented, "shop") == ROUTE53_VPC  # as the recap prints it


LABEL = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
#: YAML 1.1 reads these unquoted as booleans or null: the file must quote them.
YAML_WORDS = st.sampled_from(["no", "off", "on", "yes", "null", "true", "n", "y", "e1", "0x1"])
EMAIL = st.from_regex(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,12}@[a-z0-9-]{1,8}\.[a-z]{2,4}", fullmatch=True
)
REGIONS = st.lists(st.sampled_from(sorted(COMMERCIAL_REGIONS)), min_size=2, max_size=4, unique=True)


@pytest.mark.integration
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=LABEL,
    suffix=LABEL | YAML_WORDS.filter(lambda w: w[0].isalpha()),
    regions=REGIONS,
    route53=st.booleans(),
    zone=st.from_regex(r"Z[A-Z0-9]{1,20}", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]\.(com|org|no|on)", fullmatch=True),
    record=LABEL | YAML_WORDS.filter(lambda w: w[0].isalpha()),
    network=st.sampled_from(["none", "vpc"]),
    ci=st.sampled_from(["github", "none"]),
    email=EMAIL | st.just("none"),
    source=st.just("pypi") | LABEL.map(lambda host: f"https://{host}.example/simple/"),
)  # fmt: skip
def test_whatever_was_answered_comes_back_from_the_line_and_the_file(
    name: str, suffix: str, regions: list[str], route53: bool, zone: str, domain: str,
    record: str, network: str, ci: str, email: str, source: str,
) -> None:  # fmt: skip
    raw: dict[str, object] = {
        "regions": regions, "env_suffix": suffix, "route53": route53, "network": network,
        "ci": ci, "alarm_email": email, "drgen_source": source,
    }  # fmt: skip
    if route53:
        raw.update(hosted_zone_id=zone, domain=domain, record_name=record)
    if network == "vpc":
        raw["base_cidr"] = "10.0.0.0/8"
    try:
        answers = build_answers(name, raw)
    except AnswerError as error:  # only the length rules may refuse these
        assert "characters" in str(error), str(error)
        return
    assert parsed_by_the_cli(shlex.split(new_command_line(answers))) == answers
    assert read_back(answers_file_text(answers), name) == answers


@pytest.mark.parametrize("route53", [True, False])
def test_the_printed_line_run_as_it_is_plans_the_same_project(
    route53: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole `drgen new` (`--pretend`): the answers it would write are the ones given."""
    answers = (
        ROUTE53_VPC
        if route53
        else Answers("demo", ("us-east-1", "us-west-2"), "dev", alarm_email="none")
    )
    monkeypatch.chdir(tmp_path)
    arguments = shlex.split(new_command_line(answers, output_dir=Path("out dir")))
    result = CliRunner().invoke(app, [*arguments[1:], "--pretend", "--json"], prog_name="drgen")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["answers"] == answers.to_data()
    assert document["project"] == str(tmp_path / "out dir")
