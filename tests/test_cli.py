"""The command line, through typer's runner (no terminal): flags, errors on stderr, exit codes.

The prompts run in a real pseudo-terminal: tests/test_terminal.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from drgen import __version__
from drgen.answers.fields import LABEL_RULE
from drgen.answers.rules import build_answers
from drgen.errors import EXIT_USAGE
from drgen.project.render import render_files
from tests.conftest import tree


def recorded(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".drgen" / "answers.yml").read_text())["answers"]


def test_version(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"drgen {__version__}\n"


def test_help_lists_the_commands(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    commands, epilog = result.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)
    assert "docs/cli.md#exit-codes" in epilog
    assert [line.split()[0] for line in commands.splitlines() if line.strip()] == [
        "new",
        "verify",
        "update",
        "audit",
        "report",
    ]


@pytest.mark.integration
def test_new_with_defaults(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo") == {
        "project_name": "demo",
        "regions": ["us-east-1", "us-west-2"],
        "env_suffix": "dev",
        "route53": False,
        "network": "none",
        "ci": "github",
        "alarm_email": "none",
        "drgen_source": "pypi",
    }
    assert (tmp_path / "demo" / "Pulumi.dev.yaml").is_file()
    assert "primary us-east-1, secondary us-west-2, stack dev" in result.stdout


@pytest.mark.integration
def test_new_from_flags(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new",
        "shop",
        "-r",
        "eu-west-1",
        "-r",
        "eu-central-1",
        "-r",
        "eu-north-1",
        "--env-suffix",
        "prod",
        "--output-dir",
        "out",
        "--no-route53",
        "--network",
        "none",
        "--ci",
        "none",
        "--alarm-email",
        "ops@example.com",
        "--drgen-source",
        "https://pypi.example.com/simple/",
        "--no-verify",
    )
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "out") == {
        "project_name": "shop",
        "regions": ["eu-west-1", "eu-central-1", "eu-north-1"],
        "env_suffix": "prod",
        "route53": False,
        "network": "none",
        "ci": "none",
        "alarm_email": "ops@example.com",
        "drgen_source": "https://pypi.example.com/simple/",
    }
    stack = yaml.safe_load((tmp_path / "out" / "Pulumi.prod.yaml").read_text())["config"]
    assert stack["shop:secondaryRegions"] == ["eu-central-1", "eu-north-1"]


@pytest.mark.integration
def test_new_from_an_answers_file_with_a_flag_override(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "answers.yml").write_text(
        "regions: [ap-south-1, ap-southeast-1]\nenv_suffix: qa\nroute53: false\nnetwork: none\n"
        "ci: github\nalarm_email: ops@example.com\ndrgen_source: pypi\n"
    )
    result = invoke("new", "demo", "--answers-file", "answers.yml", "-e", "uat", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo")["regions"] == ["ap-south-1", "ap-southeast-1"]
    assert recorded(tmp_path / "demo")["env_suffix"] == "uat"


def test_route53_without_its_zone_fails_without_a_terminal(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "shop", "--defaults", "--alarm-email", "none", "--route53", "--domain", "example.com"
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: no terminal to ask for: hosted_zone_id (--hosted-zone-id); --defaults "
        "has no default for it: pass it as a flag or in --answers-file\n"
    ), "no advice to use --defaults when --defaults was given"
    assert tree(tmp_path) == {}


def test_without_a_terminal_missing_answers_fail_fast(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "-e", "dev")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: no terminal to ask for: regions (--region), route53 "
        "(--route53/--no-route53), network (--network), ci (--ci), alarm_email "
        "(--alarm-email EMAIL or none), drgen_source (--drgen-source); pass them as flags or "
        "in --answers-file "
        "(--defaults has no default for alarm_email)\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.integration
def test_a_non_empty_target_is_refused_without_force(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: target {str(tmp_path / 'demo')!r} exists and is not empty; choose "
        "another --output-dir or pass --force to overwrite the files drgen generates\n"
    )
    assert tree(tmp_path) == {"demo/notes.txt": b"mine"}

    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "notes.txt").read_text() == "mine"
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


@pytest.mark.integration
def test_an_empty_target_directory_is_used(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo").mkdir()
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


@pytest.mark.parametrize("kind", ["file", "file-parent"])
def test_unusable_targets(invoke, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    if kind == "file":
        (tmp_path / "demo").write_text("a file")
        args = ["new", "demo"]
        message = f"target {str(tmp_path / 'demo')!r} exists and is not a directory"
    else:
        (tmp_path / "a").write_text("a file")
        args = ["new", "demo", "-o", "a/b/c"]
        message = (
            f"cannot create {str(tmp_path / 'a/b/c')!r}: {str(tmp_path / 'a')!r} is a file, "
            "not a directory"
        )
    before = tree(tmp_path)
    result = invoke(*args, "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == f"drgen: error: {message}\n"
    assert tree(tmp_path) == before


def test_a_render_failure_leaves_nothing(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("copier.run_copy", broken)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert (
        result.stderr
        == "drgen: error: could not write the project to "
        + repr(str(tmp_path / "demo"))
        + ": disk full\n"
    )
    assert tree(tmp_path) == {}


def test_interrupted_rendering_exits_130_and_leaves_nothing(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("copier.run_copy", interrupted)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert tree(tmp_path) == {}


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_an_interrupt_while_the_arguments_are_parsed_is_one_line(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_flag: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """typer lazily imports pydantic while it parses; a Ctrl-C there ends silently unless
    drgen catches it (issue 11's lighter start made that window a fifth of a second)."""

    def interrupted(self: object, ctx: object, args: list[str]) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr("typer.core.TyperGroup.parse_args", interrupted)
    result = invoke("update", "demo", "--no-verify", *json_flag)
    assert result.exit_code == 130
    if json_flag:
        doc = json.loads(result.stdout)
        assert (doc["result"], doc["errors"]) == (
            "interrupted",
            ["interrupted; nothing was written"],
        )
    else:
        assert result.stderr == "drgen: error: interrupted; nothing was written\n"
    assert tree(tmp_path) == {}


#: `drgen` in a real process whose Ctrl-C arrives while the outcome is printed.
LATE_CTRL_C = """
import os, signal, sys
from drgen.cli import output
from drgen.console import main
printed = output.Report.finish
def finish(self, *args):
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C as the command says how it ended
    printed(self, *args)
output.Report.finish = finish
sys.argv = ["drgen", *sys.argv[1:]]
main()
"""


@pytest.mark.integration
@pytest.mark.parametrize(
    ("args", "code", "out"),
    [
        (["report", "."], EXIT_USAGE, "is it a drgen project?"),
        (["new", "demo", "--defaults", "--alarm-email", "none", "--no-verify"], 0, "Next steps"),
    ],
    ids=["refused", "created"],
)
def test_a_ctrl_c_once_the_outcome_is_decided_changes_nothing(
    tmp_path: Path, args: list[str], code: int, out: str
) -> None:
    """typer ended a Ctrl-C that came after the work with a silent exit 130: a pipeline then
    took a finished `update` for an interrupted one."""
    done = subprocess.run(
        [sys.executable, "-c", LATE_CTRL_C, *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert out in done.stdout + done.stderr
    assert "interrupted" not in done.stderr


def test_json_mode_prints_one_document_and_nothing_else(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["command"] == "new" and doc["result"] == "ok" and doc["exit_code"] == 0
    assert doc["project"] == str(tmp_path / "demo")
    assert doc["answers"]["regions"] == ["us-east-1", "us-west-2"]
    assert doc["drgen_version"] == __version__ and doc["errors"] == []
    assert "Created demo" in result.stderr


def test_json_mode_reports_errors_in_the_document(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "Demo", "--defaults", "--alarm-email", "none", "--json")
    assert result.exit_code == EXIT_USAGE
    doc = json.loads(result.stdout)
    assert doc["result"] == "error" and doc["exit_code"] == EXIT_USAGE
    assert doc["errors"] == ["project name 'Demo' is not valid: use " + LABEL_RULE]
    assert tree(tmp_path) == {}


def test_json_mode_never_prompts(invoke) -> None:  # type: ignore[no-untyped-def]
    """At a terminal, --json is why nothing is asked: the line says so, not "no terminal"."""
    result = invoke("new", "demo", "--json", "--defaults", tty=True)
    assert result.exit_code == EXIT_USAGE
    line = (
        "--json never prompts for: alarm_email (--alarm-email EMAIL or none); --defaults has "
        "no default for it: pass it as a flag or in --answers-file"
    )
    assert json.loads(result.stdout)["errors"] == [line]
    assert result.stderr == f"drgen: error: {line}\n"


def test_a_bad_suffix_is_the_one_error_not_the_record_name_made_from_it(invoke) -> None:  # type: ignore[no-untyped-def]
    route53 = ("--route53", "--hosted-zone-id", "Z0123ABC", "--domain", "example.com")
    result = invoke("new", "demo", *route53, "--env-suffix", "BAD", "--defaults")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: env_suffix 'BAD' is not valid: use {LABEL_RULE} (from --env-suffix)\n"
        "drgen: error: no terminal to ask for: alarm_email (--alarm-email EMAIL or none); "
        "--defaults has no default for it: pass it as a flag or in --answers-file\n"
    )


AWS_FORMS = ("--hosted-zone-id", "/hostedzone/Z0123ABC", "--domain", "Example.com.")
CLEANED_NOTES = [
    "note: hosted_zone_id '/hostedzone/Z0123ABC' taken as 'Z0123ABC'",
    "note: domain 'Example.com.' taken as 'example.com'",
]


@pytest.mark.integration
def test_values_as_aws_prints_them_are_taken_with_a_note(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("new", "demo", "--defaults", "--alarm-email", "none", "--route53", *AWS_FORMS)
    result = invoke(*args, "--pretend")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        *CLEANED_NOTES,
        f"Would create demo in {tmp_path / 'demo'} with these answers:",
    ]
    assert "  hosted_zone_id: Z0123ABC" in result.stdout.splitlines()
    as_json = invoke(*args, "--pretend", "--json")  # people's lines go to stderr
    assert as_json.exit_code == 0, as_json.output
    assert as_json.stderr.splitlines()[:2] == CLEANED_NOTES
    assert json.loads(as_json.stdout)["answers"]["domain"] == "example.com"


@pytest.mark.integration
def test_interrupted_verification_keeps_the_rendered_project(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def ctrl_c(project: Path, **options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("drgen.commands.verify.verify_project", ctrl_c)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none")
    assert result.exit_code == 130
    assert "verification interrupted; the project in" in result.stderr
    assert "is complete: run `drgen verify demo` to prove it" in result.stderr
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


def test_a_missing_template_is_a_clear_error(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # an installation without templates: neither in the package nor beside a checkout
    install = tmp_path / "install"  # holds no file, so the tree below stays empty
    (install / "drgen").mkdir(parents=True)
    monkeypatch.setattr("drgen.project.render.resources.files", lambda package: install / package)
    monkeypatch.setattr(
        "drgen.project.render.__file__", str(install / "drgen" / "project" / "render.py")
    )
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: drgen's template is missing from this installation; reinstall drgen\n"
    )
    assert result.stdout == ""
    assert tree(tmp_path) == {}


def test_without_a_terminal_every_missing_answer_is_named_with_its_flag(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--route53", "--network", "vpc")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: no terminal to ask for: regions (--region), env_suffix (--env-suffix), "
        "hosted_zone_id (--hosted-zone-id), domain (--domain), record_name (--record-name), "
        "base_cidr (--base-cidr), ci (--ci), alarm_email (--alarm-email EMAIL or none), "
        "drgen_source (--drgen-source); pass them as flags or in --answers-file (--defaults "
        "has no default for hosted_zone_id, "
        "domain, alarm_email)\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.integration
def test_the_alarm_email_lands_in_the_stack_file_and_the_record(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "--defaults", "--no-verify", "--alarm-email", "oncall@example.com"
    )
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo")["alarm_email"] == "oncall@example.com"
    stack = yaml.safe_load((tmp_path / "demo" / "Pulumi.dev.yaml").read_text())["config"]
    assert stack["demo:alarmEmail"] == "oncall@example.com"
    readme = (tmp_path / "demo" / "README.md").read_text()
    assert "Every alarm topic mails `oncall@example.com`" in readme
    assert "Nobody is subscribed" not in readme


def test_defaults_never_choose_nobody_to_page(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An address cannot be guessed and "nobody" is a choice: --defaults leaves it to be given."""
    result = invoke("new", "demo", "--defaults", "--no-verify")  # no address: on purpose
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: no terminal to ask for: alarm_email (--alarm-email EMAIL or none); "
        "--defaults has no default for it: pass it as a flag or in --answers-file\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.integration
def test_alarm_email_none_makes_every_file_say_nobody_is_subscribed(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo")["alarm_email"] == "none"
    stack_file = (tmp_path / "demo" / "Pulumi.dev.yaml").read_text()
    assert "demo:alarmEmail" not in yaml.safe_load(stack_file)["config"]
    assert "Nobody is subscribed to the alarm topics" in stack_file
    readme = (tmp_path / "demo" / "README.md").read_text()
    assert "**Nobody is subscribed to the alarm topics: no alarm reaches a person.**" in readme
    assert "alarm_email: none" in readme


@pytest.mark.integration
def test_a_record_from_before_the_question_subscribes_nobody_and_says_why() -> None:
    """A project made before drgen asked for the address: its update renders "no address"."""
    record = {"regions": ["us-east-1", "us-west-2"], "env_suffix": "dev", "route53": False,
              "network": "none", "ci": "github"}  # fmt: skip
    answers = build_answers("demo", record)
    assert answers.alarm_email is None
    files = render_files(answers)
    assert "drgen was given no alarm e-mail." in files["README.md"].data.decode()
    assert "demo:alarmEmail" not in yaml.safe_load(files["Pulumi.dev.yaml"].data)["config"]


@pytest.mark.parametrize(
    "value",
    ["oncall", "a@b", "a b@example.com", "ünï@example.com", "@example.com", "x" * 250 + "@e.co"],
)
def test_a_bad_alarm_email_is_one_line_naming_it(invoke, tmp_path: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--no-verify", "--alarm-email", value)
    assert result.exit_code != 0
    (line,) = result.stderr.strip().splitlines()
    assert f"alarm_email {value!r} is not accepted" in line, line
    assert "or none" in line and "(from --alarm-email)" in line
    assert not (tmp_path / "demo").exists()
