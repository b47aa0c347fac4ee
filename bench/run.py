"""Speed and memory of drgen, as ratios within one run (absolute times vary by machine).

    python bench/run.py

Reports, for the default project and a three-region project: render time, verification
time, and the verification's peak memory, each as a ratio to a baseline measured in the same
run (a bare `python -c "import pulumi_aws"` child process, the floor any verification pays).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from drgen.answers import build_answers
from drgen.render import generate
from drgen.verify import verify_project


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def baseline() -> tuple[float, float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import pulumi, pulumi_aws, pulumi_aws.s3, pulumi_aws.lambda_"],
        check=True,
    )
    return time.perf_counter() - started, child_peak_mb()


def measure(regions: list[str], workdir: Path) -> dict[str, float]:
    answers = build_answers("bench", {"regions": regions, "env_suffix": "dev"})
    started = time.perf_counter()
    project = generate(answers, workdir / f"p{len(regions)}")
    rendered = time.perf_counter() - started
    result = verify_project(project)
    assert result.ok, result.output[-2000:]
    return {"render_s": rendered, "verify_s": result.seconds, "tests": result.passed}


def main() -> None:
    base_s, base_mb = baseline()
    print("baseline: import pulumi_aws in a child = 1.00 (time), 1.00 (memory)")
    with tempfile.TemporaryDirectory() as tmp:
        for regions in (["us-east-1", "us-west-2"], ["us-east-1", "us-west-2", "eu-west-1"]):
            numbers = measure(regions, Path(tmp))
            peak = child_peak_mb()
            print(
                f"{len(regions)} regions: render {numbers['render_s'] / base_s:.2f}x, "
                f"verify {numbers['verify_s'] / base_s:.2f}x ({numbers['tests']:.0f} tests), "
                f"peak child memory so far {peak / base_mb:.2f}x"
            )


if __name__ == "__main__":
    main()
