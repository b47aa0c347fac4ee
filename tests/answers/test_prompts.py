"""The pieces of asking that need no terminal: checks at each prompt, completion, the recap.

The prompts themselves run in a real pseudo-terminal in tests/test_terminal.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import questionary
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.validation import ValidationError
from typer.testing import CliRunner

from drgen.answers.prompts import (
    AnswerValidator,
    Asker,
    RegionCompleter,
    _wrap_error_lines,
    answer_error,
    parse_regions,
    recap_lines,
)
from drgen.answers.rules import build_answers, check_decided
from drgen.cli.app import app
from drgen.commands.new import created_lines
from drgen.errors import EXIT_USAGE, AnswerError
from tests.conftest import DEMO_NEXT_STEPS, tree

NAME_28 = "payments-gateway-platform-eu"  # room for an 11-character suffix in us-east-1


def test_a_suffix_that_makes_a_name_too_long_is_refused_with_the_name_and_the_limit() -> None:
    raw: dict[str, object] = {"regions": ["us-east-1", "us-west-2"]}
    assert answer_error(NAME_28, raw, "env_suffix", "productionx") is None
    assert answer_error(NAME_28, raw, "env_suffix", "productionxy") == (
        f"project name {NAME_28!r} with env_suffix 'productionxy' makes the S3 bucket name "
        f"'{NAME_28}-000000000000-us-east-1-productionxy' 64 characters long in us-east-1; "
        "AWS accepts at most 63: shorten them by 1"
    )


def test_the_validator_refuses_the_typed_line_with_the_answers_before_it() -> None:
    validator = AnswerValidator(NAME_28, {"regions": ["us-east-1", "us-west-2"]}, "env_suffix")
    validator.validate(Document(" productionx "))  # typed with spaces: the answer is stripped
    with pytest.raises(ValidationError) as raised:
        validator.validate(Document("productionxy"))
    assert raised.value.message == answer_error(
        NAME_28, {"regions": ["us-east-1", "us-west-2"]}, "env_suffix", "productionxy"
    )
    assert raised.value.cursor_position == len("productionxy")
    regions = AnswerValidator("demo", {}, "regions")
    regions.validate(Document("EU-west-1 eu-central-1"))  # spaces and any case
    with pytest.raises(ValidationError, match="at least two regions"):
        regions.validate(Document("eu-west-1,"))


def test_without_the_regions_a_suffix_is_judged_on_its_own() -> None:
    assert answer_error(NAME_28, {}, "env_suffix", "productionxy") is None
    assert answer_error(NAME_28, {}, "env_suffix", "Prod") == (
        "env_suffix 'Prod' is not valid: use lowercase letters, digits and single hyphens, "
        "starting with a letter"
    )


def test_regions_are_refused_at_their_prompt_when_a_given_suffix_no_longer_fits() -> None:
    raw: dict[str, object] = {"env_suffix": "productionx"}  # given as a flag
    assert answer_error(NAME_28, raw, "regions", ["us-east-1", "us-west-2"]) is None
    error = answer_error(NAME_28, raw, "regions", ["us-east-1", "ap-southeast-7"])
    assert error is not None
    assert error.startswith(
        f"project name {NAME_28!r} with env_suffix 'productionx' makes the S3 bucket name "
        f"'{NAME_28}-000000000000-ap-southeast-7-productionx' 68 characters long in "
        "ap-southeast-7"
    )


def test_several_errors_for_one_answer_are_one_line_each() -> None:
    assert answer_error("demo", {}, "regions", ["us-esat-1", "mars-1"]) == (
        "region 'us-esat-1' is not an AWS commercial region code; did you mean us-west-1?\n"
        "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 "
        "or ap-southeast-2)"
    )


def test_regions_that_leave_no_room_for_any_suffix_are_refused() -> None:
    name = "a" * 39  # with us-east-1: 39 + 24 = 63 before the suffix
    assert answer_error("a" * 38, {}, "regions", ["us-east-1", "us-west-2"]) is None
    assert answer_error(name, {}, "regions", ["us-east-1", "us-west-2"]) == (
        f"project name {name!r} leaves no room for an env_suffix in us-east-1: the S3 bucket "
        f"name '{name}-000000000000-us-east-1-x' would be 64 characters and AWS accepts at "
        "most 63"
    )


def test_a_name_too_long_for_every_region_is_refused_before_any_question() -> None:
    check_decided("a" * 38, {})  # fits with the shortest region codes
    with pytest.raises(AnswerError, match="leaves no room for an env_suffix in ap-east-1"):
        check_decided("a" * 40, {})
    with pytest.raises(AnswerError, match="project name 'Demo' is not valid"):
        check_decided("Demo", {})


def test_the_custom_domain_is_checked_once_both_parts_are_known() -> None:
    domain = "d" * 50 + ".example.com"  # 62 characters
    raw: dict[str, object] = {"route53": True, "hosted_zone_id": "Z1", "domain": domain}
    assert answer_error("demo", raw, "record_name", "a") is None
    assert answer_error("demo", raw, "record_name", "ab") == (
        f"custom domain {'ab.' + domain!r} is 65 characters; ACM certificates accept at most "
        "64: shorten record_name or domain"
    )
    # the domain alone decides nothing yet
    assert answer_error("demo", {"route53": True}, "domain", domain) is None
    # a record name given as a flag decides it at the domain prompt already
    given: dict[str, object] = {"route53": True, "record_name": "ab"}
    assert answer_error("demo", given, "domain", domain) == (
        f"custom domain {'ab.' + domain!r} is 65 characters; ACM certificates accept at most "
        "64: shorten record_name or domain"
    )


def test_the_base_network_must_hold_a_16_for_every_region_chosen() -> None:
    raw: dict[str, object] = {
        "regions": ["us-east-1", "us-west-2", "eu-west-1"],
        "network": "vpc",
    }
    assert answer_error("demo", raw, "base_cidr", "10.0.0.0/14") is None
    two = {**raw, "regions": ["us-east-1", "us-west-2"]}
    assert answer_error("demo", two, "base_cidr", "10.0.0.0/15") is None  # exactly enough
    nine = {
        **raw,
        "regions": [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-central-1",
            "eu-north-1",
        ],
    }
    assert answer_error("demo", nine, "base_cidr", "172.16.0.0/12") is None  # 16 /16 networks
    assert answer_error("demo", nine, "base_cidr", "10.0.0.0/13") == (
        "base_cidr '10.0.0.0/13' holds 8 /16 networks but 9 regions need one each: use a "
        "larger network"
    )
    assert answer_error("demo", raw, "base_cidr", "10.0.0.0/15") == (
        "base_cidr '10.0.0.0/15' holds 2 /16 networks but 3 regions need one each: use a "
        "larger network"
    )


def test_answers_of_a_feature_that_is_off_are_not_judged() -> None:
    check_decided("demo", {"route53": False, "domain": "not a domain"})
    with pytest.raises(AnswerError, match="domain 'not a domain' is not a valid DNS name"):
        check_decided("demo", {"route53": True, "domain": "not a domain"})


def test_regions_are_typed_with_commas_or_spaces_in_any_case() -> None:
    assert parse_regions(" US-East-1,eu-west-1  ap-south-1,, ") == [
        "us-east-1",
        "eu-west-1",
        "ap-south-1",
    ]
    assert parse_regions("   ") == []


def completions(text: str, *, tab: bool = False) -> list[str]:
    event = CompleteEvent(completion_requested=tab)
    found = RegionCompleter().get_completions(Document(text), event)
    return [completion.text for completion in found]


def test_the_region_being_typed_is_completed_from_the_real_list() -> None:
    assert completions("us-e") == ["us-east-1", "us-east-2"]
    assert completions("us-east-1, US-W") == ["us-west-1", "us-west-2"]
    assert completions("us-east-1, us-east-") == ["us-east-2"]  # not the one chosen
    assert completions("us-east-1") == ["us-east-1"]  # the word itself completes
    completion = next(RegionCompleter().get_completions(Document("eu-w"), CompleteEvent()))
    assert completion.start_position == -4


def test_the_whole_list_only_on_tab() -> None:
    assert completions("us-east-1, ") == []
    assert len(completions("us-east-1, ", tab=True)) == 33  # all but the one chosen


def test_errors_under_a_prompt_wrap_instead_of_being_cut() -> None:
    prompt = questionary.text("Environment suffix")
    toolbars = [
        window
        for window in prompt.application.layout.find_all_windows()
        if isinstance(window.content, FormattedTextControl)
        and "ValidationToolbar" in getattr(window.content.text, "__qualname__", "")
    ]
    assert len(toolbars) == 1
    assert toolbars[0].height == 1 and not toolbars[0].wrap_lines()
    _wrap_error_lines(prompt)
    assert toolbars[0].height is None and toolbars[0].wrap_lines()


def test_the_counter_counts_what_applies_now() -> None:
    asker = Asker("demo", {"env_suffix": "dev"})
    assert [q.key for q in asker.pending()] == [
        "regions",
        "route53",
        "network",
        "ci",
        "alarm_email",
        "drgen_source",
    ]
    asker.raw.update(route53=True)
    assert [q.key for q in asker.pending()] == [
        "regions",
        "hosted_zone_id",
        "domain",
        "record_name",
        "network",
        "ci",
        "alarm_email",
        "drgen_source",
    ]


def test_the_recap_shows_every_answer_that_applies() -> None:
    answers = build_answers(
        "shop",
        {
            "regions": ["eu-west-1", "eu-central-1", "eu-north-1"],
            "env_suffix": "prod",
            "route53": True,
            "hosted_zone_id": "Z1",
            "domain": "example.com",
            "record_name": "api",
            "network": "vpc",
            "base_cidr": "10.0.0.0/8",
            "ci": "none",
        },
    )
    assert recap_lines(answers, "/work/shop") == [
        "  target          /work/shop",
        "  regions         eu-west-1 (primary), eu-central-1, eu-north-1",
        "  env_suffix      prod",
        "  route53         on",
        "  hosted_zone_id  Z1",
        "  domain          example.com",
        "  record_name     api",
        "  network         vpc",
        "  base_cidr       10.0.0.0/8",
        "  ci              none",
        "  drgen_source    pypi",
    ]


# Through the CLI without a terminal: nothing is asked, the checks before asking still hold.


@pytest.mark.integration
def test_with_a_terminal_and_every_answer_given_nothing_is_asked(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", tty=True)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Created demo in {tmp_path / 'demo'}: primary us-east-1, secondary us-west-2, stack dev",
        *created_lines(tmp_path / "demo"),  # its format: tests/test_show.py
        "Skipped verification (--no-verify); run `drgen verify demo` to prove it.",
        *DEMO_NEXT_STEPS,
    ]


@pytest.mark.parametrize(
    ("flags", "why"), [((), "no terminal to ask for it"), (("--json",), "--json never prompts")]
)
def test_without_a_name_and_no_one_to_ask_it_is_one_error_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, flags: tuple[str, ...], why: str
) -> None:
    result = invoke("new", "--defaults", "--alarm-email", "none", *flags, tty=bool(flags))
    assert result.exit_code == EXIT_USAGE, result.output
    assert (
        result.stderr == f"drgen: error: the project name is missing ({why}): run drgen new NAME\n"
    )
    assert tree(tmp_path) == {}


def test_a_target_that_cannot_be_used_is_refused_before_asking(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo").write_text("a file")
    result = invoke("new", "demo", "--no-verify", tty=True)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: target {str(tmp_path / 'demo')!r} exists and is not a directory\n"
    )
    assert tree(tmp_path) == {"demo": b"a file"}


def test_flags_that_break_a_rule_are_refused_before_asking(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", NAME_28, "-r", "us-east-1", "-r", "us-west-2", "-e", "productionxy", tty=True
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith(
        f"drgen: error: project name {NAME_28!r} with env_suffix 'productionxy' makes the S3 "
        "bucket name"
    )
    assert tree(tmp_path) == {}


def test_every_refused_flag_is_reported_before_asking(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "-r", "us-east-1,mars-1", "-e", "Prod", "--network", "vnet", tty=True
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "drgen: error: network 'vnet' is not accepted; accepted: none, vpc (from --network)",
        "drgen: error: region 'mars-1' is not an AWS commercial region code (such as us-east-1, "
        "eu-west-1 or ap-southeast-2) (from --region)",
        "drgen: error: env_suffix 'Prod' is not valid: use lowercase letters, digits and single "
        "hyphens, starting with a letter (from --env-suffix)",
    ]
    assert result.stdout == ""  # not one question was asked
    assert tree(tmp_path) == {}


# Shell completion: typer's scripts, and the values drgen completes.


@pytest.mark.parametrize(
    ("shell", "registers", "calls"),
    [
        ("bash", "complete -o default -F _drgen_completion drgen", "_DRGEN_COMPLETE=complete_bash"),
        ("zsh", "compdef _drgen_completion drgen", "_DRGEN_COMPLETE=complete_zsh drgen"),
        ("fish", "complete --command drgen", "env _DRGEN_COMPLETE=complete_fish"),
    ],
)
def test_completion_scripts_are_printed(
    monkeypatch: pytest.MonkeyPatch, shell: str, registers: str, calls: str
) -> None:
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="drgen")
    assert result.exit_code == 0, result.output
    assert registers in result.stdout
    assert calls in result.stdout


@pytest.mark.integration
def test_bash_sources_the_script_and_completes_a_region() -> None:
    """The whole round trip: bash runs the printed script, which runs drgen."""
    script = (
        "source <(drgen --show-completion bash); COMP_WORDS=(drgen new demo -r us-e); "
        'COMP_CWORD=4; _drgen_completion drgen; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    env = dict(os.environ, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "us-east-1\nus-east-2\n"


def bash_complete(line: str) -> list[str]:
    words = line.split(" ")
    env = {
        "_DRGEN_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = CliRunner().invoke(app, [], prog_name="drgen", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_region_codes_network_and_ci_are_completed() -> None:
    assert bash_complete("drgen new demo -r us-e") == ["us-east-1", "us-east-2"]
    assert bash_complete("drgen new demo --region eu-c") == ["eu-central-1", "eu-central-2"]
    assert bash_complete("drgen new demo -r us-east-1,us-w") == [
        "us-east-1,us-west-1",
        "us-east-1,us-west-2",
    ]
    assert bash_complete("drgen new demo --network ") == ["none", "vpc"]
    assert bash_complete("drgen new demo --ci g") == ["github"]


def test_zsh_and_fish_complete_regions_too() -> None:
    zsh = CliRunner().invoke(
        app,
        [],
        prog_name="drgen",
        env={"_DRGEN_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "drgen new demo -r us-e"},
    )
    assert zsh.stdout == '_arguments \'*: :(("us-east-1"\n"us-east-2"))\'\n'
    fish = CliRunner().invoke(
        app,
        [],
        prog_name="drgen",
        env={
            "_DRGEN_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "drgen new demo -r us-e",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        },
    )
    assert fish.stdout == "us-east-1\nus-east-2\n"
