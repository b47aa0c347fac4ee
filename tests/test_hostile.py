"""Hostile and broken inputs: each gets its one-line error and leaves the file system as it was.

Every row is one input a person or a pipeline could pass; the fragment is what the error must
say: every free-text answer, the answers file and the target directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drgen.errors import EXIT_USAGE
from tests.conftest import tree

NAME = ["new"]
ZONE = ["--route53", "--hosted-zone-id", "Z0123ABC", "--domain", "example.com"]

#: (arguments after `drgen new`, what the one-line error must contain).
HOSTILE_FLAGS: list[tuple[list[str], str]] = [
    # the project name
    ([""], "project name '' is not valid"),
    (
        ["Demo"],
        "project name 'Demo' is not valid: use lowercase letters, digits and single hyphens",
    ),
    ([" demo"], "project name ' demo' is not valid"),
    (["demo\n"], "project name 'demo\\n' is not valid"),
    (["démo"], "project name 'démo' is not valid"),
    (["../demo"], "project name '../demo' is not valid"),
    (["demo/x"], "project name 'demo/x' is not valid"),
    ([".."], "project name '..' is not valid"),
    (["{{ 7*7 }}"], "project name '{{ 7*7 }}' is not valid"),
    (["demo'; import os; '"], "is not valid"),
    (['demo"'], "is not valid"),
    (["__import__('os')"], "is not valid"),
    (["a" * 300], "S3 bucket name"),
    (["xn--demo"], "is not valid"),
    (["sthree-demo"], "prefix S3 reserves"),
    # the environment suffix
    (["demo", "-e", ""], "env_suffix '' is not valid"),
    (["demo", "-e", " dev"], "env_suffix ' dev' is not valid"),
    (["demo", "-e", "dev\t"], "env_suffix 'dev\\t' is not valid"),
    (["demo", "-e", "dév"], "env_suffix 'dév' is not valid"),
    (["demo", "-e", "../../etc"], "env_suffix '../../etc' is not valid"),
    (["demo", "-e", "{% raw %}"], "env_suffix '{% raw %}' is not valid"),
    (["demo", "-e", "dev: [x]"], "env_suffix 'dev: [x]' is not valid"),
    (["demo", "-e", "e" * 100], "S3 bucket name"),
    (["demo", "-e", "s3alias"], "reserved by S3"),
    # regions
    (["demo", "-r", "us-east-1", "-r", ""], "regions: an empty region code (a comma too many?)"),
    (["demo", "-r", "us-east-1,"], "regions: an empty region code (a comma too many?)"),
    (["demo", "-r", "us-east-1", "-r", "us-east-1 "], "region 'us-east-1' is given twice"),
    (["demo", "-r", "us-east-1,US-EAST-1"], "region 'us-east-1' is given twice"),
    (["demo", "-r", "us-east-1", "-r", "../us-west-2"], "region '../us-west-2' is not an AWS"),
    (["demo", "-r", "us-east-1", "-r", "cn-north-1"], "region 'cn-north-1' is in the China"),
    (["demo", "-r", "us-east-1", "-r", "us-gov-west-1"], "'us-gov-west-1' is in the GovCloud"),
    (["demo", "-r", "us-east-1", "-r", "us-west-2\nx"], "region 'us-west-2\\nx' is not an AWS"),
    (["demo", "-r", "us-east-1"], "at least two regions"),
    (["demo", "-r", "eu-west-1", "-r", "eu-west-1"], "region 'eu-west-1' is given twice"),
    # the Route 53 answers
    (["demo", *ZONE[:1], "--hosted-zone-id", "", "--domain", "example.com"], "hosted_zone_id ''"),
    (
        ["demo", *ZONE[:1], "--hosted-zone-id", "Z1\nZ2", "--domain", "example.com"],
        "hosted_zone_id 'Z1\\nZ2' is not a Route 53 hosted zone id",
    ),
    (
        ["demo", *ZONE[:1], "--hosted-zone-id", "/hostedzone/z1", "--domain", "example.com"],
        "hosted_zone_id '/hostedzone/z1' is not a Route 53 hosted zone id",
    ),
    (
        ["demo", *ZONE[:1], "--hosted-zone-id", "zone", "--domain", "example.com"],
        "hosted_zone_id 'zone' is not a Route 53 hosted zone id",
    ),
    (["demo", *ZONE[:3], "--domain", ""], "domain '' is not a valid DNS name"),
    (["demo", *ZONE[:3], "--domain", "exa mple.com"], "domain 'exa mple.com' is not a valid"),
    (["demo", *ZONE[:3], "--domain", 'example.com"; rm -rf /'], "is not a valid DNS name"),
    (["demo", *ZONE[:3], "--domain", "ëxample.com"], "domain 'ëxample.com' is not a valid"),
    (["demo", *ZONE[:3], "--domain", "example..com"], "domain 'example..com' is not a valid"),
    (["demo", *ZONE, "--record-name", "{{x}}"], "record_name '{{x}}' is not a valid DNS name"),
    (["demo", *ZONE, "--record-name", "a/b"], "record_name 'a/b' is not a valid DNS name"),
    (["demo", *ZONE, "--record-name", "r" * 63], "ACM certificates accept at most 64"),
    (["demo", "--hosted-zone-id", "Z1"], "only used when route53 is on"),
    # networking
    (["demo", "--network", ""], "network '' is not accepted; accepted: none, vpc"),
    (["demo", "--network", "VPC"], "network 'VPC' is not accepted"),
    (["demo", "--network", "vpn"], "network 'vpn' is not accepted; accepted: none, vpc"),
    (["demo", "--network", "vpc", "--base-cidr", "10.0.0.0"], "smaller than a /16"),
    (
        ["demo", "--network", "vpc", "--base-cidr", "10.0.0.0/24"],
        "base_cidr '10.0.0.0/24' is smaller than a /16; each region needs a /16",
    ),
    (["demo", "--network", "vpc", "--base-cidr", "10.0.0.0/8; x"], "not an IPv4 network"),
    (["demo", "--network", "vpc", "--base-cidr", "300.0.0.0/8"], "not an IPv4 network"),
    (["demo", "--network", "vpc", "--base-cidr", "11.0.0.0/8"], "not a private range"),
    (["demo", "--base-cidr", "10.0.0.0/8"], "only used when network is vpc"),
    # the answers file given as a flag
    (["demo", "--answers-file", "nope.yml"], "answers file 'nope.yml' cannot be read"),
]


@pytest.mark.parametrize(("args", "message"), HOSTILE_FLAGS, ids=range(len(HOSTILE_FLAGS)))
def test_hostile_flags(invoke, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke(*NAME, *args, "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.stderr
    assert result.stderr.startswith("drgen: error: ") and result.stderr.count("\n") == 1
    assert tree(tmp_path) == {}


#: (answers file content, what the one-line error must contain).
HOSTILE_FILES: list[tuple[str | bytes, str]] = [
    ("regions: [us-east-1\n", "is not valid YAML at line"),
    (
        "regions: us-east-1\n",
        "regions: only us-east-1 given; a DR stack needs at least two regions",
    ),
    ("regions: {a: 1}\n", "regions: expected a list of region codes or a comma-separated"),
    ("regions: [us-east-1, [us-west-2]]\n", "regions: expected region codes, got list"),
    ("env_suffix: [dev]\n", "env_suffix: expected a string, got list"),
    ("env_suffix: 7\n", "env_suffix: expected a string, got integer"),
    ("route53: 'yes'\n", "route53: expected true or false, got string 'yes'"),
    ("route53: 1\n", "route53: expected true or false, got integer 1"),
    ("route53: 0\n", "route53: expected true or false, got integer 0"),
    ("route53: null\n", "route53: expected true or false, got null"),
    ("route53:\n", "route53: expected true or false, got null"),
    ("regions: null\n", "a comma-separated string, got null"),
    ("env_suffix: null\n", "env_suffix: expected a string, got null"),
    ("network: null\n", "network null is not accepted; accepted: none, vpc"),
    ("network: none\nbase_cidr: null\n", "base_cidr null is only used when network is vpc"),
    ("network: [vpc]\n", "network ['vpc'] is not accepted"),
    ("colour: red\n", "unknown key 'colour'"),
    ("project_name: other\n", "project_name is not an answer"),
    ("answers: {project_name: x, colour: red}\n", "unknown key answers.'colour'"),
    ("answers: red\n", "answers must be a mapping, got string 'red'"),
    ("- us-east-1\n", "must be a mapping of answers"),
    ("!!python/object/apply:os.system ['true']\n", "is not valid YAML"),
    ("regions: [us-east-1, &a us-west-2, *a]\n", "uses a YAML alias at line 1: write the value"),
    (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nregions: [*c, *c, *c, *c, *c, *c, *c]\n",
        "uses a YAML alias at line 2",  # a "billion laughs" bomb: refused before it expands
    ),
    (b"\xff\xfe", "is not UTF-8 text (byte 1)"),
    (b"env_suffix: dev\n" + b"#" * (8 * 1024 * 1024), "is larger than 8 MB"),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE_FILES, ids=range(len(HOSTILE_FILES)))
def test_hostile_answers_files(invoke, tmp_path: Path, content: str | bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "answers.yml"
    if isinstance(content, bytes):
        answers.write_bytes(content)
    else:
        answers.write_text(content)
    before = tree(tmp_path)
    result = invoke(
        "new",
        "demo",
        "--answers-file",
        str(answers),
        "--defaults",
        "--alarm-email",
        "none",
        "--no-verify",
    )
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert tree(tmp_path) == before


def test_an_endless_answers_file_is_refused_without_reading_it_all(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new",
        "demo",
        "--answers-file",
        "/dev/zero",
        "--defaults",
        "--alarm-email",
        "none",
        "--no-verify",
    )
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == "drgen: error: answers file '/dev/zero' is larger than 8 MB\n"
    assert tree(tmp_path) == {}


def test_a_target_path_over_the_systems_limit_is_one_line(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deep = Path("x", *(["b" * 200] * 25), "demo")  # over PATH_MAX (4096 on Linux)
    result = invoke(
        "new", "demo", "-o", str(deep), "--defaults", "--alarm-email", "none", "--no-verify"
    )
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        f"drgen: error: target {str(tmp_path / deep)!r} cannot be used: File name too long\n"
    )
    assert tree(tmp_path) == {}


def test_an_unwritable_parent_is_a_clear_error(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # /proc refuses new entries even to root, so this fails for real wherever the tests run
    result = invoke(
        "new",
        "demo",
        "-o",
        "/proc/drgen-demo",
        "--defaults",
        "--alarm-email",
        "none",
        "--no-verify",
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: could not write the project to '/proc/drgen-demo': [Errno 2] No such "
        "file or directory: '/proc'\n"
    ), "the staging directory drgen tried to make is not shown"
    assert result.stdout == ""
    assert tree(tmp_path) == {}


def test_a_failure_after_rendering_leaves_the_parent_as_it_was(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "mine.txt").write_text("kept")

    def denied(staging: Path, target: Path) -> None:
        assert (staging / "Pulumi.yaml").is_file(), "the project was rendered before the move"
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("drgen.project.render._move_into_place", denied)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: could not write the project to {str(tmp_path / 'demo')!r}: "
        "[Errno 13] Permission denied\n"
    )
    assert tree(tmp_path) == {"mine.txt": b"kept"}, "the staging directory is gone too"
