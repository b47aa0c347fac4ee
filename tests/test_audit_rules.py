"""Each rule against its own tiny program: broken on the marked line, kept by the fix."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drgen.audit import RULES, AuditResult, audit_many
from drgen.audit.project import load_program
from drgen.audit.rules import RULES_BY_ID

FIXTURES = Path(__file__).parent / "fixtures" / "audit"
PROGRAMS = sorted(p.stem for p in (FIXTURES / "rules").glob("r*_*.py"))
VARIANTS = sorted(p.stem for p in (FIXTURES / "variants").glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(R\d+)")
#: `# expect: R2 warning x2`: rule, severity (default: the rule's), count (default 1).
EXPECT_FULL = re.compile(r"#\s*expect:\s*(R\d+)(?:\s+(error|warning|note))?(?:\s+x(\d+))?")


def expected(name: str) -> list[tuple[str, str, int]]:
    """(rule, file, line) of every `# expect: RNN` marker in a fixture."""
    lines = (FIXTURES / "rules" / f"{name}.py").read_text().splitlines()
    return [
        (match.group(1), "__main__.py", number)
        for number, text in enumerate(lines, 1)
        if (match := EXPECT.search(text))
    ]


def make_project(root: Path, name: str, kind: str = "rules") -> Path:
    project = root / kind / name
    shutil.copytree(FIXTURES / "skeleton", project)
    source = FIXTURES / kind / f"{name}.py"
    if "(no-tests" in source.read_text():
        shutil.rmtree(project / "tests")
    shutil.copy(source, project / "__main__.py")
    stack = source.with_suffix(".stack.yaml")
    if stack.exists():
        shutil.copy(stack, project / "Pulumi.dev.yaml")
    return project


def expected_variant(name: str) -> list[tuple[str, str, str, int]]:
    """(rule, severity, file, line), repeated by count, from the program and its stack file."""
    source = FIXTURES / "variants" / f"{name}.py"
    found = []
    for path, file in (
        (source, "__main__.py"),
        (source.with_suffix(".stack.yaml"), "Pulumi.dev.yaml"),
    ):
        if not path.exists():
            continue
        for number, text in enumerate(path.read_text().splitlines(), 1):
            if match := EXPECT_FULL.search(text):
                rule = match.group(1)
                severity = match.group(2) or RULES_BY_ID[rule].severity
                found += [(rule, severity, file, number)] * int(match.group(3) or 1)
    return sorted(found)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult]:
    """Every fixture audited in one child process (pulumi imports once)."""
    root = tmp_path_factory.mktemp("audit")
    names = PROGRAMS + [f"variants/{name}" for name in VARIANTS]
    programs = [load_program(make_project(root, name)) for name in PROGRAMS] + [
        load_program(make_project(root, name, "variants")) for name in VARIANTS
    ]
    results = audit_many(programs)
    failed = {
        n: str(r) for n, r in zip(names, results, strict=True) if not isinstance(r, AuditResult)
    }
    assert not failed, failed
    return dict(zip(names, results, strict=True))  # type: ignore[arg-type]


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


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_is_flagged_exactly_as_marked(audited: dict[str, AuditResult], name: str) -> None:
    """Further branches of the rules: each finding with its severity, place and count."""
    found = sorted(
        (f.rule, f.severity, f.file, f.line) for f in audited[f"variants/{name}"].findings
    )
    assert found == expected_variant(name), [
        f"{f.rule} {f.file}:{f.line} {f.message}" for f in audited[f"variants/{name}"].findings
    ]


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of each row of the markdown table that starts with this header line."""
    lines = text.splitlines()
    start = lines.index(header) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_docs_rule_tables_match_the_rules_metadata() -> None:
    """docs/audit.md gives every rule its severity, fix, scope, blind spots and source."""
    text = (Path(__file__).parents[1] / "docs" / "audit.md").read_text()
    assert table_rows(text, "| id | severity | what it catches | what to change |") == [
        [r.id, r.severity, r.title, r.fix] for r in RULES
    ]
    assert table_rows(text, "| id | what it reads (scope) | known blind spots | source |") == [
        [r.id, r.scope, r.blind_spots, f"<{r.url}>"] for r in RULES
    ]


def test_every_rule_cites_its_source() -> None:
    for rule in RULES:
        assert rule.url.startswith(("https://docs.aws.amazon.com/", "https://www.pulumi.com/")), (
            rule.id
        )
        assert rule.scope and rule.blind_spots, rule.id


@pytest.mark.slow
def test_the_labelled_corpus_is_audited_exactly_as_labelled() -> None:
    """tools/audit_precision.py stays runnable, and a rule change that adds a false alarm or
    loses a planted pitfall on the corpus shows here (docs/audit.md records the numbers)."""
    tool = Path(__file__).parents[1] / "tools" / "audit_precision.py"
    done = subprocess.run(
        [sys.executable, str(tool)], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("total: 39 TP, 0 FP, 0 FN"), done.stdout
