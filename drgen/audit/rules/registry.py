"""The rules, found where they live: one module per rule, in one package per area.

A new rule is a new file in its area's folder (`network/`, `dns/`, ...) declaring one
`@rule(...)`; nothing else lists it. Rules run, and are reported, in the order of their ids.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from drgen.audit.rules.base import Rule


def discover(package: ModuleType) -> list[Rule]:
    """Every rule in the package's area subpackages, by id number; exactly one per module."""
    found: list[Rule] = []
    for area in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        if not area.ispkg:
            continue
        subpackage = importlib.import_module(area.name)
        for info in pkgutil.iter_modules(subpackage.__path__, f"{area.name}."):
            module = importlib.import_module(info.name)
            rules = [v for v in vars(module).values() if isinstance(v, Rule)]
            if len(rules) != 1:
                raise ImportError(f"{info.name}: expected one audit rule, found {len(rules)}")
            found.append(rules[0])
    ids = [r.id for r in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ImportError(f"{package.__name__}: rule ids used twice: {', '.join(duplicates)}")
    return sorted(found, key=lambda r: int(r.id[1:]))


def _rules_package() -> ModuleType:
    return importlib.import_module(__name__.rsplit(".", 1)[0])


RULES = discover(_rules_package())
RULES_BY_ID = {rule.id: rule for rule in RULES}
