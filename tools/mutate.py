"""Mutation check of drgen's core: single small edits, each run against the fast suite.

    .venv/bin/python tools/mutate.py                           # every module of MODULES
    .venv/bin/python tools/mutate.py answers/rules --sample 0  # every mutant of one module
    .venv/bin/python tools/mutate.py update                    # a package: all its modules
    .venv/bin/python tools/mutate.py --list verification/run   # the mutants, not run

A module is named by its path below drgen/ without `.py` (`project/render`), a package by its
folder (`update`: its modules, sampled together), a test file by its path below tests/
(`verification/test_run`).

Each mutant is written into a private copy of the repository (one per job, in a temporary
directory), never into the working tree, and the copy's file is restored after every run.
The copy's tests that can reach the module run with `-m "not slow" -x` (`--all-tests`: the
whole fast suite); a mutant whose tests all pass survived. Leaving tests out can only turn a
kill into a survival, so the score is a lower bound. A mutant is killed when a test fails,
killed by timeout when the run exceeds the limit. The sample is drawn with a fixed seed, so a
run is repeatable as long as the source does not change. See docs/testing.md.

The unmutated run records, with coverage.py's per-test contexts, which tests run each line;
a mutant first meets the tests that run its statement (most kills take seconds), then, if
none failed, the rest of its files' tests (`--covering-only` skips that second run).
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The verification package (drgen/verification/) and its tests, the most direct first.
VERIFICATION = ("result", "reports", "events", "run")
VERIFICATION_TESTS = (
    "verification/test_result",
    "verification/test_run",
    "test_show",
    "verification/test_runner",
    "test_cli",
)
#: The update's data-safety tests, one file per concern (they were one file).
UPDATE_SAFETY = (
    "update/test_record",
    "update/test_links",
    "update/test_deleted_files",
    "update/test_new_force",
    "update/test_merge",
    "update/test_modes",
    "update/test_writes",
    "update/test_messages",
    "update/test_git",
    "update/test_pretend",
)
#: The project package (drgen/project/): rendering and the write transaction, and its tests.
PROJECT = ("blob", "record", "target", "transaction", "render", "pin")
PROJECT_TESTS = (
    "project/test_render",
    "update/test_freshness",
    "test_flow",
    *UPDATE_SAFETY,
    "update/test_interrupts",
    "test_cli",
    "update/test_situations",
    "update/test_upgrade",
    "update/test_merge_properties",
    "answers/test_properties",
)
#: drgen's modules by path under drgen/, without `.py` (`answers/rules` is drgen/answers/rules.py);
#: a package (`update`) names all of its modules, sampled together.
MODULES = (
    "answers/questions",
    "answers/model",
    "answers/fields",
    "answers/regions",
    "answers/rules",
    "answers/sources",
    "answers/replay",
    "answers/wording",
    *(f"verification/{name}" for name in VERIFICATION),
    *(f"project/{name}" for name in PROJECT),
    "update",
)
#: Every answers module's tests, after the module's own file (names as in tests/, no `.py`).
ANSWERS_TESTS = (
    "answers/test_rules",
    "answers/test_fields",
    "answers/test_regions",
    "answers/test_sources",
    "answers/test_model",
    "test_hostile",
    "test_flow",
    "test_cli",
    "answers/test_properties",
    "answers/test_prompts",
    # the prompts' words and help lines, as a terminal shows them (a pty: slower, so last)
    "test_terminal",
)


def _answers_tests(own: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((own, *ANSWERS_TESTS)))


#: The test files that exercise each module, the most direct first (with -x, a mutant dies at
#: its first failing test).
RELEVANT: dict[str, tuple[str, ...]] = {
    "answers/questions": _answers_tests("answers/test_sources"),
    "answers/model": _answers_tests("answers/test_model"),
    "answers/fields": _answers_tests("answers/test_fields"),
    "answers/regions": _answers_tests("answers/test_regions"),
    "answers/rules": _answers_tests("answers/test_rules"),
    "answers/sources": _answers_tests("answers/test_sources"),
    "answers/wording": _answers_tests("answers/test_rules"),
    "answers/prompts": ("answers/test_prompts", "test_terminal", "test_cli"),
    "answers/replay": ("answers/test_replay", "commands/test_new", "test_terminal"),
    **{f"verification/{name}": VERIFICATION_TESTS for name in VERIFICATION},
    **{f"project/{name}": PROJECT_TESTS for name in PROJECT},
    "forked": ("test_forked", "test_cli", "test_flow", *UPDATE_SAFETY),
    "update": (
        "update/test_situations",
        *UPDATE_SAFETY,
        "update/test_upgrade",
        "update/test_interrupts",
        "test_cli",
        "update/test_merge_properties",
    ),
}
#: pytest's last line when every selected test ran and passed ("12 passed in 3.1s").
PASSED_SUMMARY = re.compile(r"^\d+ passed\b.* in [\d.]+s", re.MULTILINE)
COPIED = ("drgen", "tests", "templates", "pyproject.toml", "README.md", "docs", ".ci")

Mutator = Callable[[ast.AST], ast.AST]


@dataclass(frozen=True)
class Mutant:
    """One edit: which node (in traversal order), how, and what it looks like."""

    module: str
    index: int
    line: int
    kind: str
    before: str
    after: str
    source: str  # the whole mutated module
    #: The first line of the statement holding the edit: the line coverage.py reports for it.
    statement: int = 0

    @property
    def where(self) -> str:
        """`drgen/module.py:line`."""
        return f"drgen/{self.module}.py:{self.line}"


BINOPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.Mult,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
#: Boundary shifts and negations of each comparison.
COMPARES: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
DELETABLE = (ast.Expr, ast.Raise, ast.AugAssign, ast.Assert, ast.If, ast.Continue, ast.Break)


def _set(node: ast.AST, **fields: object) -> ast.AST:
    for name, value in fields.items():
        setattr(node, name, value)
    return node


def mutators(node: ast.AST) -> Iterator[tuple[str, Mutator]]:
    """Every mutation of this one node, as (kind, function returning the replacement)."""
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        new_op = BINOPS[type(node.op)]
        yield "operator", lambda n: _set(n, op=new_op())
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield "operator", lambda n: _set(n, op=other())
    elif isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            for new in COMPARES.get(type(op), ()):
                yield "comparison", _compare(position, new)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        yield "remove-unary", lambda n: n.operand  # type: ignore[attr-defined]
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "constant", lambda n: _set(n, value=not value)
        elif isinstance(value, int):
            yield "boundary", lambda n: _set(n, value=value + 1)
            yield "boundary", lambda n: _set(n, value=value - 1)
        elif isinstance(value, str):
            yield "constant", lambda n: _set(n, value=f"XX{value}XX")
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", lambda n: _set(n, value=ast.Constant(None))
    elif isinstance(node, ast.ExceptHandler) and node.type is not None:
        types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        for position in range(len(types)):
            yield "except-drop", _drop_handled(position)
    if isinstance(node, DELETABLE):
        yield "delete", lambda n: ast.Pass()


def _compare(position: int, new: type[ast.cmpop]) -> Mutator:
    def mutate(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        node.ops[position] = new()
        return node

    return mutate


def _drop_handled(position: int) -> Mutator:
    def mutate(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.ExceptHandler) and node.type is not None
        types = list(node.type.elts) if isinstance(node.type, ast.Tuple) else [node.type]
        del types[position]
        node.type = ast.Tuple(elts=types, ctx=ast.Load())  # `except ():` catches nothing
        return node

    return mutate


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    body = getattr(parent, "body", None)
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and isinstance(body, list)
        and bool(body)
        and body[0] is node
    )


class _Walk(ast.NodeTransformer):
    """Pre-order walk over the mutable nodes; replaces node `target` using `mutator`."""

    SKIPPED_FIELDS = ("annotation", "returns", "decorator_list", "format_spec", "type_comment")

    def __init__(self, target: int = -1, mutator: Mutator | None = None) -> None:
        self.target = target
        self.mutator = mutator
        self.seen: list[ast.AST] = []
        self.statements: list[int] = []  # for each node seen, its statement's first line
        self.parent: ast.AST | None = None
        self.statement = 0

    def visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Import | ast.ImportFrom) or _is_docstring(node, self.parent):
            return node
        index = len(self.seen)
        self.seen.append(node)
        is_statement = isinstance(node, ast.stmt | ast.excepthandler)
        self.statements.append(node.lineno if is_statement else self.statement)  # type: ignore[attr-defined]
        if index == self.target and self.mutator is not None:
            return self.mutator(node)
        outer, self.parent = self.parent, node
        statement, self.statement = self.statement, self.statements[index]
        for name, value in ast.iter_fields(node):
            if name in self.SKIPPED_FIELDS:
                continue
            if isinstance(value, list):
                new_values = [self.visit(v) if isinstance(v, ast.AST) else v for v in value]
                value[:] = new_values
            elif isinstance(value, ast.AST):
                setattr(node, name, self.visit(value))
        self.parent, self.statement = outer, statement
        return node


def module_files(name: str) -> list[str]:
    """The modules a name stands for: itself, or every module of the package it names."""
    package = ROOT / "drgen" / name
    if package.is_dir():
        return sorted(str(p.relative_to(ROOT / "drgen"))[:-3] for p in package.rglob("*.py"))
    return [name]


def _relevant(module: str) -> tuple[str, ...] | None:
    """The module's RELEVANT entry, or its closest package's."""
    parts = module.split("/")
    for end in range(len(parts), 0, -1):
        found = RELEVANT.get("/".join(parts[:end]))
        if found is not None:
            return found
    return None


def mutants_of(name: str) -> list[Mutant]:
    """Every distinct mutant of the module (or the package's modules) `name`, in source order."""
    return [mutant for module in module_files(name) for mutant in _mutants_of_file(module)]


def _mutants_of_file(module: str) -> list[Mutant]:
    text = (ROOT / "drgen" / f"{module}.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    walk = _Walk()
    walk.visit(tree)
    original = ast.unparse(tree)
    found: list[Mutant] = []
    sources = {original}
    for index, node in enumerate(walk.seen):
        for kind, mutator in mutators(node):
            mutated = copy.deepcopy(tree)
            shown: list[str] = []
            new_tree = _Walk(index, _capture(mutator, shown)).visit(mutated)
            source = ast.unparse(ast.fix_missing_locations(new_tree))
            if source in sources:
                continue
            sources.add(source)
            before = (
                repr(node.value)
                if isinstance(node, ast.Constant)
                else ast.get_source_segment(text, node) or ast.unparse(node)
            )
            found.append(
                Mutant(
                    module=module,
                    index=index,
                    line=getattr(node, "lineno", 0),
                    statement=walk.statements[index],
                    kind=kind,
                    before=_one_line(before),
                    after=_one_line(shown[0]),
                    source=source,
                )
            )
    return found


def _capture(mutator: Mutator, shown: list[str]) -> Mutator:
    """Remember how the mutated node reads, for the report."""

    def mutate(node: ast.AST) -> ast.AST:
        new = mutator(node)
        shown.append(_handler(new) if isinstance(new, ast.ExceptHandler) else ast.unparse(new))
        return new

    return mutate


def _handler(node: ast.ExceptHandler) -> str:
    return f"except {ast.unparse(node.type) if node.type else ''}"


def _one_line(text: str, limit: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


@dataclass
class Outcome:
    """What happened to one mutant."""

    mutant: Mutant
    status: str  # killed, timeout, survived
    seconds: float
    by: str  # which run decided: "covering" (the tests that run the line) or "files"


def _copy_repo(into: Path) -> Path:
    into.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, into / name)
    return into


def _suite_files(folder: Path) -> Iterator[Path]:
    """The suite's test files: tests/ and its packages (tests/fixtures holds data, not tests)."""
    yield from folder.glob("test_*.py")
    for sub in sorted(folder.iterdir()):
        if (sub / "__init__.py").is_file():
            yield from _suite_files(sub)


def _test_files(module: str, *, all_tests: bool) -> list[str]:
    tests = ROOT / "tests"
    existing = sorted(p.relative_to(tests).with_suffix("").as_posix() for p in _suite_files(tests))
    first = [name for name in _relevant(module) or existing if name in existing]
    rest = [name for name in existing if name not in first] if all_tests else []
    return [f"tests/{name}.py" for name in first + rest]


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(workdir), "COVERAGE_FILE": str(workdir / ".coverage")}


#: pytest's exit codes for "no test given was found" (usage error, nothing collected).
NOT_RUN = (4, 5)


def _pytest(workdir: Path, tests: list[str], timeout: float, *extra: str) -> tuple[str, float, str]:
    """Run the tests; (status, seconds, the end of pytest's output).

    The status is survived, killed, timeout, or not-run (a selection pytest did not find).
    """
    # No PYTHONDONTWRITEBYTECODE here: the tests' children would inherit it and hide a mutant
    # that stops drgen from setting it for a project's run. Stale bytecode is removed instead.
    for cache in (workdir / "drgen").rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    env = _environment(workdir)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-m",
        "not slow",
        "-p",
        "no:cacheprovider",
        # one process per mutant: `--jobs` runs mutants side by side, and -x stops at the first
        # failing test in the order of RELEVANT (xdist would spread them over its workers)
        "-n",
        "0",
    ]
    started = time.perf_counter()
    try:
        completed = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
            [*command, *extra, *tests],
            cwd=workdir,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - started, ""
    code = completed.returncode
    output = (completed.stdout + completed.stderr).decode(errors="replace")
    if code == 0 and not PASSED_SUMMARY.search(output):
        # exit 0 without pytest's summary: a mutant that ended the process (`os._exit(0)` run
        # in the test process) stopped the tests, it did not pass them
        code = 1
    status = "survived" if code == 0 else "not-run" if code in NOT_RUN else "killed"
    return status, time.perf_counter() - started, output[-3000:]


def _run_one(
    workdir: Path,
    mutant: Mutant,
    timeout: float,
    covering: Covering,
    *,
    all_tests: bool,
    covering_only: bool,
) -> Outcome:
    """First the tests that run the mutated statement; when none fails, its files' other tests.

    The second run makes the outcome the same as without coverage (a test that reaches the
    statement only in a child process still runs); the first makes most kills cheap.
    `covering_only` skips the second run when the first had tests to run.
    """
    target = workdir / "drgen" / f"{mutant.module}.py"
    pristine = target.read_bytes()
    files = _test_files(mutant.module, all_tests=all_tests)
    selected = covering.get((mutant.module, mutant.statement), [])
    seconds = 0.0
    try:
        target.write_text(mutant.source, encoding="utf-8")
        if selected:
            status, seconds, _ = _pytest(workdir, selected, timeout)
            if status in ("killed", "timeout") or (covering_only and status == "survived"):
                return Outcome(mutant, status, seconds, "covering")
        # the tests already run are left out (--deselect ignores an id it does not find)
        skip = [arg for test in selected for arg in ("--deselect", test)]
        status, more, _ = _pytest(workdir, files, timeout, *skip)
        if status == "not-run":  # nothing left after the covering tests, or nothing collected
            status = "survived" if selected else "killed"
    finally:
        target.write_bytes(pristine)
    return Outcome(mutant, status, seconds + more, "files")


def _check_baseline(workdir: Path, files: list[str]) -> tuple[float, Covering]:
    """The unmutated copy must import its own drgen and pass the tests the mutants will run.

    Returns the run's time (the longest a surviving mutant can take, measured with coverage
    on, so a little longer) and which tests run each line of drgen.
    """
    env = _environment(workdir)
    where = subprocess.run(
        [sys.executable, "-c", "import drgen; print(drgen.__file__)"],
        cwd=workdir, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not where.startswith(str(workdir)):
        sys.exit(f"mutate: the copy imports drgen from {where}, not from {workdir}")
    data_file = workdir / ".coverage"
    coverage = ("--cov=drgen", "--cov-context=test", "--cov-report=")
    status, seconds, output = _pytest(workdir, files, 1800, *coverage)
    if status != "survived":
        sys.exit(f"{output}\nmutate: {' '.join(files)} fail without any mutation; fix them first")
    return seconds, _covering(workdir, data_file, files)


#: (module, line) -> the ids of the tests that ran that line, in the order of their files.
Covering = dict[tuple[str, int], list[str]]


def _covering(workdir: Path, data_file: Path, files: list[str]) -> Covering:
    """Which tests ran each line, from coverage.py's per-test contexts (pytest-cov)."""
    from coverage import CoverageData  # a dependency of pytest-cov, which drgen needs

    data = CoverageData(basename=str(data_file))
    data.read()
    order = {name: position for position, name in enumerate(files)}
    found: Covering = {}
    for module in (file for name in MODULES for file in module_files(name)):
        path = str(workdir / "drgen" / f"{module}.py")
        for line, contexts in data.contexts_by_lineno(path).items():
            # "tests/test_x.py::test_y[id]|run"; "" is import time, before any test
            ids = {c.rsplit("|", 1)[0] for c in contexts if c}
            ids = {i for i in ids if i.split("::", 1)[0] in order}
            found[(module, line)] = sorted(ids, key=lambda i: (order[i.split("::", 1)[0]], i))
    data_file.unlink()
    return found


def sample(mutants: list[Mutant], size: int, seed: int) -> list[Mutant]:
    """A repeatable sample (all of them when size is 0 or larger than the set)."""
    if size <= 0 or size >= len(mutants):
        return mutants
    pick = random.Random(seed)  # noqa: S311 - a repeatable sample, not a secret
    chosen = pick.sample(range(len(mutants)), size)
    return [mutants[i] for i in sorted(chosen)]


def report(outcomes: list[Outcome], modules: list[str]) -> str:
    """Killed/survived per module, then every survivor with file:line and the edit."""
    width = max([10, *(len(name) + 2 for name in modules)])
    lines = [
        f"{'module':<{width}}{'mutants':>8}{'killed':>8}{'timeout':>8}{'survived':>9}{'score':>8}"
    ]
    for module in modules:
        mine = [o for o in outcomes if o.mutant.module in module_files(module)]
        if not mine:
            continue
        killed = sum(o.status == "killed" for o in mine)
        timeout = sum(o.status == "timeout" for o in mine)
        survived = len(mine) - killed - timeout
        score = 100 * (killed + timeout) / len(mine)
        lines.append(
            f"{module:<{width}}{len(mine):>8}{killed:>8}{timeout:>8}{survived:>9}{score:>7.1f}%"
        )
    survivors = [o.mutant for o in outcomes if o.status == "survived"]
    if survivors:
        lines.append("survivors:")
        lines.extend(f"  {m.where} [{m.kind}] `{m.before}` -> `{m.after}`" for m in survivors)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the sampled mutants, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="drgen modules")
    parser.add_argument("--sample", type=int, default=40, help="mutants per module (0: all)")
    parser.add_argument("--seed", type=int, default=14, help="the sample's random seed")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run in parallel")
    parser.add_argument("--timeout", type=float, default=0, help="seconds per mutant (0: auto)")
    parser.add_argument("--all-tests", action="store_true", help="the whole fast suite each time")
    parser.add_argument(
        "--covering-only",
        action="store_true",
        help="only the tests that run the mutated line (faster; can miss a kill by a child)",
    )
    parser.add_argument("--list", action="store_true", help="list the sample; run nothing")
    args = parser.parse_args(argv)

    chosen: list[Mutant] = []
    for module in args.modules:
        every = mutants_of(module)
        picked = sample(every, args.sample, args.seed)
        print(f"{module}: {len(every)} mutants, {len(picked)} sampled", flush=True)
        chosen.extend(picked)
    if args.list:
        for m in chosen:
            print(f"  {m.where} [{m.kind}] `{m.before}` -> `{m.after}`")
        return 0

    # a plain `kill` still removes the copies (the `with` blocks below unwind)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Started in the background (`&`, nohup), SIGINT arrives ignored and every pytest child
    # would inherit that: a test of drgen's Ctrl-C handling would then test nothing. A Python
    # handler is reset to the default by exec, so the children get Ctrl-C back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drgen-mutate-") as tmp:
        workdirs = [_copy_repo(Path(tmp) / f"job{j}") for j in range(max(1, args.jobs))]
        used = [f for m in args.modules for f in _test_files(m, all_tests=args.all_tests)]
        baseline, covering = _check_baseline(workdirs[0], list(dict.fromkeys(used)))
        timeout = args.timeout or max(60.0, 3 * baseline)
        print(f"baseline: {baseline:.1f}s; timeout per mutant {timeout:.0f}s", flush=True)
        free = list(workdirs)
        outcomes: list[Outcome] = []

        def run(mutant: Mutant) -> Outcome:
            workdir = free.pop()
            try:
                return _run_one(
                    workdir,
                    mutant,
                    timeout,
                    covering,
                    all_tests=args.all_tests,
                    covering_only=args.covering_only,
                )
            finally:
                free.append(workdir)

        with ThreadPoolExecutor(max_workers=len(workdirs)) as pool:
            for count, outcome in enumerate(pool.map(run, chosen), start=1):
                outcomes.append(outcome)
                m = outcome.mutant
                print(
                    f"[{count}/{len(chosen)}] {outcome.status:<8} {outcome.seconds:5.1f}s "
                    f"{outcome.by:<8} "
                    f"{m.where} [{m.kind}] `{m.before}` -> `{m.after}`",
                    flush=True,
                )
    print(f"\nmutation check, seed {args.seed}, {time.perf_counter() - started:.0f}s")
    print(report(outcomes, args.modules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
