"""domain/ stays pure: no I/O library may be imported there (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests import paths

DOMAIN = paths.ROOT / "sync_service" / "domain"
FORBIDDEN = {"flask", "sqlalchemy", "requests", "pydiscourse", "yaml", "alembic", "psycopg",
             "socket", "urllib", "http", "subprocess", "click", "werkzeug", "gunicorn"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_no_io_library() -> None:
    offenders = {
        str(path.relative_to(DOMAIN)): sorted(_imported_roots(path) & FORBIDDEN)
        for path in DOMAIN.rglob("*.py")
    }

    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_purity_check_detects_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from sqlalchemy import select\nimport requests\n", encoding="utf-8")

    assert _imported_roots(module) & FORBIDDEN == {"sqlalchemy", "requests"}
