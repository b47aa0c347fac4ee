"""`drgen new` at a real pseudo-terminal: what a person sees and what their keys do.

drgen runs as its own process in a pty (pexpect); everything it prints goes through a terminal
emulator (pyte), so the assertions are about the screen, escape sequences applied.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte
import pytest
import yaml

from drgen.answers.rules import check_decided
from drgen.errors import AnswerError
from tests.conftest import DEMO_NEXT_STEPS, tree

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
#: Generous: the machine runs other suites at the same time.
TIMEOUT = 120
ENTER, LEFT, BACKSPACE = "\r", "\x1b[D", "\x7f"
UP, DOWN, TAB, CTRL_U = "\x1b[A", "\x1b[B", "\t", "\x15"
DEFAULTS = {
    "project_name": "demo",
    "regions": ["us-east-1", "us-west-2"],
    "env_suffix": "dev",
    "route53": False,
    "network": "none",
    "ci": "github",
    "alarm_email": "oncall@example.com",
    "drgen_source": "pypi",
}
#: Who the default flow pages: the one question without a default.
ADDRESS = "oncall@example.com"


class Terminal:
    """A pty running drgen, and the screen it draws."""

    def __init__(
        self, cwd: Path, *args: str, rows: int = 50, cols: int = 300, shell: str | None = None
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        # No cursor-position requests: pexpect is not a terminal that answers them.
        env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color")
        drgen = [sys.executable, "-m", "drgen", *args]
        command = (
            ["bash", "--norc", "-c", shell.format(drgen=shlex.join(drgen))] if shell else drgen
        )
        self.child = pexpect.spawn(
            command[0],
            command[1:],
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            dimensions=(rows, cols),
            timeout=TIMEOUT,
        )
        self.child.logfile_read = self

    def write(self, text: str) -> None:  # pexpect's log of what it read: onto the screen
        self.stream.feed(text)

    def flush(self) -> None:
        pass

    def lines(self) -> list[str]:
        """The screen's rows without trailing blanks, up to the last row with text."""
        rows = [row.rstrip() for row in self.screen.display]
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def shown(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, text: str) -> None:
        """Read until `text` is on the screen (waits on output, not on time)."""
        self.wait_until(lambda: text in self.shown(), repr(text))

    def wait_until(self, shows: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not shows():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{what} never appeared; the screen:\n{self.shown()}")
            try:
                self.child.read_nonblocking(4096, timeout=left)
            except pexpect.EOF:
                raise AssertionError(
                    f"drgen ended before {what} appeared; the screen:\n{self.shown()}"
                ) from None
            except pexpect.TIMEOUT:
                continue

    def answer(self, prompt: str, keys: str) -> None:
        self.wait_for(prompt)
        self.child.send(keys)

    def finish(self) -> int:
        """Read to the end; the exit code."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus is not None, self.shown()
        return int(self.child.exitstatus)


def recorded(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".drgen" / "answers.yml").read_text())["answers"]


def default_flow(terminal: Terminal) -> None:
    for prompt in (
        "[1/7] Regions",
        "[2/7] Environment suffix",
        "[3/7] Route 53",
        "[4/7] Networking",
        "[5/7] CI workflows",
    ):
        terminal.answer(prompt, ENTER)
    terminal.answer("[6/7] Alarm e-mail", ADDRESS + ENTER)
    terminal.answer("[7/7] Where requirements-dev.txt installs drgen", ENTER)
    terminal.answer("Create it?", ENTER)


def decline_flow(terminal: Terminal) -> None:
    """The default flow's answers, then `n` at the recap and Enter at the menu."""
    for prompt in (
        "[1/7] Regions",
        "[2/7] Environment suffix",
        "[3/7] Route 53",
        "[4/7] Networking",
        "[5/7] CI workflows",
    ):
        terminal.answer(prompt, ENTER)
    terminal.answer("[6/7] Alarm e-mail", ADDRESS + ENTER)
    terminal.answer("[7/7] Where requirements-dev.txt installs drgen", ENTER)
    terminal.answer("Create it?", "n")
    terminal.answer("Change an answer?", ENTER)  # the first choice: write nothing


#: What the default flow shows, with the target as `drgen new demo` in /home/me would show it.
TRANSCRIPT_START = (
    "<!-- transcript: drgen new demo --no-verify, Enter at every prompt but the address -->"
)
#: What declining shows, from the recap on.
DECLINE_START = "<!-- transcript: the same answers, then n at the recap and Enter at the menu -->"
SHOWN_TARGET = "/home/me/demo"


def default_transcript(terminal: Terminal, target: Path) -> str:
    return terminal.shown().replace(str(target), SHOWN_TARGET)


def decline_transcript(terminal: Terminal, target: Path) -> str:
    lines = terminal.lines()
    return "\n".join(lines[lines.index("demo:") :]).replace(str(target), SHOWN_TARGET)


def documented_transcript(start: str = TRANSCRIPT_START) -> str:
    guide = (ROOT / "docs" / "user-guide.md").read_text()
    after = guide.index(start) + len(start)
    return guide[after:].split("```text\n", 1)[1].split("```", 1)[0].rstrip("\n")


def test_enter_at_every_prompt_creates_the_default_project(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    default_flow(terminal)
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "demo") == DEFAULTS
    shown = default_transcript(terminal, tmp_path / "demo")
    assert shown == documented_transcript(), (
        "docs/user-guide.md shows another default flow (refresh: python -m tests.test_terminal)"
        f"; the screen:\n{shown}"
    )


def test_the_screen_of_the_default_flow(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    default_flow(terminal)
    assert terminal.finish() == 0, terminal.shown()
    hint = "  AWS region codes, primary first: traffic fails over in this order (Tab completes)"
    assert terminal.lines()[:2] == [
        hint,
        "? [1/7] Regions (primary first, comma-separated) us-east-1, us-west-2",
    ]
    assert f"? [6/7] Alarm e-mail (an address, or none) {ADDRESS}" in (terminal.lines()), (
        "no default: nothing is prefilled, the address is what was typed"
    )
    recap_at = terminal.lines().index("demo:")
    assert terminal.lines()[recap_at : recap_at + 10] == [
        "demo:",
        f"  target        {tmp_path / 'demo'}",
        "  regions       us-east-1 (primary), us-west-2",
        "  env_suffix    dev",
        "  route53       off",
        "  network       none",
        "  ci            github",
        f"  alarm_email   {ADDRESS}",
        "  drgen_source  pypi",
        "? Create it? Yes",
    ]


@pytest.mark.slow
def test_enter_at_every_prompt_then_the_project_is_verified(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo")
    default_flow(terminal)
    assert terminal.finish() == 0, terminal.shown()
    assert "Verified: " in terminal.shown()
    assert recorded(tmp_path / "demo") == DEFAULTS


def test_defaults_at_a_terminal_still_ask_who_is_paged(tmp_path: Path) -> None:
    """An address has no default and "nobody" is a choice: --defaults asks for it alone."""
    terminal = Terminal(tmp_path, "new", "demo", "--defaults", "--no-verify")  # asks: on purpose
    terminal.answer("[1/1] Alarm e-mail", "oncall" + ENTER)
    terminal.wait_for("alarm_email 'oncall' is not accepted")  # at its prompt, text kept
    assert "[2/" not in terminal.shown() and "Create it?" not in terminal.shown()
    terminal.child.send("@example.com" + ENTER)
    terminal.answer("Create it?", ENTER)
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "demo") == DEFAULTS


def test_a_too_long_suffix_is_refused_at_its_prompt(tmp_path: Path) -> None:
    name = "payments-gateway-platform-eu"  # 28 characters: room for an 11-character suffix
    terminal = Terminal(tmp_path, "new", name, "--no-verify", cols=80)
    terminal.answer("[1/7] Regions", ENTER)
    terminal.answer("[2/7] Environment suffix", BACKSPACE * 3 + "productionxy" + ENTER)
    error = (
        f"project name {name!r} with env_suffix 'productionxy' makes the S3 bucket name "
        f"'{name}-000000000000-us-east-1-productionxy' 64 characters long in us-east-1; "
        "AWS accepts at most 63: shorten them by 1"
    )
    # wrapped over the rows under the prompt, not cut at the terminal's edge
    terminal.wait_until(lambda: error in "".join(terminal.screen.display), "the whole error")
    assert terminal.lines()[-5].endswith("? [2/7] Environment suffix productionxy")
    terminal.answer("productionxy", BACKSPACE + ENTER)  # 11 characters fit
    terminal.wait_for("[3/7] Route 53")
    assert "AWS accepts" not in terminal.shown()
    assert "? [2/7] Environment suffix productionx" in terminal.lines()
    terminal.child.sendcontrol("c")
    assert terminal.finish() == 130
    assert terminal.lines()[-1] == "drgen: error: interrupted; nothing was left half-written"
    assert tree(tmp_path) == {}


def test_two_refused_regions_are_two_lines_under_the_prompt(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    terminal.answer("[1/7] Regions", CTRL_U + "us-esat-1, mars-1" + ENTER)
    first = "region 'us-esat-1' is not an AWS commercial region code; did you mean us-west-1?"
    second = (
        "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 "
        "or ap-southeast-2)"
    )
    terminal.wait_for(second)
    assert terminal.lines()[-2:] == [first, second]
    terminal.child.sendcontrol("c")
    assert terminal.finish() == 130
    assert tree(tmp_path) == {}


def test_a_non_empty_target_is_refused_before_the_first_question(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    assert terminal.finish() == 2
    assert terminal.lines() == [
        f"drgen: error: target {str(tmp_path / 'demo')!r} exists and is not empty; choose "
        "another --output-dir or pass --force to overwrite the files drgen generates"
    ]
    assert tree(tmp_path) == {"demo/notes.txt": b"mine"}


def test_no_at_the_recap_writes_nothing_and_prints_the_answers_to_reuse(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    decline_flow(terminal)
    assert terminal.finish() == 0
    line = (
        "drgen new demo --region us-east-1,us-west-2 --env-suffix dev --no-route53 "
        f"--network none --ci github --alarm-email {ADDRESS} --drgen-source pypi --no-verify"
    )
    lines = terminal.lines()
    assert lines[lines.index("? Create it? No") :] == [
        "? Create it? No",
        "? Change an answer? write nothing: print the command line and the answers file instead",
        f"Nothing was written to {tmp_path / 'demo'}. To create it later with these answers, run:",
        f"  {line}",
        "or save these lines as a file and run drgen new demo -a FILE:",
        "  regions:",
        "  - us-east-1",
        "  - us-west-2",
        "  env_suffix: dev",
        "  route53: false",
        "  network: none",
        "  ci: github",
        f"  alarm_email: {ADDRESS}",
        "  drgen_source: pypi",
    ]
    shown = decline_transcript(terminal, tmp_path / "demo")
    assert shown == documented_transcript(DECLINE_START), (
        "docs/user-guide.md shows another decline (refresh: python -m tests.test_terminal)"
        f"; the screen:\n{shown}"
    )
    assert tree(tmp_path) == {}
    (tmp_path / "answers.yml").write_text("\n".join(lines[-9:]) + "\n")
    # the printed line, run as it is (no terminal: nothing may be missing), makes the project
    again = [sys.executable, "-m", "drgen", *shlex.split(line)[1:]]
    ran = subprocess.run(again, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert ran.returncode == 0, ran.stderr
    assert recorded(tmp_path / "demo") == DEFAULTS
    # and the printed file gives the same answers to another name
    again = [sys.executable, "-m", "drgen", "new", "copy", "-a", "answers.yml", "--pretend"]
    ran = subprocess.run(again, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert ran.returncode == 0, ran.stderr
    assert f"  alarm_email: {ADDRESS}" in ran.stdout.splitlines()


def test_at_the_recap_one_answer_is_changed_then_the_recap_comes_again(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify", "--network", "vpc", rows=120)
    for prompt in ("[1/7]", "[2/7]", "[3/7]", "[4/7] Base IPv4 CIDR", "[5/7]"):
        terminal.answer(prompt, ENTER)
    terminal.answer("[6/7]", "none" + ENTER)
    terminal.answer("[7/7]", ENTER)
    terminal.answer("Create it?", "n")
    # the menu: write nothing, then each answer in recap order (the network is the 4th)
    terminal.answer("Change an answer?", DOWN * 4 + ENTER)
    terminal.answer("[change] Networking of the functions", UP + ENTER)  # vpc -> none
    terminal.wait_for("? [change] Networking of the functions none")
    terminal.answer("Create it?", "n")  # the recap again: no base_cidr now
    terminal.answer("Change an answer?", DOWN * 3 + ENTER)  # route53
    terminal.answer("[change] Route 53", "y")
    terminal.answer("[1/3] Existing hosted zone id", "Z0123ABC" + ENTER)
    terminal.answer("[2/3] The hosted zone's domain", "example.com" + ENTER)
    terminal.answer("[3/3] Record name", ENTER)
    terminal.wait_for("  record_name     demo-dev")
    terminal.answer("Create it?", ENTER)
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "demo") == {
        **DEFAULTS,
        "route53": True,
        "hosted_zone_id": "Z0123ABC",
        "domain": "example.com",
        "record_name": "demo-dev",
        "alarm_email": "none",
    }
    recaps = [i for i, line in enumerate(terminal.lines()) if line == "demo:"]
    assert len(recaps) == 3
    second = terminal.lines()[recaps[1] : recaps[2]]
    assert "  network       none" in second and not any("base_cidr" in row for row in second)


def test_up_recalls_only_the_answers_typed_at_the_same_question(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    terminal.answer("[1/7] Regions", ENTER)
    terminal.answer("[2/7] Environment suffix", CTRL_U + "staging" + ENTER)
    for prompt in ("[3/7]", "[4/7]", "[5/7]"):
        terminal.answer(prompt, ENTER)
    # nothing typed here yet: Up recalls nothing (not the suffix, not the regions)
    terminal.answer("[6/7] Alarm e-mail", UP + ADDRESS)
    terminal.wait_for(ADDRESS)
    assert f"? [6/7] Alarm e-mail (an address, or none) {ADDRESS}" in terminal.lines()
    terminal.child.send(ENTER)
    terminal.answer("[7/7] Where requirements-dev.txt installs drgen", ENTER)
    terminal.answer("Create it?", "n")
    terminal.answer("Change an answer?", DOWN * 2 + ENTER)  # env_suffix
    terminal.wait_for("? [change] Environment suffix staging")
    # cleared, then Up: this question's answer, not the address typed last
    terminal.child.send(CTRL_U + UP + ENTER)
    terminal.wait_for("? [change] Environment suffix staging\n")
    terminal.answer("Create it?", ENTER)
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "demo")["env_suffix"] == "staging"


def test_without_a_name_it_is_asked_for_and_checked_as_the_argument(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "--no-verify", rows=60)
    terminal.answer("? Project name", "Demo" + ENTER)
    terminal.wait_for(
        "project name 'Demo' is not valid: use lowercase letters, digits and single hyphens, "
        "starting with a letter"
    )
    assert "[1/7]" not in terminal.shown()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    terminal.child.send(CTRL_U + "taken" + ENTER)  # ./taken: refused as the argument would be
    terminal.wait_for(f"target {str(tmp_path / 'taken')!r} exists and is not empty")
    terminal.child.send(CTRL_U + "demo" + ENTER)
    default_flow(terminal)
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "demo") == DEFAULTS
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"
    assert terminal.lines()[:2] == [
        "  Names the project and starts every physical name: lowercase letters, digits, hyphens",
        "? Project name demo",
    ]


def test_a_long_error_under_the_name_prompt_wraps(tmp_path: Path) -> None:
    name = "a" * 40
    with pytest.raises(AnswerError) as refused:
        check_decided(name, {})
    error = str(refused.value)
    assert len(error) > 80
    terminal = Terminal(tmp_path, "new", "--no-verify", cols=80)
    terminal.answer("? Project name", name + ENTER)
    # wrapped over the rows under the prompt, not cut at the terminal's edge
    terminal.wait_until(lambda: error in "".join(terminal.screen.display), "the whole error")
    terminal.child.sendcontrol("c")
    assert terminal.finish() == 130
    assert tree(tmp_path) == {}


def test_the_name_offered_is_the_output_folders(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "-o", "infra/payments", "--no-verify")
    terminal.wait_for("? Project name payments")
    terminal.child.sendcontrol("c")
    assert terminal.finish() == 130
    assert tree(tmp_path) == {}


def test_arrow_keys_edit_the_value(tmp_path: Path) -> None:
    flags = ["-e", "dev", "--no-route53", "--network", "none", "--ci", "github", "--yes"]
    flags += ["--drgen-source", "pypi"]
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify", "--alarm-email", "none", *flags)
    # the cursor starts after "us-east-1, us-west-2": nine steps left is before us-west-2
    terminal.answer("[1/1] Regions", LEFT * 9 + "eu-west-1, " + ENTER)
    assert terminal.finish() == 0, terminal.shown()
    assert "? [1/1] Regions (primary first, comma-separated) us-east-1, eu-west-1, us-west-2" in (
        terminal.lines()
    )
    assert "Create it?" not in terminal.shown()  # --yes
    assert recorded(tmp_path / "demo")["regions"] == ["us-east-1", "eu-west-1", "us-west-2"]


def test_region_codes_complete_as_typed_and_are_judged_on_enter(tmp_path: Path) -> None:
    flags = ["-e", "dev", "--no-route53", "--network", "none", "--ci", "github", "--yes"]
    flags += ["--drgen-source", "pypi"]
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify", "--alarm-email", "none", *flags)
    terminal.answer("[1/1] Regions", CTRL_U + "us-east-1, eu-w")
    terminal.wait_for("eu-west-3")  # the menu: eu-west-1, eu-west-2, eu-west-3
    assert "is not an AWS commercial region code" not in terminal.shown()
    terminal.child.send(TAB + TAB + ENTER)  # the second completion
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "demo")["regions"] == ["us-east-1", "eu-west-2"]


def test_menus_confirms_and_a_counter_that_grows_with_the_toggles(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "shop", "--no-verify", rows=50)
    terminal.answer("[1/7] Regions", ENTER)
    terminal.answer("[2/7] Environment suffix", ENTER)
    terminal.answer("[3/7] Route 53", "y")
    terminal.answer("[4/10] Existing hosted zone id", "Z0123ABC" + ENTER)
    terminal.answer("[5/10] The hosted zone's domain", "example.com" + ENTER)
    terminal.answer("[6/10] Record name", ENTER)
    terminal.answer("[7/10] Networking", DOWN + ENTER)
    terminal.answer("[8/11] Base IPv4 CIDR", ENTER)
    terminal.answer("[9/11] CI workflows", DOWN + ENTER)
    terminal.answer("[10/11] Alarm e-mail", "none" + ENTER)
    terminal.wait_for("an index URL) pypi")  # the default is in: replace it
    terminal.child.send(BACKSPACE * 4 + "https://pypi.example.com/simple/" + ENTER)
    terminal.answer("Create it?", ENTER)
    assert terminal.finish() == 0, terminal.shown()
    assert recorded(tmp_path / "shop") == {
        "project_name": "shop",
        "regions": ["us-east-1", "us-west-2"],
        "env_suffix": "dev",
        "route53": True,
        "hosted_zone_id": "Z0123ABC",
        "domain": "example.com",
        "record_name": "shop-dev",
        "network": "vpc",
        "base_cidr": "10.0.0.0/8",
        "ci": "none",
        "alarm_email": "none",
        "drgen_source": "https://pypi.example.com/simple/",
    }
    assert "? [6/10] Record name (the service answers on <record>.<domain>) shop-dev" in (
        terminal.lines()
    )


def test_with_stdout_redirected_the_prompts_stay_on_the_terminal(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify", shell="{drgen} > out.txt")
    default_flow(terminal)
    assert terminal.finish() == 0, terminal.shown()
    assert "? Create it? Yes" in terminal.lines()
    assert (tmp_path / "out.txt").read_text().splitlines() == [
        f"Created demo in {tmp_path / 'demo'}: primary us-east-1, secondary us-west-2, stack dev",
        "  .drgen/          2 files",
        "  .github/         3 files",
        "  app/             2 files",
        "  infra/           12 files",
        "  ops/             7 files",
        "  tests/           15 files",
        "  .gitattributes, .gitignore, .pre-commit-config.yaml, Pulumi.dev.yaml, Pulumi.yaml, "
        "README.md,",
        "  __main__.py, pyproject.toml, requirements-dev.txt, requirements.txt",
        "Skipped verification (--no-verify); run `drgen verify demo` to prove it.",
        *DEMO_NEXT_STEPS,
    ]


def test_ctrl_d_at_a_prompt_is_an_interrupt(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, "new", "demo", "--no-verify")
    terminal.answer("[1/7] Regions", "\x01\x0b" + "\x04")  # Ctrl-A Ctrl-K: empty, then Ctrl-D
    assert terminal.finish() == 130
    assert terminal.lines()[-1] == "drgen: error: interrupted; nothing was left half-written"
    assert tree(tmp_path) == {}


def refresh_transcripts() -> None:
    """Write the default flow's screen and the decline's into docs/user-guide.md."""
    import tempfile

    shown = {}
    for start, flow, transcript in (
        (TRANSCRIPT_START, default_flow, default_transcript),
        (DECLINE_START, decline_flow, decline_transcript),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            terminal = Terminal(Path(tmp), "new", "demo", "--no-verify")
            flow(terminal)
            assert terminal.finish() == 0, terminal.shown()
            shown[start] = transcript(terminal, Path(tmp) / "demo")
    path = ROOT / "docs" / "user-guide.md"
    guide = path.read_text()
    for start, text in shown.items():
        after = guide.index(start) + len(start)
        end = guide.index("```", guide.index("```text\n", after) + 8) + 3
        guide = guide[:after] + f"\n\n```text\n{text}\n```" + guide[end:]
    path.write_text(guide)


if __name__ == "__main__":
    refresh_transcripts()
