"""The sandbox's import graph: no cycle, layers that point one way, imports at the top only."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

from tests.architecture import misplaced_imports, strongly_connected
from tests.paths import ROOT

PACKAGE = "discourse_sandbox"
SOURCES = sorted((ROOT / PACKAGE).rglob("*.py"))

# Highest first; a layer may import the layers below it, never those above. Modules named in one
# Layer are siblings that must not import each other.
LAYERS = (
    grimp.Layer("__main__"),
    grimp.Layer("sandbox"),
    grimp.Layer("app"),
    grimp.Layer("control"),
    grimp.Layer("routes", "seed", "webhooks", independent=True),
    grimp.Layer("models", "serializers", independent=True),
    grimp.Layer("core"),
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None)


def _direct_imports(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def _area(module: str) -> str:
    """discourse_sandbox.models.posts -> models."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert sorted(c for c in strongly_connected(edges) if len(c) > 1) == [["a", "b", "c"]]


def test_no_module_imports_itself_back_through_others(graph: grimp.ImportGraph) -> None:
    # TYPE_CHECKING imports count: grimp.build_graph keeps them unless told otherwise.
    cycles = [c for c in strongly_connected(_direct_imports(graph)) if len(c) > 1]

    assert cycles == []


def test_layers_point_one_way(graph: grimp.ImportGraph) -> None:
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={PACKAGE})

    assert sorted(f"{d.importer} -> {d.imported}" for d in illegal) == []


@pytest.mark.parametrize(("area", "allowed"), [
    ("core", set()),
    ("models", {"core"}),
    ("serializers", {"core"}),
    ("routes", {"core", "models", "serializers"}),
])
def test_an_area_imports_only_the_layers_below_it(graph: grimp.ImportGraph, area: str,
                                                  allowed: set[str]) -> None:
    imported = {
        f"{module} -> {target}"
        for module, targets in _direct_imports(graph).items() if _area(module) == area
        for target in targets if _area(target) not in allowed | {area}
    }

    assert sorted(imported) == []


def test_areas_reach_each_other_through_the_backend(graph: grimp.ImportGraph) -> None:
    # The areas are what models/backend.py composes; they may share the rule modules (posting,
    # changes, group_rules, ...) but never import one another: a sibling comes through the backend.
    areas = {m for m in graph.find_modules_directly_imported_by(f"{PACKAGE}.models.backend")
             if _area(m) == "models"} - {f"{PACKAGE}.models.site"}
    crossing = {
        f"{area} -> {target}"
        for area in areas for target in graph.find_modules_directly_imported_by(area) if target in areas
    }

    assert len(areas) > 10
    assert sorted(crossing) == []


def test_imports_sit_at_the_top_of_modules() -> None:
    misplaced = [where for path in SOURCES for where in misplaced_imports(path, ROOT)]

    assert SOURCES
    assert misplaced == []


def test_nothing_is_imported_by_name_at_run_time() -> None:
    dynamic = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Name):
                names = [node.id]
            if any(n.split(".")[0] in ("importlib", "__import__") for n in names):
                dynamic.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")

    assert dynamic == []


def test_the_misplaced_import_check_sees_imports_in_functions_and_classes(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import os\n\n\n"
                      "def f() -> None:\n    import json\n\n\nclass C:\n    from os import path\n",
                      encoding="utf-8")

    assert misplaced_imports(module, tmp_path) == ["probe.py:8", "probe.py:12"]
