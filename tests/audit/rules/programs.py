"""The rules' fixture programs: each run in the skeleton project, with what it must be flagged.

`rules/rNN_bad.py` breaks rule RNN on the lines marked `# expect: RNN`; `rNN_good.py` is the
same program with the fix. `variants/NAME.py` (and `NAME.stack.yaml`) are further branches,
marked `# expect: RNN [severity] [xCOUNT]` (see tests/fixtures/audit/README.md).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from drgen.audit import AuditResult
from drgen.audit.rules.registry import RULES_BY_ID

FIXTURES = Path(__file__).parents[2] / "fixtures" / "audit"
PROGRAMS = sorted(p.stem for p in (FIXTURES / "rules").glob("r*_*.py"))
VARIANTS = sorted(p.stem for p in (FIXTURES / "variants").glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(R\d+)")
#: `# expect: R2 warning x2`: rule, severity (default: the rule's), count (default 1).
EXPECT_FULL = re.compile(r"#\s*expect:\s*(R\d+)(?:\s+(error|warning|note))?(?:\s+x(\d+))?")


def rule_of(name: str) -> str:
    """`r04_bad` -> `R4`."""
    return f"R{int(name[1:3])}"


def programs_of(area: str, kind: str) -> list[str]:
    """The `bad` or `good` fixture programs of the rules in one area (`network`, ...)."""
    return [
        name
        for name in PROGRAMS
        if name.endswith(f"_{kind}") and RULES_BY_ID[rule_of(name)].area == area
    ]


def expected(name: str) -> list[tuple[str, str, int]]:
    """(rule, file, line) of every `# expect: RNN` marker in a fixture."""
    lines = (FIXTURES / "rules" / f"{name}.py").read_text().splitlines()
    return [
        (match.group(1), "__main__.py", number)
        for number, text in enumerate(lines, 1)
        if (match := EXPECT.search(text))
    ]


def found(result: AuditResult) -> list[tuple[str, str | None, int | None]]:
    """(rule, file, line) of each finding, once each."""
    return sorted({(f.rule, f.file, f.line) for f in result.findings})


def described(result: AuditResult) -> list[str]:
    """The findings as a reader of a failed assertion wants them."""
    return [f"{f.rule} {f.file}:{f.line} {f.message}" for f in result.findings]


def make_project(root: Path, name: str, kind: str = "rules") -> Path:
    """The skeleton project with a fixture as its `__main__.py` (and stack file)."""
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
    marks = []
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
                marks += [(rule, severity, file, number)] * int(match.group(3) or 1)
    return sorted(marks)
