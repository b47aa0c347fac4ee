"""Small real projects for the verification tests: calc.py, one test module, a pytest config.

The child pytest, its JUnit and coverage reports are the real ones; only the project is small.
"""

from __future__ import annotations

import re
from pathlib import Path

FULL_GATE = '["--cov", "--cov-branch"]'
CALC = (
    "def add(a, b):\n    return a + b\n\n\n"
    "def sign(x):\n    if x < 0:\n        return -1\n    return 1\n"
)
TEST_ALL = (
    "from calc import add, sign\n\n\ndef test_add():\n    assert add(1, 1) == 2\n\n\n"
    "def test_sign():\n    assert sign(-5) == -1 and sign(5) == 1\n"
)
BROKEN_FIXTURE = (
    "import pytest\nfrom calc import add, sign\n\n\n@pytest.fixture\ndef broken():\n"
    "    raise RuntimeError('boom')\n\n\ndef test_add(broken):\n    assert add(1, 1) == 2\n\n\n"
    "def test_sign():\n    assert sign(-5) == -1 and sign(5) == 1\n"
)


def mini(
    root: Path,
    *,
    addopts: str = FULL_GATE,
    tests: str = TEST_ALL,
    omit: str = '"tests/*"',
    extra: dict[str, str] | None = None,
) -> Path:
    """A project with calc.py and one test module, under `root/mini`."""
    project = root / "mini"
    (project / "tests").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: mini\n")
    (project / "pyproject.toml").write_text(
        f"[tool.pytest.ini_options]\naddopts = {addopts}\n"
        f'[tool.coverage.run]\nsource = ["."]\nomit = [{omit}]\n'
    )
    (project / "calc.py").write_text(CALC)
    (project / "tests" / "test_calc.py").write_text(tests)
    for name, text in (extra or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    return project


def summary(line: str) -> str:
    """The summary line with its duration blanked (the only value that varies)."""
    return re.sub(r" in \d+\.\ds$", " in Ns", line)
