"""Stylelint with Discourse's configuration, and logical properties only (Arabic is right to left)."""

import re

from tests.plugin import tooling

PHYSICAL = re.compile(r"^\s*(margin|padding|border)-(left|right)\b|^\s*(left|right)\s*:|"
                      r"text-align\s*:\s*(left|right)|float\s*:\s*(left|right)", re.MULTILINE)


def test_stylelint_finds_no_problem(node_modules: None) -> None:
    result = tooling.npx("stylelint", "assets/stylesheets/**/*.scss")
    assert result.returncode == 0, tooling.report(result)


def test_styles_use_logical_properties_only() -> None:
    for sheet in (tooling.PLUGIN / "assets" / "stylesheets").rglob("*.scss"):
        found = PHYSICAL.findall(sheet.read_text())
        assert not found, f"{sheet.name}: left/right properties break the Arabic layout: {found}"
