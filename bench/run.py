"""Speed and memory of drgen, as ratios within one run (absolute times vary by machine).

    python bench/run.py

The baseline is the floor any verification pays: a child process that imports pulumi and the
pulumi_aws modules a DR stack uses. For the default project and for the largest combination
(three regions, Route 53 and VPC), it reports render, update-planning and verification time
and the verification's peak memory, each as a ratio to that baseline, plus the test count.
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
from drgen.update import plan_update
from drgen.verify import verify_project

IMPORTS = "import pulumi, pulumi_aws, pulumi_aws.s3, pulumi_aws.lambda_, pulumi_aws.ec2"
DEFAULT = {"regions": ["us-east-1", "us-west-2"], "env_suffix": "dev", "route53": False,
           "network": "none"}  # fmt: skip
LARGEST = {
    "regions": ["us-east-1", "us-west-2", "eu-west-1"], "env_suffix": "dev", "route53": True,
    "hosted_zone_id": "Z0123ABC", "domain": "example.com", "record_name": "api",
    "network": "vpc", "base_cidr": "10.0.0.0/8",
}  # fmt: skip


def peak_child_mb() -> float:
    """Peak resident memory of the largest child so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def main() -> None:
    _, base_s = timed(subprocess.run, [sys.executable, "-c", IMPORTS], check=True)
    base_mb = peak_child_mb()
    print(f"baseline (child importing pulumi_aws): {base_s:.2f}s, {base_mb:.0f} MB = 1.00")
    with tempfile.TemporaryDirectory() as tmp:
        for label, raw in (("default", DEFAULT), ("3 regions + route53 + vpc", LARGEST)):
            answers = build_answers("bench", raw)
            project, render_s = timed(generate, answers, Path(tmp) / label.split()[0])
            _, plan_s = timed(plan_update, project)
            result, verify_s = timed(verify_project, project)
            assert result.ok, result.output[-2000:]
            print(
                f"{label}: render {render_s / base_s:.2f}x, update plan {plan_s / base_s:.2f}x, "
                f"verify {verify_s / base_s:.2f}x ({result.passed} tests), "
                f"peak verify memory {peak_child_mb() / base_mb:.2f}x"
            )


if __name__ == "__main__":
    main()
