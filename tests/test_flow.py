"""`drgen new` in a pipeline: every refusal at once, one region syntax, replayed answers,
missing parent folders, and `--pretend`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from drgen.answers.fields import LABEL_RULE
from drgen.errors import EXIT_INTERRUPTED, EXIT_USAGE
from drgen.project.record import RECORD_DIR
from tests.conftest import tree
from tests.update.repository import commit_all, git

MARS = (
    "region 'mars-1' is not an AWS commercial region code (such as us-east-1, eu-west-1 or "
    "ap-southeast-2)"
)


def recorded(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / RECORD_DIR / "answers.yml").read_text())["answers"]


def test_three_bad_flags_give_three_lines_in_one_run(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify",
        "-r", "us-east-1,mars-1", "-e", "BAD", "--network", "vpn",
    )  # fmt: skip
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "drgen: error: network 'vpn' is not accepted; accepted: none, vpc (from --network)",
        f"drgen: error: {MARS} (from --region)",
        f"drgen: error: env_suffix 'BAD' is not valid: use {LABEL_RULE} (from --env-suffix)",
    ]
    assert result.stdout == ""
    assert tree(tmp_path) == {}


def test_the_json_document_lists_every_error(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.yml").write_text("env_suffix: BAD\nregoins: [us-east-1]\n")
    result = invoke(
        "new",
        "demo",
        "--defaults",
        "--alarm-email",
        "none",
        "--json",
        "-a",
        "a.yml",
        "-r",
        "us-east-1",
        "-r",
        "mars-1",
    )
    assert result.exit_code == EXIT_USAGE
    doc = json.loads(result.stdout)
    assert doc["result"] == "error" and doc["exit_code"] == EXIT_USAGE
    assert doc["errors"] == [
        "answers file 'a.yml': unknown key 'regoins'; did you mean regions?",
        f"{MARS} (from --region)",
        f"env_suffix 'BAD' is not valid: use {LABEL_RULE} (from answers file 'a.yml', key "
        "env_suffix)",
    ]
    assert tree(tmp_path) == {"a.yml": b"env_suffix: BAD\nregoins: [us-east-1]\n"}


def test_refused_answers_and_missing_ones_are_named_together(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "demo", "-r", "us-eats-1,us-west-2", "-e", "dev", "--route53")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "drgen: error: region 'us-eats-1' is not an AWS commercial region code; did you mean "
        "us-east-1? (from --region)",
        "drgen: error: no terminal to ask for: hosted_zone_id (--hosted-zone-id), domain "
        "(--domain), record_name (--record-name), network (--network), ci (--ci), alarm_email "
        "(--alarm-email EMAIL or none), drgen_source (--drgen-source); pass them as flags or in "
        "--answers-file (--defaults has no default for hosted_zone_id, domain, alarm_email)",
    ]
    assert tree(tmp_path) == {}


@pytest.mark.integration
@pytest.mark.parametrize(
    "regions",
    [
        ["-r", "eu-west-1,eu-central-1,us-east-1"],
        ["-r", "eu-west-1", "-r", "eu-central-1", "-r", "us-east-1"],
        ["-r", "EU-WEST-1, eu-central-1", "--region", "us-east-1"],
        ["-a", "list.yml"],
        ["-a", "comma.yml"],
    ],
)
def test_comma_and_repeated_regions_give_the_same_project(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, regions: list[str]
) -> None:
    (tmp_path / "list.yml").write_text("regions: [eu-west-1, eu-central-1, us-east-1]\n")
    (tmp_path / "comma.yml").write_text("regions: eu-west-1,eu-central-1 , us-east-1\n")
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", *regions)
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "demo")["regions"] == ["eu-west-1", "eu-central-1", "us-east-1"]


@pytest.mark.integration
@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-r", "eu-west-1,eu-central-1", "-e", "prod", "--route53", "--hosted-zone-id", "Z1",
         "--domain", "example.com", "--network", "vpc", "--base-cidr", "10.8.0.0/13",
         "--ci", "none"],
    ],
    ids=["defaults", "everything"],
)  # fmt: skip
def test_a_projects_recorded_answers_replay_into_a_new_project(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, flags: list[str]
) -> None:
    result = invoke("new", "x", "--defaults", "--alarm-email", "none", "--no-verify", *flags)
    assert result.exit_code == 0, result.output
    result = invoke("new", "y", "--answers-file", "x/.drgen/answers.yml", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "y") == {**recorded(tmp_path / "x"), "project_name": "y"}
    x, y = tree(tmp_path / "x"), tree(tmp_path / "y")
    assert sorted(x) == sorted(y), "the same files, the new name inside them"


@pytest.mark.integration
def test_a_replayed_answer_can_be_overridden_by_a_flag(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert invoke("new", "x", "--defaults", "--alarm-email", "none", "--no-verify").exit_code == 0
    result = invoke("new", "y", "-a", "x/.drgen/answers.yml", "-e", "qa", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(tmp_path / "y")["env_suffix"] == "qa"


def test_a_replayed_answer_that_is_refused_names_its_key_in_the_record(
    invoke, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.yml").write_text(
        "drgen_version: 0.1.0\nanswers:\n  project_name: x\n  regions: [us-east-1]\n"
        "  env_suffix: dev\n  route53: false\n  network: none\n"
    )
    result = invoke("new", "y", "-a", "r.yml", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: regions: only us-east-1 given; a DR stack needs at least two regions "
        "(primary first) (from answers file 'r.yml', key answers.regions)\n"
        "drgen: error: no terminal to ask for: ci (--ci), alarm_email (--alarm-email EMAIL or "
        "none), drgen_source (--drgen-source); pass them as flags or in --answers-file "
        "(--defaults has no default for alarm_email)\n"
    )


@pytest.fixture
def project(invoke, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    assert (
        invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify").exit_code == 0
    )
    project = tmp_path / "demo"
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated by drgen")
    return project


@pytest.mark.integration
@pytest.mark.parametrize(
    "value", ["us-east-1,eu-west-1", "US-EAST-1, eu-west-1", "[us-east-1, eu-west-1]"]
)
def test_update_set_regions_takes_the_same_syntax(invoke, project: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke("update", str(project), "--set", f"regions={value}", "--no-verify")
    assert result.exit_code == 0, result.output
    assert recorded(project)["regions"] == ["us-east-1", "eu-west-1"]


@pytest.mark.integration
def test_update_set_names_itself_in_its_refusals(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree(project)
    result = invoke("update", str(project), "--set", "regions=us-east-1,mars-1", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == f"drgen: error: {MARS} (from --set regions)\n"
    assert tree(project) == before


@pytest.mark.integration
def test_output_dir_creates_missing_parents(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "-o", "a/b/c", "--defaults", "--alarm-email", "none", "--no-verify"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a/b/c/Pulumi.yaml").is_file()
    assert recorded(tmp_path / "a/b/c")["project_name"] == "demo"
    assert sorted(p.name for p in (tmp_path / "a/b").iterdir()) == ["c"], "no staging left"


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_leaves_no_parent_behind(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    (tmp_path / "keep").mkdir()

    def broken(*args: object, **kwargs: object) -> None:
        assert (tmp_path / "keep/a/b").is_dir(), "the parents exist while rendering"
        raise failure

    monkeypatch.setattr("copier.run_copy", broken)
    result = invoke(
        "new", "demo", "-o", "keep/a/b/c", "--defaults", "--alarm-email", "none", "--no-verify"
    )
    if isinstance(failure, KeyboardInterrupt):
        assert result.exit_code == EXIT_INTERRUPTED
        assert result.stderr == "drgen: error: interrupted; nothing was left half-written\n"
    else:
        assert result.exit_code == EXIT_USAGE
        target = str(tmp_path / "keep/a/b/c")
        assert (
            result.stderr == f"drgen: error: could not write the project to {target!r}: disk full\n"
        )
    assert [p.name for p in tmp_path.rglob("*")] == ["keep"]


def test_a_parent_that_cannot_be_made_leaves_the_ones_made_before(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == "b":
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)
    result = invoke(
        "new", "demo", "-o", "a/b/c", "--defaults", "--alarm-email", "none", "--no-verify"
    )
    assert result.exit_code == EXIT_USAGE
    target, blocked = str(tmp_path / "a/b/c"), str(tmp_path / "a/b")
    assert result.stderr == (
        f"drgen: error: could not write the project to {target!r}: [Errno 13] Permission "
        f"denied: {blocked!r}\n"
    )
    assert list(tmp_path.iterdir()) == [], "a/ was made and removed again"


def test_errors_show_the_target_path_not_the_staging_one(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(answers: object, staging: Path) -> None:
        assert staging.parent.name.startswith(".demo.drgen-")
        raise PermissionError(13, "Permission denied", str(staging / "infra" / "compute.py"))

    monkeypatch.setattr("drgen.project.render.render_to", refused)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    target = tmp_path / "demo"
    assert result.stderr == (
        f"drgen: error: could not write the project to {str(target)!r}: [Errno 13] Permission "
        f"denied: {str(target / 'infra' / 'compute.py')!r}\n"
    )
    assert tree(tmp_path) == {}


def test_an_error_about_a_file_elsewhere_names_that_file_as_it_is(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path.parent / "site-packages" / "drgen" / "templates" / "copier.yml"

    def refused(answers: object, staging: Path) -> None:  # the installed template unreadable
        raise PermissionError(13, "Permission denied", str(elsewhere))

    monkeypatch.setattr("drgen.project.render.render_to", refused)
    (tmp_path / "work").mkdir()
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "-o", "work/demo"
    )
    assert result.stderr == (
        f"drgen: error: could not write the project to {str(tmp_path / 'work/demo')!r}: "
        f"[Errno 13] Permission denied: {str(elsewhere)!r}\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.integration
def test_errors_show_a_file_not_its_temporary_twin(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo").mkdir()

    def refused(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device", source, None, destination)

    monkeypatch.setattr("drgen.project.transaction.os.replace", refused)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    target = tmp_path / "demo"
    first = target / ".gitattributes"  # the transaction writes in path order
    assert result.stderr == (
        f"drgen: error: could not write the project to {str(target)!r}: [Errno 28] No space "
        f"left on device: {str(first)!r} -> {str(first)!r}\n"
    )
    assert tree(tmp_path) == {}


@pytest.mark.integration
def test_pretend_lists_the_files_and_answers_and_writes_nothing(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--pretend", "-o", "a/b/demo"
    )
    assert result.exit_code == 0, result.output
    assert tree(tmp_path) == {} and list(tmp_path.iterdir()) == [], "not even a directory"
    lines = result.stdout.splitlines()
    assert lines[:10] == [
        f"Would create demo in {tmp_path / 'a/b/demo'} with these answers:",
        "  project_name: demo",
        "  regions: us-east-1, us-west-2",
        "  env_suffix: dev",
        "  route53: false",
        "  network: none",
        "  ci: github",
        "  alarm_email: none",
        "  drgen_source: pypi",
        "Files:",
    ]
    listed = [line.split() for line in lines[10:-1]]
    # the oracle: what a real run writes
    assert (
        invoke(
            "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify", "-o", "real"
        ).exit_code
        == 0
    )
    assert listed == [["create", path] for path in sorted(tree(tmp_path / "real"))]
    assert lines[-1] == f"{len(listed)} files would be written; nothing was written (--pretend)"


@pytest.mark.integration
def test_pretend_marks_what_force_overwrites_and_keeps(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo/infra").mkdir(parents=True)
    (tmp_path / "demo/infra/extensions.py").write_bytes(b"# mine\n")
    (tmp_path / "demo/README.md").write_bytes(b"old\n")
    (tmp_path / "demo/notes.txt").write_bytes(b"mine\n")
    before = tree(tmp_path)
    result = invoke(
        "new", "demo", "--defaults", "--alarm-email", "none", "--pretend", "--force", "--json"
    )
    assert result.exit_code == 0, result.output
    assert tree(tmp_path) == before
    doc = json.loads(result.stdout)
    assert doc["pretend"] is True and doc["project"] == str(tmp_path / "demo")
    assert doc["answers"]["regions"] == ["us-east-1", "us-west-2"]
    actions = {f["path"]: f["action"] for f in doc["files"]}
    assert actions["infra/extensions.py"] == "keep"
    assert actions["README.md"] == "overwrite"
    assert "notes.txt" not in actions
    assert {a for p, a in actions.items() if p not in ("infra/extensions.py", "README.md")} == {
        "create"
    }
    assert result.stderr.splitlines()[-1] == (
        f"{len(actions) - 1} files would be written; nothing was written (--pretend)"
    )
    # the oracle: a real --force run changes exactly the files marked create or overwrite
    assert (
        invoke(
            "new", "demo", "--defaults", "--alarm-email", "none", "--force", "--no-verify"
        ).exit_code
        == 0
    )
    after = tree(tmp_path / "demo")
    assert after["infra/extensions.py"] == b"# mine\n" and after["notes.txt"] == b"mine\n"
    assert sorted(after) == sorted([*actions, "notes.txt"])


@pytest.mark.integration
def test_pretend_refuses_what_a_real_run_refuses(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo/notes.txt").write_bytes(b"mine\n")
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none", "--pretend")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith(f"drgen: error: target {str(tmp_path / 'demo')!r} exists")
    (tmp_path / "x").mkdir()
    (tmp_path / "x/README.md").mkdir()
    result = invoke("new", "x", "--defaults", "--alarm-email", "none", "--pretend", "--force")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: cannot write 'README.md': 'README.md' is a directory where the template "
        "puts a file; move it away and run again\n"
    )


@pytest.mark.integration
def test_an_update_that_cannot_write_names_the_file_not_its_temporary_twin(  # type: ignore[no-untyped-def]
    invoke, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(project)
    replaced: list[str] = []

    def refused(source: str, destination: str) -> None:
        replaced.append(str(destination))
        raise OSError(28, "No space left on device", source)

    monkeypatch.setattr("drgen.project.transaction.os.replace", refused)
    result = invoke("update", str(project), "--set", "env_suffix=qa", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"drgen: error: could not write {replaced[0]!r}: No space left on device; every file "
        "was put back as it was\n"
    )
    assert tree(project) == before
