"""The import graph of a package, read by grimp: circles between modules, and imports written inside
functions (each one a way to hide a circle or a slow start)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

from tests import paths


def cycles(package: str) -> list[list[str]]:
    """Every group of modules of `package` that import each other in a circle (Tarjan's strongly
    connected components over direct imports, TYPE_CHECKING imports included)."""
    graph = grimp.build_graph(package, cache_dir=None)
    edges = {m: graph.find_modules_directly_imported_by(m) & graph.modules for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        # iterative Tarjan: a deep package must not hit the recursion limit
        work = [(module, iter(sorted(edges[module])))]
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def imports_in_functions(package: str) -> list[str]:
    """`file:line import ...` for every import statement inside a function or class body."""
    found = []
    for path in sorted((paths.ROOT / package).rglob("*.py")):
        if path.parent.is_symlink() or any(p.is_symlink() for p in path.parents if p != paths.ROOT):
            continue  # the packaged config and migrations are links out of the package
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        found.append(f"{_relative(path)}:{inner.lineno} {ast.unparse(inner)}")
    return found


def _relative(path: Path) -> str:
    return str(path.relative_to(paths.ROOT))
