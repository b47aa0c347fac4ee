"""Running one program under the recording mocks, as Pulumi runs it; the child's jobs in order."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import runpy
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .failure import causes, error_text, refusal
from .recording import Locator, Recorder, make_mocks, patch
from .values import jsonable


@contextlib.contextmanager
def _in_program(root: Path, workdir: Path) -> Iterator[None]:
    """Run in the program's directory, as Pulumi does; forget its modules afterwards.

    sys.path is left alone: `runpy.run_path` puts a directory entry first itself, and a
    file entry gets nothing, as under Pulumi (see `run_job`).
    """
    cwd = os.getcwd()
    os.chdir(workdir)
    before = set(sys.modules)
    try:
        yield
    finally:
        os.chdir(cwd)
        for module in set(sys.modules) - before:
            origin = getattr(sys.modules[module], "__file__", None) or ""
            if origin and Path(origin).resolve().is_relative_to(root):
                del sys.modules[module]


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Run one program under mocks; return its record or its error.

    As Pulumi runs it: in `workdir` (the `main:` directory, or a file main's own
    directory), with `runpy.run_path(entry)`, where `entry` is that directory (so it heads
    sys.path) or the file (nothing added to sys.path). Sources: pulumi/pulumi
    pkg/engine/project.go `getPwdMain`, sdk/python/cmd/pulumi-language-python-exec, and
    pulumi/pulumi#7360 (a file main cannot import its siblings).
    """
    import pulumi
    from pulumi.runtime import settings as pulumi_settings

    root = Path(job["program"]).resolve()
    run = Path(job["run"]).resolve()
    workdir = Path(job["workdir"]).resolve()
    locator = Locator(root, [Path(p).resolve() for p in job.get("excluded", [])])
    recorder = Recorder(locator, job.get("default_region"))
    mocks, monitor_class = make_mocks(recorder)
    exports: dict[str, Any] = {}
    undo = patch(recorder)
    failure: dict[str, Any] | None = None
    try:
        with _in_program(root, workdir):
            pulumi_settings.ROOT.set(None)
            pulumi.runtime.set_mocks(
                mocks,
                project=job["project"],
                stack=job["stack"],
                preview=False,
                monitor=monitor_class(mocks),
            )
            pulumi.runtime.set_all_config(job["config"], job.get("secret_keys", []))

            @pulumi.runtime.test  # type: ignore[untyped-decorator]
            def program_run() -> Any:
                runpy.run_path(str(run), run_name="__main__")
                root_resource = pulumi_settings.get_root_resource()
                return pulumi.Output.from_input(root_resource.outputs).apply(exports.update)  # type: ignore[union-attr]

            program_run()
    except (Exception, SystemExit) as error:  # the program's failure, reported, never raised
        innermost = causes(error)[-1]
        failure = {
            "error": error_text(error, locator, recorder),
            "kind": type(innermost).__name__,
            "module": getattr(innermost, "name", None),
        }
    finally:
        undo()
    if recorder.refused:  # whatever failed after it, the component is the cause
        return {"refused": refusal(recorder)}
    if failure is not None:
        return failure
    # Pulumi registers resources (and resolves lookups) as their inputs resolve, in an order
    # that differs between runs: sorted, the same program gives the same findings every time.
    return {
        "resources": [in_key_order(recorder.resources[urn]) for urn in sorted(recorder.resources)],
        "invokes": sorted(map(in_key_order, recorder.invokes), key=_as_text),
        "exports": jsonable(exports),
    }


def _as_text(value: Any) -> str:
    return json.dumps(value, default=str)


def in_key_order(value: Any) -> Any:
    """`value` with every mapping's keys sorted, all the way down."""
    if isinstance(value, dict):
        return {key: in_key_order(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [in_key_order(item) for item in value]
    return value


def main(argv: list[str]) -> int:
    """`JOBS.json OUT.json`: one result per job, in order."""
    jobs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    warnings.simplefilter("ignore")
    results: list[dict[str, Any]] = []
    for job in jobs:
        version = {"python": "{}.{}".format(*sys.version_info[:2])}
        results.append({**run_job(job), **version, "python_full": platform.python_version()})
        # partial results survive a later hang
        Path(argv[1]).write_text(json.dumps(results), encoding="utf-8")
    return 0
