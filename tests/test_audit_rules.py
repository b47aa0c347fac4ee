"""Each rule against its own tiny program: broken on the marked line, kept by the fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from drgen.audit import RULES, AuditResult, audit_many
from drgen.audit.project import load_program

FIXTURES = Path(__file__).parent / "fixtures" / "audit"
PROGRAMS = sorted(p.stem for p in (FIXTURES / "rules").glob("r*_*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(R\d+)")


def expected(name: str) -> list[tuple[str, str, int]]:
    """(rule, file, line) of every `# expect: RNN` marker in a fixture."""
    lines = (FIXTURES / "rules" / f"{name}.py").read_text().splitlines()
    return [
        (match.group(1), "__main__.py", number)
        for number, text in enumerate(lines, 1)
        if (match := EXPECT.search(text))
    ]


def make_project(root: Path, name: str) -> Path:
    project = root / name
    shutil.copytree(FIXTURES / "skeleton", project)
    if "(no-tests" in (FIXTURES / "rules" / f"{name}.py").read_text():
        shutil.rmtree(project / "tests")
    shutil.copy(FIXTURES / "rules" / f"{name}.py", project / "__main__.py")
    return project


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult]:
    """Every fixture audited in one child process (pulumi imports once)."""
    root = tmp_path_factory.mktemp("rules")
    programs = [load_program(make_project(root, name)) for name in PROGRAMS]
    results = audit_many(programs)
    failed = {
        n: str(r) for n, r in zip(PROGRAMS, results, strict=True) if not isinstance(r, AuditResult)
    }
    assert not failed, failed
    return dict(zip(PROGRAMS, results, strict=True))  # type: ignore[arg-type]


def test_every_rule_has_a_broken_and_a_kept_fixture() -> None:
    numbers = {f"r{int(rule.id[1:]):02d}" for rule in RULES}
    assert sorted(PROGRAMS) == sorted(
        [f"{n}_bad" for n in numbers] + [f"{n}_good" for n in numbers]
    )
    for name in PROGRAMS:
        marks = expected(name)
        if name.endswith("_bad"):
            assert {m[0] for m in marks} == {f"R{int(name[1:3])}"}, name
        else:
            assert marks == [], name


@pytest.mark.parametrize("name", [p for p in PROGRAMS if p.endswith("_bad")])
def test_broken_fixture_is_flagged_by_exactly_its_rule_on_the_marked_line(
    audited: dict[str, AuditResult], name: str
) -> None:
    found = sorted({(f.rule, f.file, f.line) for f in audited[name].findings})
    assert found == expected(name), [
        f"{f.rule} {f.file}:{f.line} {f.message}" for f in audited[name].findings
    ]


@pytest.mark.parametrize("name", [p for p in PROGRAMS if p.endswith("_good")])
def test_fixed_fixture_is_clean(audited: dict[str, AuditResult], name: str) -> None:
    assert [f"{f.rule} {f.file}:{f.line} {f.message}" for f in audited[name].findings] == []
