"""Every word the dashboard's templates show is in the three catalogues (fr first, ar, en)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import paths

TEMPLATES = paths.ROOT / "sync_service" / "entrypoints" / "dashboard" / "templates" / "dashboard"
KEY = re.compile(r"""\bt\('([a-z_.]+)'(?!\s*~)""")  # a key with a part added (~) is not spelled whole
SPELLED = [(template.name, key) for template in sorted(TEMPLATES.glob("*.html"))
           for key in KEY.findall(template.read_text(encoding="utf-8"))]


def _catalogue(lang: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(Path(paths.ROOT / "config" / "locales" / f"{lang}.yaml").read_text(
        encoding="utf-8"))
    return found


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_every_word_of_the_templates_is_in_the_catalogue(lang: str) -> None:
    catalogue = _catalogue(lang)
    missing = []
    for template, key in SPELLED:
        node: Any = catalogue if key.startswith("report.") else catalogue["dashboard"]
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, str | dict):
            missing.append(f"{template}: {key}")
    assert SPELLED and missing == []
