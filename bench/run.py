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
- `drgen update` (verifying) of an up-to-date project / floor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT / "bench" / "floor.py"
DRGEN = [sys.executable, "-m", "drgen"]
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
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending.extend(int(c) for c in children)
    return total


def run(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak summed RSS (MB) of a command and its children; it must succeed."""
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, tree_rss_kib(process.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return seconds, peak / 1024


def floor(project: Path) -> float:
    return run([sys.executable, str(FLOOR), str(project)], project.parent)[0]


def copier_copy(data: dict[str, object], destination: Path) -> list[str]:
    code = (
        "import copier, sys, json; copier.run_copy(sys.argv[1], sys.argv[2], "
        "data=json.loads(sys.argv[3]), defaults=True, overwrite=True, quiet=True, unsafe=False)"
    )
    return [sys.executable, "-c", code, str(ROOT / "templates"), str(destination),
            json.dumps(data)]  # fmt: skip


def pairs(label: str, measured: list[float], floors: list[float]) -> str:
    ratios = [m / f for m, f in zip(measured, floors, strict=True)]
    return (
        f"{label:<52} {statistics.median(ratios):5.2f}x   "
        f"(median {statistics.median(measured):5.1f}s over {statistics.median(floors):4.1f}s; "
        f"ratios {min(ratios):.2f}-{max(ratios):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=5)
    count = parser.parse_args().pairs
    env_note = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="drgen-bench-") as tmp:
        work = Path(tmp)
        lines = [f"drgen bench, Python {sys.version.split()[0]}, {env_note}, {count} pairs"]
        for label, extra in (("default", ["--defaults"]), ("largest", [*LARGEST, "--defaults"])):
            news, floors, peaks = [], [], []
            for i in range(count):
                target = work / f"{label}{i}"
                target.mkdir()
                seconds, peak = run([*DRGEN, "new", "demo", *extra], target)
                news.append(seconds)
                peaks.append(peak)
                floors.append(floor(target / "demo"))
            lines.append(pairs(f"verified drgen new ({label}) / floor", news, floors))
            lines.append(f"{'peak RSS of drgen new (' + label + '), all processes':<52} "
                         f"{max(peaks):5.0f} MB")  # fmt: skip
            if label == "default":
                project = work / "default0" / "demo"
                updates, update_floors = [], []
                for _ in range(count):
                    updates.append(run([*DRGEN, "update", str(project)], work)[0])
                    update_floors.append(floor(project))
                update_line = pairs("drgen update (up to date, verified) / floor",
                                    updates, update_floors)  # fmt: skip
        # render only: drgen new --no-verify against copier copy of the same answers
        renders, copies = [], []
        for i in range(count):
            target = work / f"render{i}"
            target.mkdir()
            renders.append(run([*DRGEN, "new", "demo", "--defaults", "--no-verify"], target)[0])
            data = recorded_data(target / "demo")
            copies.append(run(copier_copy(data, work / f"copy{i}"), work)[0])
            shutil.rmtree(work / f"copy{i}")
        lines.append(pairs("render only: drgen new --no-verify / copier copy", renders, copies))
        lines.append(update_line)
    print("\n".join(lines))


def recorded_data(project: Path) -> dict[str, object]:
    """The copier data drgen rendered this project with, from its record of the answers."""
    import yaml

    from drgen.answers import build_answers

    answers = dict(yaml.safe_load((project / ".drgen" / "answers.yml").read_text())["answers"])
    return build_answers(answers.pop("project_name"), answers).to_data()


if __name__ == "__main__":
    main()
