"""`drgen audit` runs the audited program's code: what that program sees and what it can reach.

Each test audits a small hostile program of its own with real child processes, in an
environment full of planted credentials, and reads what the program recorded of its world.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from drgen.audit import sandbox
from drgen.project.render import render_files
from tests.test_repository import FOUR, answers

PLANTED = {
    "AWS_ACCESS_KEY_ID": "AKIAPLANTEDPLANTED00",
    "AWS_SECRET_ACCESS_KEY": "planted-secret-access-key",
    "AWS_SESSION_TOKEN": "planted-session-token",
    "AWS_PROFILE": "planted",
    "PULUMI_ACCESS_TOKEN": "pul-planted",
    "PULUMI_CONFIG_PASSPHRASE": "planted-passphrase",
    "GITHUB_TOKEN": "ghp_planted",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "planted-oidc-request-token",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://planted.invalid/token",
    "CI_JOB_TOKEN": "planted-ci-job-token",
}

HEADER = """\
import json
import os
from pathlib import Path

import pulumi
import pulumi_aws as aws

SEEN = Path(__file__).resolve().parent / "seen.json"
provider = aws.Provider("use1", region="us-east-1")
"""


def program(root: Path, body: str) -> Path:
    """A Pulumi project whose program runs `body` after the header above."""
    project = root / "hostile"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: hostile\nruntime: python\n")
    (project / "__main__.py").write_text(HEADER + textwrap.dedent(body))
    return project


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """drgen's own environment as on a CI runner: keys, tokens and a profile in ~/.aws."""
    for name, value in PLANTED.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAHOMEPLANTED00000\naws_secret_access_key = x\n"
        "[planted]\naws_access_key_id = AKIAPROFILEPLANTED00\naws_secret_access_key = y\n"
    )
    (home / ".aws" / "config").write_text("[default]\nregion = eu-west-1\n")
    monkeypatch.setenv("HOME", str(home))


SNOOP = """
import boto3

session = boto3.Session()
SEEN.write_text(json.dumps({
    "env": dict(os.environ),
    "credentials": session.get_credentials() is not None,
    "profiles": session.available_profiles,
    "home": str(Path.home()),
}))
aws.sns.Topic("alarms", opts=pulumi.ResourceOptions(provider=provider))
"""


@pytest.mark.integration
@pytest.mark.usefixtures("credentials")
def test_a_hostile_program_sees_no_credential_and_boto3_finds_none(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = program(tmp_path, SNOOP)
    result = invoke("audit", str(project), "--json", "--select", "R6")
    assert result.exit_code == 0, result.output
    seen = json.loads((project / "seen.json").read_text())
    for name, value in PLANTED.items():
        assert name not in seen["env"], f"{name} reached the program"
        assert value not in json.dumps(seen["env"]), f"the value of {name} reached it"
    assert seen["credentials"] is False, "boto3 found credentials"
    assert seen["profiles"] == [], "boto3 found the profiles of ~/.aws"
    assert seen["home"] != os.environ["HOME"]
    isolation = json.loads(result.stdout)["audit"]["isolation"]
    assert isolation["environment"] == "allow-listed"
    assert isolation["passed_by_request"] == []
    assert not set(PLANTED) & set(isolation["passed_variables"])


@pytest.mark.integration
@pytest.mark.usefixtures("credentials")
def test_pass_env_passes_exactly_the_named_variable(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STACK_REGION_OVERRIDE", "eu-west-1")
    project = program(tmp_path, SNOOP)
    result = invoke(
        "audit", str(project), "--pass-env", "STACK_REGION_OVERRIDE", "--pass-env", "UNSET_NAME",
        "--select", "R6", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    env = json.loads((project / "seen.json").read_text())["env"]
    assert env["STACK_REGION_OVERRIDE"] == "eu-west-1"
    assert not set(PLANTED) & set(env)
    audit = json.loads(result.stdout)["audit"]
    assert audit["isolation"]["passed_by_request"] == ["STACK_REGION_OVERRIDE"]
    assert "passed to the program: STACK_REGION_OVERRIDE (--pass-env)" in audit["notes"]
    sarif = tmp_path / "audit.sarif"
    assert invoke("audit", str(project), "--pass-env", "STACK_REGION_OVERRIDE",
                  "--select", "R6", "--sarif", str(sarif)).exit_code == 0  # fmt: skip
    (invocation,) = json.loads(sarif.read_text())["runs"][0]["invocations"]
    assert invocation["properties"]["isolation"]["passed_by_request"] == ["STACK_REGION_OVERRIDE"]


def listening() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


CONNECT = """
import socket

try:
    socket.create_connection(("127.0.0.1", {port}), timeout=5).close()
    outcome = "connected"
except OSError as error:
    outcome = type(error).__name__
SEEN.write_text(json.dumps({{"outcome": outcome}}))
aws.sns.Topic("alarms", opts=pulumi.ResourceOptions(provider=provider))
"""


@pytest.mark.integration
def test_where_a_network_namespace_is_available_the_program_has_no_network(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    prefix, how = sandbox.network_prefix()
    if not prefix:
        pytest.skip(f"this machine offers no network namespace ({how}); the fallback is tested")
    server, port = listening()
    with server:
        project = program(tmp_path, CONNECT.format(port=port))
        result = invoke("audit", str(project), "--json", "--select", "R6")
    assert result.exit_code == 0, result.output
    assert json.loads((project / "seen.json").read_text())["outcome"] != "connected"
    isolation = json.loads(result.stdout)["audit"]["isolation"]
    assert isolation["network_cut"] is True and isolation["network"] == how


@pytest.mark.integration
def test_without_a_network_namespace_the_report_says_the_network_was_not_cut(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        sandbox, "network_prefix", lambda: ((), "not cut: util-linux's unshare is not installed")
    )
    server, port = listening()
    with server:
        project = program(tmp_path, CONNECT.format(port=port))
        result = invoke("audit", str(project), "--select", "R6")
    assert result.exit_code == 0, result.output
    assert json.loads((project / "seen.json").read_text())["outcome"] == "connected"
    assert (
        "note: the program ran with network access (not cut: util-linux's unshare is not "
        "installed)" in result.output
    )


@pytest.mark.integration
def test_the_program_gets_no_stdin_and_leaves_no_process_behind(tmp_path: Path) -> None:
    body = """
    import subprocess
    import sys

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    SEEN.write_text(json.dumps({"stdin": sys.stdin.read(), "sleeper": sleeper.pid}))
    aws.sns.Topic("alarms", opts=pulumi.ResourceOptions(provider=provider))
    """
    project = program(tmp_path, body)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "drgen", "audit", str(project), "--select", "R6"],
        input="the caller's next line\n", capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - started < 100, "drgen waited for the program's grandchild"
    seen = json.loads((project / "seen.json").read_text())
    assert seen["stdin"] == "", "the program read the caller's input"
    deadline = time.monotonic() + 10
    while Path(f"/proc/{seen['sleeper']}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{seen['sleeper']}").exists(), "the grandchild outlived the audit"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "import os\nos._exit(0)\n",
            "the program exited before it reported anything (os._exit or a killed interpreter?)",
        ),
        (
            "import sys\nsys.stderr.buffer.write(b'\\xff\\xfe' * 5_000_000)\n"
            "sys.stderr.flush()\nos._exit(3)\n",
            "the program could not run under mocks: ",
        ),
    ],
    ids=["os._exit", "binary-flood"],
)
def test_a_program_that_ends_oddly_is_one_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, body: str, message: str
) -> None:
    project = program(tmp_path, body)
    result = invoke("audit", str(project))
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert message in line and len(line) < 1000, line


def test_the_prefix_probe_runs_the_interpreter_in_the_namespace() -> None:
    prefix, how = sandbox.network_prefix()
    assert how.startswith(("cut: ", "not cut: "))
    if prefix:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", "import socket; print(socket.if_nameindex())"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "eth" not in done.stdout and "ens" not in done.stdout, done.stdout


def test_the_environment_keeps_python_and_locale_and_nothing_else(tmp_path: Path) -> None:
    source = {
        "PATH": "/usr/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": "/x",
        "VIRTUAL_ENV": "/venv", "AWS_REGION": "eu-west-1", "KUBECONFIG": "/k",
        "SSH_AUTH_SOCK": "/s", "NPM_TOKEN": "n", "DOCKER_CONFIG": "/d",
    }  # fmt: skip
    env, passed = sandbox.child_environment(tmp_path / "home", ["KUBECONFIG"], source)
    assert passed == ("KUBECONFIG", "LANG", "LC_ALL", "PATH", "PYTHONPATH", "VIRTUAL_ENV")
    assert {"AWS_REGION", "SSH_AUTH_SOCK", "NPM_TOKEN", "DOCKER_CONFIG"}.isdisjoint(env)
    assert Path(env["AWS_CONFIG_FILE"]).read_text() == ""
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == env["AWS_CONFIG_FILE"]
    assert env["HOME"] == str(tmp_path / "home")


def test_the_generated_ci_audits_with_no_secret_in_reach() -> None:
    rendered = render_files(answers(FOUR, True, "vpc"))
    text = rendered[".github/workflows/ci.yml"].data.decode()
    assert "secrets." not in text and "pull_request_target" not in text
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if "drgen audit" in s.get("run", "")]
    assert "env" not in step and "env" not in job and "env" not in workflow
