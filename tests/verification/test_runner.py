"""The verifying child: started ahead with its imports, or fresh; never left behind."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drgen.verification import runner
from drgen.verification.run import verify_project

PRELOADED = (
    "import sys\n\n\ndef test_calc_runs_in_a_child_that_preloaded_marker():\n"
    "    assert 'marker' in sys.modules\n"
)


def project(root: Path, filterwarnings: str = "") -> Path:
    """A project at full coverage whose one test passes only in a child that preloaded marker."""
    path = root / "project"
    (path / "tests").mkdir(parents=True)
    (path / "Pulumi.yaml").write_text("name: project\n")
    (path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = ["--cov", "--cov-branch"]\n'
        f"filterwarnings = [{filterwarnings}]\n"
        '[tool.coverage.run]\nsource = ["."]\nomit = ["tests/*"]\n'
    )
    (path / "calc.py").write_text("def one():\n    return 1\n")
    (path / "tests" / "test_calc.py").write_text(
        "from calc import one\n\n\ndef test_one():\n    assert one() == 1\n\n\n" + PRELOADED
    )
    return path


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Importable modules for the child to preload: marker (quiet) and loud (warns)."""
    path = tmp_path / "modules"
    path.mkdir()
    (path / "marker.py").write_text("")
    (path / "loud.py").write_text("import warnings\n\nwarnings.warn('loud was imported')\n")
    monkeypatch.setenv("PYTHONPATH", str(path))
    yield path
    runner.discard()


@pytest.mark.integration
@pytest.mark.usefixtures("modules")
def test_the_prestarted_child_runs_the_next_verification_then_a_fresh_one_does(
    tmp_path: Path,
) -> None:
    target = project(tmp_path)
    runner.prestart(("marker",))
    first = verify_project(target)
    assert first.ok, first.output
    assert (first.passed, first.failed) == (2, 0)
    assert runner._warm is None, "the prestarted child serves one run"
    second = verify_project(target)  # a child started now: plain, as the project has no .drgen
    assert (second.passed, second.failing_tests) == (
        1,
        ["tests.test_calc::test_calc_runs_in_a_child_that_preloaded_marker"],
    )


@pytest.mark.integration
@pytest.mark.parametrize("generated", [True, False])
def test_a_child_started_to_verify_a_generated_project_imports_its_suites_modules_first(
    tmp_path: Path, generated: bool
) -> None:
    """`drgen verify` and `update` get a warmed child too: imports untraced, heap frozen. A
    project drgen did not generate gets a plain one: it may import none of those modules."""
    target = project(tmp_path)
    if generated:
        (target / ".drgen").mkdir()
    (target / "tests" / "test_calc.py").write_text(
        "import gc\nimport sys\n\nfrom calc import one\n\n\ndef test_one():\n"
        "    assert one() == 1\n\n\n"
        "def test_what_was_imported_and_frozen_before_it():\n"
        "    preloaded = {'pulumi_aws.s3', 'moto', 'boto3'} <= set(sys.modules)\n"
        f"    assert preloaded is {generated}\n"
        f"    assert (gc.get_freeze_count() > 100_000) is {generated}\n"
    )
    result = verify_project(target)
    assert result.ok, result.output
    assert (result.passed, result.failed) == (2, 0)


@pytest.mark.integration
@pytest.mark.usefixtures("modules")
@pytest.mark.parametrize(
    ("filterwarnings", "ok"),
    [('"error"', False), ('"error", "ignore::UserWarning:loud"', True)],
    ids=["error", "ignored-for-that-module"],
)
def test_a_preloaded_import_warns_under_the_projects_filters(
    tmp_path: Path, filterwarnings: str, ok: bool
) -> None:
    """The import a user's run makes under pytest's filters, made earlier, must still meet them."""
    runner.prestart(("marker", "loud"))
    result = verify_project(project(tmp_path, filterwarnings))
    assert result.ok is ok, result.output
    assert ("UserWarning: loud was imported" in result.output) is not ok


@pytest.mark.usefixtures("modules")
def test_an_unused_prestarted_child_is_ended() -> None:
    runner.prestart(("marker",))
    child = runner._warm
    assert child is not None
    runner.discard()
    assert runner._warm is None
    assert child.process.returncode is not None


@pytest.mark.integration
def test_new_leaves_no_child_behind_when_it_does_not_verify(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    started: list[runner.Child] = []
    real = runner.Child

    def spy(modules: tuple[str, ...] = ()) -> runner.Child:
        started.append(real(modules))
        return started[-1]

    monkeypatch.setattr("drgen.verification.runner.Child", spy)
    monkeypatch.setattr("drgen.commands.verify.verify_project", lambda project, **options: 1 / 0)
    result = invoke("new", "demo", "--defaults", "--alarm-email", "none")
    assert isinstance(result.exception, ZeroDivisionError), result.output
    assert [child.process.returncode is not None for child in started] == [True]
    assert runner._warm is None
    result = invoke("new", "other", "--defaults", "--alarm-email", "none", "--no-verify")
    assert result.exit_code == 0, result.output
    result = invoke("new", "third", "--defaults", "--alarm-email", "none", "--pretend")
    assert result.exit_code == 0, result.output
    assert len(started) == 1, "--no-verify and --pretend start no child"
    # the child starts before the answers are checked: a refused answer ends it
    result = invoke("new", "fourth", "--defaults", "--alarm-email", "none", "--env-suffix", "Bad!")
    assert result.exit_code == 2, result.output
    assert len(started) == 2
    assert started[1].process.returncode is not None
    assert runner._warm is None


@pytest.mark.integration
@pytest.mark.parametrize("broken", ["import no_such_module_of_drgen\n", "raise OSError(1)\n"])
def test_a_preload_module_that_fails_to_import_is_left_to_the_suite(
    modules: Path, tmp_path: Path, broken: str
) -> None:
    (modules / "broken.py").write_text(broken)
    runner.prestart(("broken", "marker"))
    result = verify_project(project(tmp_path))
    assert result.ok, result.output
    assert (result.passed, result.failed) == (2, 0)


def test_the_pulumi_aws_modules_a_program_names_are_found_in_infra(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "network.py").write_text(
        "import pulumi_aws as aws\n\nEC2 = aws.ec2\nvpc = aws.ec2.Vpc('v')\n"
        "who = aws.get_caller_identity_output()\nprovider = aws.Provider('p')\n"
    )
    (tmp_path / "infra" / "dns.py").write_text("zone = aws.route53.get_zone_output()\n")
    (tmp_path / "infra" / "notes.txt").write_text("aws.sns.Topic\n")
    (tmp_path / "app.py").write_text("aws.sqs.Queue\n")
    assert runner.project_modules(tmp_path) == ["pulumi_aws.ec2", "pulumi_aws.route53"]


@pytest.mark.integration
@pytest.mark.usefixtures("modules")
def test_a_warmed_child_also_loads_what_the_projects_program_names(tmp_path: Path) -> None:
    target = project(tmp_path)
    (target / "infra").mkdir()
    (target / "infra" / "topics.py").write_text("import pulumi_aws as aws\n\naws.sns.Topic\n")
    (target / "pyproject.toml").write_text(
        (target / "pyproject.toml").read_text().replace('"tests/*"', '"tests/*", "infra/*"')
    )
    (target / "tests" / "test_loaded.py").write_text(
        "import sys\nimport types\n\n\ndef test_sns_was_loaded_not_only_found():\n"
        "    assert type(sys.modules['pulumi_aws.sns']) is types.ModuleType\n"
    )
    runner.prestart(("marker",))
    result = verify_project(target)
    assert result.ok, result.output
    assert (result.passed, result.failed) == (3, 0)


def test_drgen_holds_no_test_or_render_library_until_it_needs_one() -> None:
    """While `drgen new` waits for the verification, its memory adds to the child's: the
    libraries only the child (pytest), the render (copier) or a prompt (questionary) need
    must not be imported by drgen's command line itself."""
    code = (
        "import sys, drgen.cli.app, drgen.verification.run, drgen.update.plan, drgen.posture, "
        "drgen.audit; "
        "print(sorted({'pytest', 'copier', 'questionary', 'prompt_toolkit', 'jinja2'} "
        "& set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
