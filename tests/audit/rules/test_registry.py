"""The rules as the registry finds them: one per file, each with its fixtures, docs and source."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from drgen.audit import RULES
from drgen.audit.rules import registry
from drgen.audit.rules.base import Rule
from tests.audit.rules.programs import PROGRAMS, expected, rule_of

ROOT = Path(__file__).parents[3]
PACKAGE = ROOT / "drgen" / "audit" / "rules"


def test_every_rule_has_a_broken_and_a_kept_fixture() -> None:
    numbers = {f"r{int(rule.id[1:]):02d}" for rule in RULES}
    assert sorted(PROGRAMS) == sorted(
        [f"{n}_bad" for n in numbers] + [f"{n}_good" for n in numbers]
    )
    for name in PROGRAMS:
        marks = expected(name)
        if name.endswith("_bad"):
            assert {m[0] for m in marks} == {rule_of(name)}, name
        else:
            assert marks == [], name


def test_the_rules_are_every_file_of_every_area_in_the_order_of_their_ids() -> None:
    """A file per rule, a folder per area: what is on disk is what runs, R1 first."""
    files = sorted(p for p in PACKAGE.glob("*/*.py") if p.name != "__init__.py")
    modules = sorted(rule.check.__module__ for rule in RULES)
    assert modules == sorted(
        "drgen.audit.rules." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in files
    )
    assert [rule.id for rule in RULES] == [f"R{n}" for n in range(1, len(RULES) + 1)]
    assert {rule.area for rule in RULES} == {p.parent.name for p in files}


def test_each_area_has_its_test_module_naming_its_rules() -> None:
    """tests/audit/rules/test_<area>.py runs the area's fixtures, its docstring lists its ids."""
    for area in sorted({rule.area for rule in RULES}):
        module = Path(__file__).parent / f"test_{area}.py"
        assert module.is_file(), f"no test module for the rules of {area}"
        ids = ", ".join(rule.id for rule in RULES if rule.area == area)
        docstring = ast.get_docstring(ast.parse(module.read_text())) or ""
        assert f"({ids})" in docstring.splitlines()[0], (area, docstring)


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    """A package of rule areas under `root`, each file's text given by its path."""
    for path, text in {"__init__.py": "", **files}.items():
        target = root / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


RULE = """
from drgen.audit.rules.base import rule


@rule("{id}", "error", "t", fix="f", scope="s", blind_spots="b", url="u")
def {name}(ctx):
    return []
"""


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            {"alpha/__init__.py": "", "alpha/none.py": "X = 1\n"},
            "{pkg}.alpha.none: expected one audit rule, found 0",
        ),
        (
            {
                "alpha/__init__.py": "",
                "alpha/two.py": RULE.format(id="R1", name="one") + RULE.format(id="R2", name="two"),
            },
            "{pkg}.alpha.two: expected one audit rule, found 2",
        ),
        (
            {
                "alpha/__init__.py": "",
                "alpha/one.py": RULE.format(id="R1", name="one"),
                "beta/__init__.py": "",
                "beta/again.py": RULE.format(id="R1", name="again"),
            },
            "{pkg}: rule ids used twice: R1",
        ),
    ],
    ids=["no-rule", "two-rules", "same-id"],
)
def test_the_registry_refuses_a_module_without_exactly_one_rule_and_a_reused_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], error: str
) -> None:
    name = f"rules_{tmp_path.name.replace('-', '_')}"
    write_package(tmp_path, name, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ImportError) as raised:
            registry.discover(importlib.import_module(name))
        assert str(raised.value) == error.format(pkg=name)
    finally:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_the_registry_orders_rules_by_number_and_skips_modules_beside_the_areas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"rules_{tmp_path.name.replace('-', '_')}"
    write_package(
        tmp_path,
        name,
        {
            "helpers.py": "X = 1\n",
            "zeta/__init__.py": "",
            "zeta/first.py": RULE.format(id="R2", name="first"),
            "alpha/__init__.py": "",
            "alpha/later.py": RULE.format(id="R10", name="later"),
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = registry.discover(importlib.import_module(name))
        assert [(r.id, r.area) for r in found] == [("R2", "zeta"), ("R10", "alpha")]
    finally:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


#: docs/audit.md's two rule tables: each header line, and a rule's cells in that table.
TABLES: dict[str, Callable[[Rule], list[str]]] = {
    "| id | severity | what it catches | what to change |": lambda r: [
        r.id,
        r.severity,
        r.title,
        r.fix,
    ],
    "| id | what it reads (scope) | known blind spots | source |": lambda r: [
        r.id,
        r.scope,
        r.blind_spots,
        f"<{r.url}>",
    ],
}


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
    text = (ROOT / "docs" / "audit.md").read_text()
    for header, cells in TABLES.items():
        assert table_rows(text, header) == [cells(r) for r in RULES], (
            "docs/audit.md's rule tables are out of date "
            "(refresh: python -m tests.audit.rules.test_registry)"
        )


def refresh_rule_tables() -> None:
    """Rewrite docs/audit.md's rule tables from the rules' metadata."""
    path = ROOT / "docs" / "audit.md"
    lines = path.read_text().splitlines()
    for header, cells in TABLES.items():
        start = lines.index(header) + 2
        end = start
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        lines[start:end] = [f"| {' | '.join(cells(r))} |" for r in RULES]
    path.write_text("\n".join(lines) + "\n")


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
    tool = ROOT / "tools" / "audit_precision.py"
    done = subprocess.run(
        [sys.executable, str(tool)], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("total: 39 TP, 0 FP, 0 FN"), done.stdout


if __name__ == "__main__":
    refresh_rule_tables()
