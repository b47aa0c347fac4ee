"""Every rule fixture audited once per worker, for all the area modules."""

from __future__ import annotations

import pytest

from drgen.audit import AuditResult, audit_many
from drgen.audit.program import load_program
from tests.audit.rules.programs import PROGRAMS, VARIANTS, make_project


# session, not module: the area modules share it, and one child process imports pulumi once
@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult]:
    """Every fixture audited in one child process (pulumi imports once)."""
    root = tmp_path_factory.mktemp("audit")
    names = PROGRAMS + [f"variants/{name}" for name in VARIANTS]
    programs = [load_program(make_project(root, name)) for name in PROGRAMS] + [
        load_program(make_project(root, name, "variants")) for name in VARIANTS
    ]
    results = audit_many(programs)
    failed = {
        n: str(r) for n, r in zip(names, results, strict=True) if not isinstance(r, AuditResult)
    }
    assert not failed, failed
    return dict(zip(names, results, strict=True))  # type: ignore[arg-type]
