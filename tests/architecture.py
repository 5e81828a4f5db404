"""The import graph of a package, read by grimp: circles between modules, and imports written anywhere
but at the top of a module (each one a way to hide a circle or a slow start)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp

from tests.paths import ROOT


def cycles(package: str) -> list[list[str]]:
    """Every group of modules of `package` that import each other in a circle (TYPE_CHECKING imports
    count: grimp keeps them)."""
    graph = grimp.build_graph(package, cache_dir=None)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    return [c for c in strongly_connected(edges) if len(c) > 1]


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the strongly connected components of the import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def is_type_checking(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def misplaced_imports(path: Path, base: Path) -> list[str]:
    """Imports anywhere but the module's top level or a top-level `if TYPE_CHECKING:` block."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    allowed = {id(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)}
    for block in (n for n in tree.body if isinstance(n, ast.If) and is_type_checking(n)):
        allowed |= {id(n) for n in block.body if isinstance(n, ast.Import | ast.ImportFrom)}
    return [f"{path.relative_to(base)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in allowed]


def sources(package: str) -> list[Path]:
    """The package's own modules (not the files its links to config/ and migrations/ lead to)."""
    root = ROOT / package
    links = [d for d in root.iterdir() if d.is_symlink()]
    return sorted(p for p in root.rglob("*.py") if not any(link in p.parents for link in links))
