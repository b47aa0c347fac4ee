"""Shared helpers: a CLI runner and a snapshot of a directory tree."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from typer.testing import CliRunner

from drgen.cli.app import app

#: Programs the audit tests run (tests/fixtures/audit), not tests of drgen.
collect_ignore = ["fixtures"]

#: What `drgen new demo` prints after the project, for the default answers (exact lines).
DEMO_NEXT_STEPS = [
    "Next steps:",
    "  cd demo",
    "  # pulumi needs the Pulumi CLI (pulumi version prints its version)",
    "  # pulumi needs a backend for the stack's state, logged in: pulumi login (Pulumi Cloud) or "
    "pulumi login s3://BUCKET",
    "  # pulumi needs AWS credentials for the account (aws sts get-caller-identity names it)",
    "  python -m venv venv && venv/bin/pip install -r requirements.txt",
    "  pulumi stack init dev",
    "  pulumi config set --secret appSecret   # optional: otherwise a random secret is made",
    "  pulumi up",
    "  pulumi stack output urls   # each region's Function URL",
]


# Nothing in the working directory: no example database, caches under the system temp dir.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "drgen-hypothesis")
settings.register_profile("drgen", database=None)
settings.load_profile("drgen")


#: pytest plugins of drgen's test tools (not a generated project's): without them each child
#: pytest a test starts does not import them, and with PYTHONDONTWRITEBYTECODE does not
#: assertion-rewrite hypothesis's ~70 modules again (about 0.8 s of CPU per child).
DEV_ONLY_PLUGINS = "-p no:hypothesispytest -p no:xdist -p no:xdist.looponfail"


@pytest.fixture(scope="session", autouse=True)
def _children_skip_dev_only_plugins() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        addopts = os.environ.get("PYTEST_ADDOPTS", "")
        patch.setenv("PYTEST_ADDOPTS", f"{addopts} {DEV_ONLY_PLUGINS}".strip())
        yield


def tree(path: Path) -> dict[str, bytes]:
    """Every file below `path`, by relative path, with its content."""
    if not path.exists():
        return {}
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run drgen in `tmp_path`, as a pipeline would (no terminal) unless `tty=True`."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, tty: bool = False, input: str | None = None):  # type: ignore[no-untyped-def]
        monkeypatch.setattr("drgen.cli.terminal.stdin_is_terminal", lambda: tty)
        return CliRunner().invoke(app, list(args), input=input, prog_name="drgen")

    return run
