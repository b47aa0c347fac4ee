"""Speed and memory of drgen, as ratios to the floor within one run (machines vary; ratios less).

    python bench/run.py [--pairs 5]

The floor (bench/floor.py) is one Python process that imports what a generated project's
suite needs and runs its program once under mocks. Each ratio is the median over N pairs
in which the measured command and its floor run alternately, so load on a shared machine
hits both alike. Reported in one run:

- verified `drgen new --defaults` / floor of the default project;
- verified `drgen new` of the largest combination (Route 53, VPC, 4 regions) / its floor;
- peak resident memory of the whole `drgen new` (drgen and its verifying child, summed);
- render only: `drgen new --no-verify` / `copier copy` of the same template and answers;
- `drgen update` (verifying) of an up-to-date project / floor;
- `drgen verify` of the default project / floor.

Each ratio also comes as CPU seconds (user + system of the command and all its processes),
which load on a shared machine moves less than wall time; the load is printed at both ends.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT / "bench" / "floor.py"
DRGEN = [sys.executable, "-m", "drgen"]
#: pytest plugins of drgen's dev install only (tests/conftest.py turns them off the same way).
DEV_ONLY_PLUGINS = "-p no:hypothesispytest -p no:xdist -p no:xdist.looponfail"
LARGEST = [
    "--region", "us-east-1", "--region", "eu-west-1", "--region", "us-west-2",
    "--region", "ap-southeast-2", "--route53", "--hosted-zone-id", "Z0123456789ABCDEFGHIJ",
    "--domain", "example.com", "--record-name", "api", "--network", "vpc",
    "--base-cidr", "10.0.0.0/8",
]  # fmt: skip


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text(encoding="utf-8")
            proc = Path(f"/proc/{current}")
            children = (proc / "task" / str(current) / "children").read_text(encoding="utf-8")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending.extend(int(c) for c in children.split())
    return total


@dataclass
class Run:
    """One command's wall seconds, CPU seconds (user + system, its children included) and
    peak summed resident memory (MB)."""

    seconds: float
    cpu: float
    peak_mb: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_together(
    commands: Sequence[Sequence[str]], cwd: Path, envs: Sequence[dict[str, str] | None] = ()
) -> tuple[float, float]:
    """Run the commands at once (each in its environment, if given); all must succeed. Wall
    seconds until the last ends, and the peak of their summed resident memory (MB)."""
    peak = 0
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for command, env in zip(commands, envs or [None] * len(commands), strict=True)
    ]
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, sum(tree_rss_kib(p.pid) for p in processes))

    sampler = threading.Thread(target=sample)
    sampler.start()
    outputs = [p.communicate()[0] for p in processes]
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    for process, output in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, process.args))} failed:\n{output[-3000:]}")
    return seconds, peak / 1024


def run(command: Sequence[str], cwd: Path) -> Run:
    """Time, CPU and peak memory of a command and its children; it must succeed."""
    cpu_before = children_cpu()
    seconds, peak_mb = run_together([command], cwd)
    return Run(seconds, children_cpu() - cpu_before, peak_mb)


def floor(project: Path) -> Run:
    return run([sys.executable, str(FLOOR), str(project)], project.parent)


def copier_copy(data: dict[str, object], destination: Path) -> list[str]:
    code = (
        "import copier, sys, json; copier.run_copy(sys.argv[1], sys.argv[2], "
        "data=json.loads(sys.argv[3]), defaults=True, overwrite=True, quiet=True, unsafe=False)"
    )
    return [sys.executable, "-c", code, str(ROOT / "templates"), str(destination),
            json.dumps(data)]  # fmt: skip


def pairs(label: str, measured: list[Run], floors: list[Run]) -> str:
    """The median wall ratio of alternating pairs, its spread, and the same for CPU seconds
    (steadier than wall time on a shared machine)."""
    ratios = [m.seconds / f.seconds for m, f in zip(measured, floors, strict=True)]
    cpu = [m.cpu / f.cpu for m, f in zip(measured, floors, strict=True)]
    return (
        f"{label:<52} {statistics.median(ratios):5.2f}x   "
        f"(median {statistics.median(m.seconds for m in measured):5.1f}s over "
        f"{statistics.median(f.seconds for f in floors):4.1f}s; "
        f"ratios {min(ratios):.2f}-{max(ratios):.2f}; CPU {statistics.median(cpu):.2f}x, "
        f"{statistics.median(m.cpu for m in measured):.1f}s over "
        f"{statistics.median(f.cpu for f in floors):.1f}s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument(
        "--dev-plugins",
        action="store_true",
        help="let the verifying pytest load drgen's dev-only plugins (hypothesis, xdist)",
    )
    options = parser.parse_args()
    count = options.pairs
    if not options.dev_plugins:
        # As in a user's install of drgen, which has neither: with PYTHONDONTWRITEBYTECODE
        # (verify sets it) pytest would assertion-rewrite their ~70 modules at every start.
        addopts = os.environ.get("PYTEST_ADDOPTS", "")
        os.environ["PYTEST_ADDOPTS"] = f"{addopts} {DEV_ONLY_PLUGINS}".strip()
    env_note = (
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
        f"dev plugins {'on' if options.dev_plugins else 'off'}"
    )
    with tempfile.TemporaryDirectory(prefix="drgen-bench-") as tmp:
        work = Path(tmp)
        lines = [f"drgen bench, Python {sys.version.split()[0]}, {env_note}, {count} pairs"]
        for label, extra in (
            ("default", ["--defaults", "--alarm-email", "none"]),
            ("largest", [*LARGEST, "--defaults", "--alarm-email", "none"]),
        ):
            news, floors, peaks = [], [], []
            for i in range(count):
                target = work / f"{label}{i}"
                target.mkdir()
                measured = run([*DRGEN, "new", "demo", *extra], target)
                news.append(measured)
                peaks.append(measured.peak_mb)
                floors.append(floor(target / "demo"))
            lines.append(pairs(f"verified drgen new ({label}) / floor", news, floors))
            lines.append(f"{'peak RSS of drgen new (' + label + '), all processes':<52} "
                         f"{max(peaks):5.0f} MB")  # fmt: skip
            if label == "default":
                project = work / "default0" / "demo"
                updates, update_floors = [], []
                for _ in range(count):
                    updates.append(run([*DRGEN, "update", str(project)], work))
                    update_floors.append(floor(project))
                update_line = pairs("drgen update (up to date, verified) / floor",
                                    updates, update_floors)  # fmt: skip
                verifies, verify_floors = [], []
                for _ in range(count):
                    verifies.append(run([*DRGEN, "verify", str(project)], work))
                    verify_floors.append(floor(project))
                verify_line = pairs("drgen verify (default) / floor", verifies, verify_floors)
        # render only: drgen new --no-verify against copier copy of the same answers
        renders, copies = [], []
        for i in range(count):
            target = work / f"render{i}"
            target.mkdir()
            renders.append(
                run(
                    [*DRGEN, "new", "demo", "--defaults", "--alarm-email", "none", "--no-verify"],
                    target,
                )
            )
            data = recorded_data(target / "demo")
            copies.append(run(copier_copy(data, work / f"copy{i}"), work))
            shutil.rmtree(work / f"copy{i}")
        lines.append(pairs("render only: drgen new --no-verify / copier copy", renders, copies))
        lines.append(update_line)
        lines.append(verify_line)
    lines.append(f"load at the end {os.getloadavg()[0]:.1f}")
    print("\n".join(lines))


def recorded_data(project: Path) -> dict[str, object]:
    """The copier data drgen rendered this project with, from its record of the answers."""
    import yaml

    from drgen.answers.rules import build_answers

    answers = dict(yaml.safe_load((project / ".drgen" / "answers.yml").read_text())["answers"])
    return build_answers(answers.pop("project_name"), answers).to_data()


if __name__ == "__main__":
    main()
