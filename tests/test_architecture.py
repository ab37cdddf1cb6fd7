"""The package graph: acyclic, and every import points down the layers of docs/architecture.md.

The graph is read from the source (every ``import`` and ``from ... import``, at module level or
inside a function), so an import hidden in a function to dodge a cycle still counts. Imports
under ``if TYPE_CHECKING:`` only name types for annotations and are left out.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "backchannel"

# Lowest first; a package may import its own layer's modules and any layer below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("problems", "randomness"),
    ("space",),
    ("channel",),
    ("timeline",),
    ("scenario",),
    ("analysis",),
    ("agents",),
    ("protocols",),
    ("experiments",),
    ("report",),
    ("service",),
    ("cli",),
)
RANK = {package: rank for rank, names in enumerate(LAYERS) for package in names}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """``(backchannel.x.y, line)`` for every runtime import of the package in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "backchannel":
                found += [(f"backchannel.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((node.module, node.lineno))
    return [(name, line) for name, line in found if name.startswith("backchannel.")]


def package_of(path: Path) -> str:
    relative = path.relative_to(SOURCE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def package_edges() -> dict[tuple[str, str], list[str]]:
    """``(importer, imported) -> ["file:line", ...]`` between different top-level packages."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(SOURCE.rglob("*.py")):
        source = package_of(path)
        for module, line in imported_modules(path):
            target = module.split(".")[1]
            if target != source:
                edges[(source, target)].append(f"{path.relative_to(SOURCE.parent)}:{line}")
    return edges


def find_cycle(edges: dict[tuple[str, str], list[str]]) -> list[str] | None:
    """One cycle of packages, or None (depth-first search)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_package_has_a_layer() -> None:
    packages = {package_of(p) for p in SOURCE.rglob("*.py")} - {"__init__", "__main__"}
    assert packages <= set(RANK), f"add {sorted(packages - set(RANK))} to LAYERS and the docs"


def test_the_package_graph_has_no_cycle() -> None:
    cycle = find_cycle(package_edges())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_only_point_down_the_layers() -> None:
    upward = [
        f"{source} -> {target} ({', '.join(places)})"
        for (source, target), places in sorted(package_edges().items())
        if source in RANK and target in RANK and RANK[target] > RANK[source]
    ]
    assert not upward, "imports up the layers:\n" + "\n".join(upward)


def test_no_module_imports_a_private_name_of_another_package() -> None:
    private = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backchannel."):
                if node.module.split(".")[1] == package_of(path):  # type: ignore[union-attr]
                    continue
                private += [
                    f"{path.relative_to(SOURCE.parent)}:{node.lineno} {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert not private, "private names used across packages:\n" + "\n".join(private)


# The checker itself must be able to fail: a cycle and an upward import in a made-up tree.
@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({("a", "b"): [], ("b", "c"): [], ("c", "a"): []}, ["a", "b", "c", "a"]),
        ({("a", "b"): [], ("b", "c"): []}, None),
    ],
)
def test_find_cycle(edges: dict, cycle: list[str] | None) -> None:
    assert find_cycle(edges) == cycle


def test_function_level_imports_count(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from backchannel.cli.main import app\n"
        "def f():\n"
        "    from backchannel.service.app import create_app\n"
        "    import backchannel.report.brief\n"
    )
    assert imported_modules(module) == [
        ("backchannel.service.app", 5),
        ("backchannel.report.brief", 6),
    ]
