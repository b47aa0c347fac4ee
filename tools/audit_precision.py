"""Precision and recall of `drgen audit` on a labelled corpus of multi-region programs.

Each `bench/audit_corpus/NAME.py` is a realistic program with planted pitfalls marked
`# expect: RNN [severity] [xCOUNT] [RNN ...]` on the line the finding must name; every
unmarked line is meant to be right. `NAME.stack.yaml`, when present, is its stack file.
The programs run in the audit fixtures' skeleton project (tests/fixtures/audit/skeleton).

A finding counts as a true positive when its rule and line match a mark (each mark once per
count), a false positive otherwise; a mark left unmatched is a false negative.

    .venv/bin/python tools/audit_precision.py [--verbose]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from drgen.audit import AuditResult, audit_many
from drgen.audit.program import load_program

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "audit_corpus"
SKELETON = ROOT / "tests" / "fixtures" / "audit" / "skeleton"
MARK = re.compile(r"#\s*expect:\s*(.*)$")
#: One planted finding in a mark: `R24`, `R24 warning`, `R20 x2`.
TOKEN = re.compile(r"(R\d+)(?:\s+(?:error|warning|note))?(?:\s+x(\d+))?")


def marks(source: Path) -> Counter[tuple[str, str, int]]:
    """(rule, file, line) of every planted pitfall, with its count."""
    found: Counter[tuple[str, str, int]] = Counter()
    for path, file in (
        (source, "__main__.py"),
        (source.with_suffix(".stack.yaml"), "Pulumi.dev.yaml"),
    ):
        if path.exists():
            for number, text in enumerate(path.read_text().splitlines(), 1):
                if match := MARK.search(text):
                    for token in TOKEN.finditer(match.group(1)):
                        found[(token.group(1), file, number)] += int(token.group(2) or 1)
    return found


def main(argv: list[str]) -> int:
    """Audit the corpus in one child process; print counts per program and per rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every FP and FN")
    args = parser.parse_args(argv)
    sources = sorted(CORPUS.glob("*.py"))
    with tempfile.TemporaryDirectory(prefix="drgen-corpus-") as tmp:
        programs = []
        for source in sources:
            project = Path(tmp) / source.stem
            shutil.copytree(SKELETON, project)
            shutil.copy(source, project / "__main__.py")
            stack = source.with_suffix(".stack.yaml")
            if stack.exists():
                shutil.copy(stack, project / "Pulumi.dev.yaml")
            programs.append(load_program(project))
        results = audit_many(programs)
    per_rule: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for source, result in zip(sources, results, strict=True):
        if not isinstance(result, AuditResult):
            print(f"{source.name}: cannot run: {result}")
            return 2
        expected = marks(source)
        found = Counter((f.rule, f.file or "", f.line or 0) for f in result.findings)
        messages = {(f.rule, f.file or "", f.line or 0): f.message for f in result.findings}
        tp, fp, fn = found & expected, found - expected, expected - found
        for kind, counter in (("tp", tp), ("fp", fp), ("fn", fn)):
            for (rule, _, _), n in counter.items():
                per_rule.setdefault(rule, Counter())[kind] += n
                totals[kind] += n
        print(
            f"{source.name}: {sum(tp.values())} TP, {sum(fp.values())} FP, "
            f"{sum(fn.values())} FN ({len(result.record.resources)} resources)"
        )
        if args.verbose:
            for key in sorted(fp):
                print(f"  FP {key[0]} {key[1]}:{key[2]} {messages[key]}")
            for key in sorted(fn):
                print(f"  FN {key[0]} {key[1]}:{key[2]}")
    print("rule  TP  FP  FN")
    for rule in sorted(per_rule, key=lambda r: int(r[1:])):
        c = per_rule[rule]
        print(f"{rule:<5} {c['tp']:>3} {c['fp']:>3} {c['fn']:>3}")
    hits, alarms, misses = totals["tp"], totals["fp"], totals["fn"]
    precision = hits / (hits + alarms) if hits + alarms else 1.0
    recall = hits / (hits + misses) if hits + misses else 1.0
    print(
        f"total: {hits} TP, {alarms} FP, {misses} FN: "
        f"precision {precision:.1%}, recall {recall:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
