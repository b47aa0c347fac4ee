"""`python drgen/audit/child JOBS.json OUT.json`: the child's entry point.

Run as a directory, the package heads sys.path: its modules must not shadow (or stand in
for) the program's own `job`, `values` or `recording`, so that entry goes, and the package
is loaded under a name no program imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

#: The package's name in the child, where drgen itself is not importable.
PACKAGE = "drgen_audit_child"


def main(argv: list[str]) -> int:
    """Load the package privately and run the jobs."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != here]
    spec = importlib.util.spec_from_file_location(
        PACKAGE, here / "__init__.py", submodule_search_locations=[str(here)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)
    job = importlib.import_module(f"{PACKAGE}.job")
    return int(job.main(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
