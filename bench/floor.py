"""The floor: what no verification of a generated project can avoid.

    python bench/floor.py PROJECT

One Python process that imports what the project's suite needs (pulumi, the pulumi_aws
modules the program uses, moto, boto3, the handler) and runs the project's program once
under Pulumi mocks with its first stack file. Verification costs at least this.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(project: Path) -> None:
    sys.path.insert(0, str(project))
    import app.handler  # noqa: F401
    import boto3  # noqa: F401
    import moto  # noqa: F401
    from tests.harness import run_program, stack_config, stack_files

    run = run_program(stack_config(stack_files()[0]))
    assert run.aws_resources(), "the program registered nothing"


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
