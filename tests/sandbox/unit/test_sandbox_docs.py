"""docs/sandbox.md's endpoint table is the sandbox's url_map, row for row."""

from __future__ import annotations

import re

from discourse_sandbox import Sandbox
from tests.paths import ROOT

ROW = re.compile(r"^\| (GET|POST|PUT|DELETE|PATCH) \| `([^`]+)` \|", re.MULTILINE)


def _served() -> set[tuple[str, str]]:
    rows = set()
    for rule in Sandbox().app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        rows |= {(method, path) for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    return rows


def test_the_endpoint_table_lists_exactly_what_the_sandbox_serves() -> None:
    text = (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")
    section = text.split("## Endpoints covered", 1)[1].split("\n## ", 1)[0]
    documented = set(ROW.findall(section))
    served = _served()

    assert sorted(served - documented) == []
    assert sorted(documented - served) == []
