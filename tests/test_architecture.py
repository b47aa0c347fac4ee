"""The layout docs/internals.md describes, measured: layers, cycles, typer's place, sizes.

Every `drgen` import of every module counts, the lazy ones inside functions included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

DRGEN = Path(__file__).resolve().parent.parent / "drgen"

#: Each part of drgen and its layer: a module imports only from its own layer or below.
LAYERS: dict[str, int] = {
    "console": 4,
    "__main__": 4,
    "cli": 3,
    "commands": 2,
    "answers": 1,
    "project": 1,
    "verification": 1,
    "update": 1,
    "posture": 1,
    "audit": 1,
    "errors": 0,
    "files": 0,
    "text": 0,
    "forked": 0,
    "interrupts": 0,
    "__init__": 0,
}
#: A module a reader holds in their head (docs/internals.md: "a few hundred lines").
MOST_LINES = 400


def modules() -> list[Path]:
    return sorted(DRGEN.rglob("*.py"))


def name_of(path: Path) -> str:
    parts = path.relative_to(DRGEN.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def imports(path: Path) -> Iterator[str]:
    """The modules `path` imports, absolute (relative imports resolved against its package)."""
    package = name_of(path) if path.name == "__init__.py" else name_of(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def drgen_imports(path: Path) -> set[str]:
    known = {name_of(p) for p in modules()}
    return {m for m in imports(path) if m.startswith("drgen") and m in known} - {name_of(path)}


def test_every_part_has_a_layer() -> None:
    parts = {part_of(name_of(path)) for path in modules()}
    assert parts <= set(LAYERS), f"parts without a layer in LAYERS: {sorted(parts - set(LAYERS))}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(DRGEN)))
def test_no_import_runs_back_up_the_layers(path: Path) -> None:
    own = LAYERS[part_of(name_of(path))]
    upward = sorted(m for m in drgen_imports(path) if LAYERS[part_of(m)] > own)
    assert not upward, f"{name_of(path)} (layer {own}) imports from above: {upward}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(DRGEN)))
def test_only_the_cli_imports_typer(path: Path) -> None:
    if part_of(name_of(path)) == "cli":
        return
    assert not {m for m in imports(path) if m.split(".")[0] == "typer"}, (
        f"{name_of(path)} imports typer: options, prompts' triggers and printing live in drgen.cli"
    )


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(DRGEN)))
def test_no_module_is_past_a_few_hundred_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MOST_LINES, f"{path.relative_to(DRGEN.parent)} has {lines} lines"


@pytest.mark.integration
def test_the_parts_import_one_another_without_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for path in modules():
        part = part_of(name_of(path))
        graph.setdefault(part, set()).update(
            p for p in map(part_of, drgen_imports(path)) if p != part
        )
    seen: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(part: str, path: list[str]) -> None:
        seen[part] = 1
        for needed in sorted(graph.get(part, ())):
            assert seen.get(needed) != 1, f"a cycle of parts: {' -> '.join([*path, needed])}"
            if needed not in seen:
                walk(needed, [*path, needed])
        seen[part] = 2

    for part in sorted(graph):
        if part not in seen:
            walk(part, [part])


def test_the_audit_child_imports_nothing_of_drgen() -> None:
    """It runs under the audited program's interpreter, where drgen may not be installed."""
    for path in (DRGEN / "audit" / "child").glob("*.py"):
        outside = sorted(m for m in drgen_imports(path) if not m.startswith("drgen.audit.child"))
        assert not outside, f"{name_of(path)} imports {outside}"


def test_the_checks_see_a_real_import() -> None:
    """The walk itself: the CLI's `new` reaches the commands, which reach the answers."""
    assert "drgen.commands.new" in drgen_imports(DRGEN / "cli" / "new.py")
    assert "drgen.answers.sources" in drgen_imports(DRGEN / "commands" / "new.py")
    relative = drgen_imports(DRGEN / "audit" / "rules" / "registry.py")
    assert any(m.startswith("drgen.audit.rules.") for m in relative), relative
