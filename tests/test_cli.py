"""The command line, through typer's runner: flags, prompts, errors on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from drgen import __version__
from drgen.answers import LABEL_RULE
from drgen.errors import EXIT_USAGE, EXIT_VERIFY_FAILED
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
    assert "new" in result.stdout and "verify" in result.stdout


def test_new_with_defaults(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo") == {
        "project_name": "demo",
        "regions": ["us-east-1", "us-west-2"],
        "env_suffix": "dev",
        "route53": False,
        "network": "none",
        "ci": "github",
    }
    assert (tmp_path / "demo" / "Pulumi.dev.yaml").is_file()
    assert "primary us-east-1, secondary us-west-2, stack dev" in result.stdout


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
    }
    stack = yaml.safe_load((tmp_path / "out" / "Pulumi.prod.yaml").read_text())["config"]
    assert stack["shop:secondaryRegions"] == ["eu-central-1", "eu-north-1"]


def test_new_from_an_answers_file_with_a_flag_override(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "answers.yml").write_text(
        "regions: [ap-south-1, ap-southeast-1]\nenv_suffix: qa\nroute53: false\nnetwork: none\n"
        "ci: github\n"
    )
    result = invoke("new", "demo", "--answers-file", "answers.yml", "-e", "uat", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo")["regions"] == ["ap-south-1", "ap-southeast-1"]
    assert recorded(tmp_path / "demo")["env_suffix"] == "uat"


def test_prompts_ask_for_what_is_missing(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "--no-verify", tty=True, input="eu-west-1, eu-west-2\nstage\n\n\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "Regions (primary first, comma-separated) [us-east-1, us-west-2]:" in result.stdout
    assert "Environment suffix [dev]:" in result.stdout
    assert recorded(tmp_path / "demo")["regions"] == ["eu-west-1", "eu-west-2"]


def test_prompt_defaults_are_taken_on_enter(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--no-verify", "-e", "dev", tty=True, input="\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Environment suffix" not in result.stdout  # given as a flag, not asked
    assert recorded(tmp_path / "demo")["regions"] == ["us-east-1", "us-west-2"]


def test_prompts_for_the_toggles_ask_only_what_applies(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = "\n\ny\nZ0123ABC\nexample.com\n\nvpc\n10.8.0.0/13\nnone\n"
    result = invoke("new", "shop", "--no-verify", tty=True, input=answers)
    assert result.exit_code == 0, result.output
    assert "Record name (the service answers on <record>.<domain>) [shop-dev]:" in result.stdout
    assert recorded(tmp_path / "shop") == {
        "project_name": "shop",
        "regions": ["us-east-1", "us-west-2"],
        "env_suffix": "dev",
        "route53": True,
        "hosted_zone_id": "Z0123ABC",
        "domain": "example.com",
        "record_name": "shop-dev",
        "network": "vpc",
        "base_cidr": "10.8.0.0/13",
        "ci": "none",
    }
    assert "Existing hosted zone id" in result.stdout
    assert "CI workflows to generate (github or none) [github]:" in result.stdout


def test_without_route53_its_questions_are_not_asked(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "shop", "--no-verify", "--defaults", "--network", "vpc", tty=True)
    assert result.exit_code == 0, result.output
    assert "hosted zone" not in result.stdout
    assert recorded(tmp_path / "shop")["base_cidr"] == "10.0.0.0/8"


def test_route53_without_its_zone_fails_without_a_terminal(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "shop", "--defaults", "--route53", "--domain", "example.com")
    assert result.exit_code == EXIT_USAGE
    assert "no terminal to ask for: hosted_zone_id (--hosted-zone-id)" in result.stderr
    assert tree(tmp_path) == {}


def test_a_bad_prompt_answer_is_asked_again(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new",
        "demo",
        "--no-verify",
        tty=True,
        input="us-east-1, mars-1\nus-east-1,us-east-2\nBAD\nok\n\nvpn\nnone\ngitlab\ngithub\n",
    )
    assert result.exit_code == 0, result.output
    assert "region 'mars-1' is not an AWS commercial region code" in result.stderr
    assert "env_suffix 'BAD' is not valid" in result.stderr
    assert "network 'vpn' is not accepted; accepted: none, vpc" in result.stderr
    assert "ci 'gitlab' is not accepted; accepted: github, none" in result.stderr
    assert recorded(tmp_path / "demo")["env_suffix"] == "ok"


def test_without_a_terminal_missing_answers_fail_fast(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "-e", "dev")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: no terminal to ask for: regions (--region), route53 "
        "(--route53/--no-route53), network (--network), ci (--ci); pass them as flags, "
        "in --answers-file, or use --defaults\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Demo"], "project name 'Demo' is not valid"),
        (["demo", "-r", "us-east-1"], "at least two regions"),
        (["demo", "-r", "us-east-1", "-r", "us-east-1"], "region 'us-east-1' is given twice"),
        (["demo", "-r", "us-east-1", "-r", "moon-1"], "region 'moon-1' is not an AWS commercial"),
        (["demo", "-e", "x" * 40], "S3 bucket name"),
        (["demo", "-e", "s3alias"], "reserved by S3"),
        (["demo", "--answers-file", "nope.yml"], "answers file 'nope.yml' cannot be read"),
        (["demo", "--network", "vpn"], "network 'vpn' is not accepted; accepted: none, vpc"),
        (["demo", "--hosted-zone-id", "Z1"], "hosted_zone_id 'Z1' is only used when route53 is on"),
        (
            ["demo", "--route53", "--hosted-zone-id", "zone", "--domain", "example.com"],
            "hosted_zone_id 'zone' is not a Route 53 hosted zone id",
        ),
        (["demo", "--network", "vpc", "--base-cidr", "10.0.0.0/24"], "smaller than a /16"),
    ],
)
def test_bad_answers_are_one_line_errors_and_write_nothing(
    invoke, tmp_path: Path, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", *args, "--defaults")
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
    assert result.stderr.startswith("drgen: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert tree(tmp_path) == {}


def test_a_non_empty_target_is_refused_without_force(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    result = invoke("new", "demo", "--defaults", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert "target" in result.stderr and "--force" in result.stderr
    assert tree(tmp_path) == {"demo/notes.txt": b"mine"}

    result = invoke("new", "demo", "--defaults", "--no-verify", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "notes.txt").read_text() == "mine"
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


def test_an_empty_target_directory_is_used(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo").mkdir()
    result = invoke("new", "demo", "--defaults", "--no-verify")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()


@pytest.mark.parametrize("kind", ["file", "missing-parent"])
def test_unusable_targets(invoke, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    if kind == "file":
        (tmp_path / "demo").write_text("a file")
        args = ["new", "demo"]
        message = "exists and is not a directory"
    else:
        args = ["new", "demo", "-o", "no/such/dir"]
        message = "does not exist"
    before = tree(tmp_path)
    result = invoke(*args, "--defaults", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
    assert tree(tmp_path) == before


def test_a_render_failure_leaves_nothing(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("drgen.render.copier.run_copy", broken)
    result = invoke("new", "demo", "--defaults", "--no-verify")
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

    monkeypatch.setattr("drgen.render.copier.run_copy", interrupted)
    result = invoke("new", "demo", "--defaults", "--no-verify")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert tree(tmp_path) == {}


def test_verify_refuses_a_directory_that_is_no_project(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("verify", str(tmp_path))
    assert result.exit_code == EXIT_USAGE
    assert "is not a drgen project" in result.stderr


def test_verify_reports_failing_tests_and_uncovered_lines(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "mini"
    (project / "tests").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: mini\n")
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = ["--cov", "--cov-branch"]\n'
        '[tool.coverage.run]\nsource = ["."]\nomit = ["tests/*"]\n'
    )
    (project / "calc.py").write_text(
        "def add(a, b):\n    return a + b\n\n\ndef unused():\n    return 1\n"
    )
    (project / "tests" / "test_calc.py").write_text(
        "from calc import add\n\n\ndef test_ok():\n    assert add(1, 1) == 2\n\n\n"
        "def test_wrong():\n    assert add(1, 1) == 3\n"
    )
    result = invoke("verify", str(project))
    assert result.exit_code == EXIT_VERIFY_FAILED
    assert "1 passed, 1 failed" in result.stderr
    assert "failed: tests.test_calc::test_wrong" in result.stderr
    assert "not covered: calc.py lines 6" in result.stderr
    assert tree(project).keys() == {
        "Pulumi.yaml",
        "pyproject.toml",
        "calc.py",
        "tests/test_calc.py",
    }


def test_json_mode_prints_one_document_and_nothing_else(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--defaults", "--no-verify", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["command"] == "new" and doc["result"] == "ok" and doc["exit_code"] == 0
    assert doc["project"] == str(tmp_path / "demo")
    assert doc["answers"]["regions"] == ["us-east-1", "us-west-2"]
    assert doc["drgen_version"] == __version__ and doc["errors"] == []
    assert "Created demo" in result.stderr


def test_json_mode_reports_errors_in_the_document(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "Demo", "--defaults", "--json")
    assert result.exit_code == EXIT_USAGE
    doc = json.loads(result.stdout)
    assert doc["result"] == "error" and doc["exit_code"] == EXIT_USAGE
    assert doc["errors"] == ["project name 'Demo' is not valid: use " + LABEL_RULE]
    assert tree(tmp_path) == {}


def test_json_mode_never_prompts(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--json", tty=True)
    assert result.exit_code == EXIT_USAGE
    assert "no terminal to ask for: regions" in json.loads(result.stdout)["errors"][0]


def test_ctrl_c_at_a_prompt_exits_130_and_writes_nothing(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def ctrl_c(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("drgen.cli.typer.prompt", ctrl_c)
    result = invoke("new", "demo", "--no-verify", tty=True)
    assert result.exit_code == 130
    assert result.stderr == "drgen: error: interrupted; nothing was left half-written\n"
    assert tree(tmp_path) == {}


def test_end_of_input_at_a_prompt_is_an_interrupt_too(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "--no-verify", tty=True, input="")
    assert result.exit_code == 130
    assert tree(tmp_path) == {}


def test_interrupted_verification_keeps_the_rendered_project(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def ctrl_c(project: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("drgen.cli.verify_project", ctrl_c)
    result = invoke("new", "demo", "--defaults")
    assert result.exit_code == 130
    assert "verification interrupted; the project in" in result.stderr
    assert "is complete: run `drgen verify` to prove it" in result.stderr
    assert (tmp_path / "demo" / "Pulumi.yaml").is_file()
