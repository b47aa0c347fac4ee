"""Further branches of the rules, across areas: each finding with its severity, place and count."""

from __future__ import annotations

import pytest

from drgen.audit import AuditResult
from tests.audit.rules.programs import VARIANTS, expected_variant


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_is_flagged_exactly_as_marked(audited: dict[str, AuditResult], name: str) -> None:
    """Further branches of the rules: each finding with its severity, place and count."""
    found = sorted(
        (f.rule, f.severity, f.file, f.line) for f in audited[f"variants/{name}"].findings
    )
    assert found == expected_variant(name), [
        f"{f.rule} {f.file}:{f.line} {f.message}" for f in audited[f"variants/{name}"].findings
    ]
