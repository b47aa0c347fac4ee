"""What `drgen update` says: each outcome's exact lines, `--check`, `--json`, and the refused
`--set`s.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drgen import __version__ as CURRENT
from drgen.errors import EXIT_CONFLICT, EXIT_USAGE
from tests.update.files import edit, snapshot
from tests.update.repository import commit, outside_git
from tests.update.template_versions import NEXT, RETENTION_V1, derive_template, install_version

pytestmark = pytest.mark.integration


def test_an_update_outside_git_warns_that_it_cannot_be_undone(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("update", str(project), "--set", "network=vpc", "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stderr == outside_git(project)
    pretend = invoke("update", str(project), "--set", "network=none", "--pretend")
    assert pretend.exit_code == 0 and pretend.stderr == "", pretend.output


def test_already_up_to_date_says_so_and_writes_nothing(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(project)
    result = invoke("update", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{project} is already up to date with drgen {CURRENT}\n"
    assert snapshot(project) == before


def test_an_answers_only_change_says_what_happened(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("update", str(project), "--set", "network=vpc", "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"Updated {project}: answers changed (base_cidr, network), same template (drgen {CURRENT})"
    )


def test_a_version_bump_alone_updates_the_record(
    invoke, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    install_version(monkeypatch, NEXT)
    check = invoke("update", str(project), "--check")  # a new pin is not a template change
    assert check.exit_code == 0, check.output
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "  update           requirements-dev.txt: updated from the template\n"
        f"Recorded drgen {NEXT} in {project} (was {CURRENT}): the template renders the same "
        f"files; requirements-dev.txt now pins drgen {NEXT}\n"
    )
    assert f"\ndrgen=={NEXT}\n" in (project / "requirements-dev.txt").read_text()
    assert f"drgen_version: {NEXT}\n" in (project / ".drgen" / "answers.yml").read_text()
    assert json.loads((project / ".drgen" / "base.json").read_text())["drgen_version"] == NEXT
    commit(project)
    result = invoke("update", str(project), "--no-verify")
    assert result.stdout == f"{project} is already up to date with drgen {NEXT}\n"


def test_a_pin_dependabot_bumped_is_recorded_and_nothing_else_changes(
    invoke, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    pins = project / "requirements-dev.txt"
    edit(pins, f"\ndrgen=={CURRENT}\n", f"\ndrgen=={NEXT}\n")  # Dependabot's pull request
    commit(project)
    install_version(monkeypatch, NEXT)  # CI installs what the pin says
    assert invoke("update", str(project), "--check").exit_code == 0
    before = pins.read_bytes()
    result = invoke("update", str(project), "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Recorded drgen {NEXT} in {project} (was {CURRENT}): the template renders the same files\n"
    )
    assert pins.read_bytes() == before


def test_check_reports_conflict_markers_left_by_an_earlier_update(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    edit(project / "infra" / "compute.py", RETENTION_V1, "LOG_RETENTION_DAYS = 14")
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    assert invoke("update", str(project), "--no-verify").exit_code == EXIT_CONFLICT
    commit(project)  # committed without resolving
    result = invoke("update", str(project), "--check")
    assert result.exit_code == EXIT_CONFLICT
    assert result.stderr == (
        f"drgen: error: {project} holds unresolved conflict markers from an earlier update in "
        "infra/compute.py; resolve it, then commit\n"
    )
    compute = project / "infra" / "compute.py"
    compute.write_bytes(compute.read_bytes().replace(b"\n", b"\r\n"))  # a CRLF checkout
    result = invoke("update", str(project), "--check")
    assert result.exit_code == EXIT_CONFLICT, result.output


def test_set_of_an_answer_that_does_not_apply_is_refused(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(project)
    result = invoke("update", str(project), "--set", "hosted_zone_id=Z0123ABC", "--no-verify")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "drgen: error: hosted_zone_id 'Z0123ABC' is only used when route53 is on "
        "(--set route53=true); remove it or turn that on (from --set hosted_zone_id)\n"
    )
    assert snapshot(project) == before


def test_a_set_value_as_aws_prints_it_is_taken_with_a_note(invoke, project: Path) -> None:  # type: ignore[no-untyped-def]
    sets = ["route53=true", "hosted_zone_id=/hostedzone/Z0123ABC", "domain=Example.com."]
    args = [item for s in sets for item in ("--set", s)]
    result = invoke("update", str(project), *args, "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "note: hosted_zone_id '/hostedzone/Z0123ABC' taken as 'Z0123ABC'",
        "note: domain 'Example.com.' taken as 'example.com'",
    ]
    recorded = (project / ".drgen" / "answers.yml").read_text()
    assert "hosted_zone_id: Z0123ABC\n" in recorded and "domain: example.com\n" in recorded


@pytest.mark.parametrize("item", ["=true", " =true", "route53"])
def test_a_set_without_a_key_is_refused_with_its_line(invoke, project: Path, item: str) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(project)
    result = invoke("update", str(project), "--set", item, "--no-verify")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == (
        f"drgen: error: --set {item!r} is not KEY=VALUE (e.g. --set route53=true)\n"
    )
    assert snapshot(project) == before


def test_update_json_documents_changes_and_conflicts(
    invoke, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    edit(project / "infra" / "compute.py", RETENTION_V1, "LOG_RETENTION_DAYS = 14")
    commit(project)
    derive_template(tmp_path, NEXT, monkeypatch)
    result = invoke("update", str(project), "--no-verify", "--json")
    assert result.exit_code == EXIT_CONFLICT
    assert json.loads(result.stdout) == {
        "command": "update",
        "result": "conflict",
        "exit_code": EXIT_CONFLICT,
        "drgen_version": NEXT,
        "project": str(project),
        "generated_by": CURRENT,
        "changes": [
            {"path": "README.md", "action": "update"},
            {"path": "infra/compute.py", "action": "conflict"},
            {"path": "requirements-dev.txt", "action": "update"},
        ],
        "conflicts": ["infra/compute.py"],
        "pretend": False,
        "errors": [
            "1 conflict to resolve: infra/compute.py; edit it, then commit "
            "(the project's tests were not run)"
        ],
    }
