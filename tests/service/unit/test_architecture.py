"""The service reads as the layers it has: no circle between its modules, and imports at the top of
modules except where loading on demand is the point (each one says why)."""

from __future__ import annotations

from tests.architecture import cycles, misplaced_imports, sources
from tests.paths import ROOT

# Imports kept inside a function on purpose: heavy to load, and needed by few commands.
ON_DEMAND = {
    "sync_service/__init__.py": "create_app: `import sync_service` must not load Flask and every adapter",
    "sync_service/adapters/embedding.py": "the sentence encoder's weights take seconds to load",
    "sync_service/adapters/assignment_solver.py": "OR-Tools is needed by `codev match --assign` only",
}


def test_no_module_of_the_service_imports_itself_back_through_others() -> None:
    assert cycles("sync_service") == []


def test_imports_sit_at_the_top_of_modules_except_the_ones_loaded_on_demand() -> None:
    inside = [where for path in sources("sync_service") for where in misplaced_imports(path, ROOT)
              if where.split(":")[0] not in ON_DEMAND]

    assert inside == []
