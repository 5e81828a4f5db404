"""Seed sections `form_templates`, `tag_groups` and `categories`, validated as the API validates them."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.guardian import FULL
from discourse_sandbox.core.records import FormTemplate
from discourse_sandbox.core.state import State
from discourse_sandbox.models.category_rules import create_category
from discourse_sandbox.models.form_templates import form_template_errors
from discourse_sandbox.models.tag_groups import create_tag_group
from discourse_sandbox.seed.checks import reject_unknown_keys, seed_entries
from discourse_sandbox.seed.target import SeedTarget


def seed_form_templates(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `form_templates`: [{name, template}], validated as Discourse does."""
    state = target.state
    with state.transaction():
        for i, entry in enumerate(entries or []):
            if not isinstance(entry, dict):
                raise ValueError(f"form_templates[{i}]: expected a mapping with keys name, template")
            errors = form_template_errors(state, entry.get("name"), entry.get("template"))
            if errors:
                raise ValueError(f"form_templates[{i}] ({entry.get('name')}): {'; '.join(errors)}")
            form_id = state.next_id("form_templates")
            state.form_templates[form_id] = FormTemplate(
                id=form_id, name=str(entry["name"]), template=str(entry["template"]))


def seed_tag_groups(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `tag_groups`: [{name, tags, one_per_topic?, parent_tag?, permissions?}]."""

    state = target.state
    with state.transaction():
        for where, entry in seed_entries("tag_groups", entries, "name"):
            changes = {
                "name": str(entry["name"]),
                "tag_names": [str(t) for t in entry.get("tags") or []],
                "parent_tag_name": _as_names(entry.get("parent_tag")),
                "one_per_topic": bool(entry.get("one_per_topic", False)),
                "permissions": entry.get("permissions") or {"everyone": FULL},
            }
            _group, errors, _created = create_tag_group(state, changes, target.settings.max_tag_length)
            if errors:
                raise ValueError(f"{where} ({entry['name']}): {'; '.join(errors)}")


def seed_categories(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `categories`: [{name, slug?, color?, permissions?, form_templates?, parent?...}]."""

    state = target.state
    with state.transaction():
        for where, entry in seed_entries("categories", entries, "name"):
            changes = _seed_category_changes(state, entry, where)
            _category, errors = create_category(state, changes, target.clock.now())
            if errors:
                raise ValueError(f"{where} ({entry['name']}): {'; '.join(errors)}")


_SEED_CATEGORY_KEYS = ("slug", "color", "text_color", "description", "search_priority", "style_type",
                       "emoji", "icon", "allow_badges", "topic_template", "position")


def _seed_category_changes(state: State, entry: dict[str, Any], where: str) -> dict[str, Any]:
    reject_unknown_keys(where, entry, {"name", "parent", "permissions", "form_templates", "allowed_tags",
                                       "allowed_tag_groups", *_SEED_CATEGORY_KEYS})
    changes: dict[str, Any] = {k: entry[k] for k in _SEED_CATEGORY_KEYS if entry.get(k) is not None}
    changes["name"] = str(entry["name"])
    template_ids = []
    for name in entry.get("form_templates") or []:
        found = next((f.id for f in state.form_templates.values() if f.name == name), None)
        if found is None:
            raise ValueError(f"{where}: key 'form_templates': no form template named {name!r}")
        template_ids.append(found)
    changes["form_template_ids"] = template_ids
    if entry.get("parent"):
        parent = state.category_by_slug(str(entry["parent"]))
        if parent is None:
            raise ValueError(f"{where}: key 'parent': no category with slug {entry['parent']!r}")
        changes["parent_category_id"] = parent.id
    permissions: dict[str, int] = {}
    for group, level in (entry.get("permissions") or {"everyone": FULL}).items():
        found_group = state.group_by_name(str(group))
        if found_group is None:
            raise ValueError(f"{where}: key 'permissions': no group named {group!r}")
        permissions[found_group.name] = int(level)
    changes["permissions"] = permissions
    changes["allowed_tags"] = _as_names(entry.get("allowed_tags"))
    changes["allowed_tag_groups"] = _as_names(entry.get("allowed_tag_groups"))
    return changes


def _as_names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]
