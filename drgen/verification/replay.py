"""A pytest plugin of the verifying child: the preload's warnings, raised again under pytest.

Without the preload (drgen/verification/runner.py), the project's conftest would import those
modules while pytest loads it, under the project's `filterwarnings`; a warning they make an
error must fail this run as it fails a user's. Loaded with `-p` only when the preload warned.
"""

from __future__ import annotations

import sys
import warnings

from drgen.verification.runner import preload_warnings


def pytest_load_initial_conftests() -> None:
    """Re-raise each warning where pytest imports conftests, inside its warning filters."""
    by_file = {getattr(m, "__file__", None): name for name, m in list(sys.modules.items())}
    for caught in preload_warnings:
        warnings.warn_explicit(
            caught.message,
            caught.category,
            caught.filename,
            caught.lineno,
            module=by_file.get(caught.filename),
        )
