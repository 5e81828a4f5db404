"""How Discourse's composer writes a form submission into a post's raw, from a template's fields."""

from __future__ import annotations

from typing import Any

import yaml


def template_fields(template_yaml: str) -> list[dict[str, Any]]:
    """The fields of a template's YAML (an invalid template has none)."""
    try:
        fields = yaml.safe_load(template_yaml)
    except yaml.YAMLError:
        return []
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def render_form_submission(
    template_yaml: str, values: dict[str, str | list[str]], headings: str = "label"
) -> str:
    """The post raw the composer writes from a form (prepareFormTemplateData), in field order.

    As the browser's FormData: a field missing from `values` is not submitted; a checkbox is
    submitted as "on" when its value is truthy; a list is one entry per value, joined with "\\n".
    Every submitted entry becomes "### <label|id>\\n<value>"; an empty one becomes an empty block,
    so it adds a blank separator (Discourse joins `undefined` as "").
    """
    blocks: list[str] = []
    for field in template_fields(template_yaml):
        field_id = str(field.get("id", ""))
        if field_id not in values:
            continue
        value = values[field_id]
        if field.get("type") == "checkbox":
            if isinstance(value, list) or str(value).lower() in ("", "false", "0", "off", "no"):
                continue  # an unchecked box is not in the FormData
            value = "on"
        if isinstance(value, list):
            if not value:
                continue  # nothing selected: no FormData entry
            value = "\n".join(str(v) for v in value)
        if headings == "id":
            heading = field_id
        else:
            attributes = field.get("attributes")
            label = attributes.get("label") if isinstance(attributes, dict) else None
            heading = "undefined" if label is None else str(label)  # JS interpolates a missing label
        blocks.append(f"### {heading}\n{value}" if value else "")
    return "\n\n".join(blocks)
