"""Lower bounds of a verified `drgen new`, measured: why issue 11's targets conflict here.

    python bench/bounds.py [--pairs 3] [--largest]

Renders the default project (or the largest combination) once, unverified, then runs its
own suite in the ways a verifier could, each alternating with the floor (bench/floor.py), as
medians of wall seconds and the peak resident memory summed over the processes:

- warm: one interpreter imports what the suite needs (as drgen's verifying child does), then
  runs the whole suite under coverage, as drgen verifies today;
- warm, no coverage: the same without coverage, what a single process costs at best;
- warm, coverage tracing nothing: coverage on, measuring a directory with no code, which
  separates the tracer's cost (Python 3.11's `sys.settrace`) from measuring;
- split: two such interpreters at once, one for the handler tests (boto3, moto) and one for
  the rest (pulumi), each importing only its half, then their coverage combined: the fastest
  use of both cores, and the memory that takes. The combined coverage is checked at 100 %,
  so the split proves what the whole run proves.

None of this includes drgen's own start or its render, which a verified `drgen new` adds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from run import DEV_ONLY_PLUGINS, LARGEST, floor, run_together

from drgen.verification.runner import SUITE_MODULES

ROOT = Path(__file__).resolve().parent.parent
#: One interpreter as drgen's verifying child: import, freeze the heap, run pytest here.
WARM = """
import gc, os, sys
from pathlib import Path
from drgen.verification.runner import preload_modules, project_modules
project = Path(sys.argv[1])
preload_modules(sys.argv[2].split(",") + project_modules(project))
gc.freeze()
os.chdir(project)
sys.path.insert(0, str(project))
import pytest
raise SystemExit(pytest.main(sys.argv[3:]))
"""
HANDLER_TESTS = "tests/test_handler.py"
MOTO = ("boto3", "botocore", "moto")
#: The rest of the suite needs pulumi, not boto3 or moto (tests/conftest.py imports the harness).
POLICY_MODULES = [m for m in SUITE_MODULES if not m.startswith(MOTO)]
HANDLER_MODULES = ["yaml", "pulumi", *(m for m in SUITE_MODULES if m.startswith(MOTO))]
HANDLER_MODULES += ["pytest", "pytest_cov"]


def warm(project: Path, modules: Sequence[str], *pytest_args: str) -> list[str]:
    return [sys.executable, "-c", WARM, str(project), ",".join(modules), "-q", *pytest_args]


def combine(project: Path, data_files: Sequence[Path]) -> tuple[float, float]:
    """Combine the halves' coverage as the project's config reads it: seconds, percent."""
    import coverage

    started = time.perf_counter()
    cov = coverage.Coverage(
        data_file=str(data_files[0].parent / ".coverage"),
        config_file=str(project / "pyproject.toml"),
    )
    cov.combine([str(f) for f in data_files], keep=True)
    cwd = Path.cwd()
    os.chdir(project)  # the config's `source = ["."]`
    try:
        with open(os.devnull, "w", encoding="utf-8") as quiet:
            percent = cov.report(file=quiet)
    finally:
        os.chdir(cwd)
    return time.perf_counter() - started, percent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--largest", action="store_true", help="Route 53, VPC, 4 regions")
    options = parser.parse_args()
    count = options.pairs
    answers = LARGEST if options.largest else []
    with tempfile.TemporaryDirectory(prefix="drgen-bounds-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "drgen", "new", "demo", *answers, "--defaults",
             "--alarm-email", "none", "--no-verify", "-q"],
            cwd=work, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        project = work / "demo"
        env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTEST_ADDOPTS": f"{os.environ.get('PYTEST_ADDOPTS', '')} {DEV_ONLY_PLUGINS} "
            "-p no:cacheprovider",
        }
        data = [work / ".coverage.policies", work / ".coverage.handler"]
        half = ["--cov-fail-under=0", "--cov-report="]
        ways = {
            "warm (as drgen verifies)": [warm(project, SUITE_MODULES)],
            "warm, no coverage": [warm(project, SUITE_MODULES, "--no-cov")],
            "warm, coverage tracing nothing": [
                warm(project, SUITE_MODULES, f"--cov={work / 'empty'}", "--cov-fail-under=0")
            ],
            "split over two processes": [
                warm(project, POLICY_MODULES, "--deselect", HANDLER_TESTS, *half),
                warm(project, HANDLER_MODULES, HANDLER_TESTS, *half),
            ],
        }
        (work / "empty").mkdir()
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in ways}
        combined: list[tuple[float, float]] = []
        for _ in range(count):
            for name, commands in ways.items():
                if len(commands) == 2:  # each half writes its own coverage data
                    envs = [{**env, "COVERAGE_FILE": str(d)} for d in data]
                    seconds, peak = run_together(commands, project, envs)
                    combine_seconds, percent = combine(project, data)
                    combined.append((combine_seconds, percent))
                    seconds += combine_seconds
                else:
                    whole = {**env, "COVERAGE_FILE": str(work / ".coverage.whole")}
                    seconds, peak = run_together(commands, project, [whole])
                results[name].append((seconds, peak, floor(project).seconds))
    project_kind = "largest" if options.largest else "default"
    print(
        f"drgen bounds, {project_kind} project, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, {count} pairs"
    )
    for name, rows in results.items():
        ratio = statistics.median(s / f for s, _, f in rows)
        print(
            f"{name:<34} {statistics.median(s for s, _, _ in rows):5.2f}s  "
            f"{ratio:4.2f}x the floor ({statistics.median(f for _, _, f in rows):.2f}s)  "
            f"peak {max(p for _, p, _ in rows):4.0f} MB"
        )
    print(
        f"split: combining the halves' coverage {statistics.median(c for c, _ in combined):.2f}s "
        f"(included above); combined coverage {min(p for _, p in combined):.1f}%"
    )


if __name__ == "__main__":
    main()
