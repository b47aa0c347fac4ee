"""The dns rules (R2, R11, R24, R25) on their broken and fixed programs.

Route 53: health checks and the records that steer between regions.
"""

from __future__ import annotations

import pytest

from drgen.audit import AuditResult
from tests.audit.rules.programs import described, expected, found, programs_of

AREA = "dns"


@pytest.mark.integration
@pytest.mark.parametrize("name", programs_of(AREA, "bad"))
def test_broken_fixture_is_flagged_by_exactly_its_rule_on_the_marked_line(
    audited: dict[str, AuditResult], name: str
) -> None:
    assert found(audited[name]) == expected(name), described(audited[name])


@pytest.mark.parametrize("name", programs_of(AREA, "good"))
def test_fixed_fixture_is_clean(audited: dict[str, AuditResult], name: str) -> None:
    assert described(audited[name]) == []
