"""Categories, tags and tag groups: permissions, tag names, and the seed sections for them."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from discourse_sandbox.core.guardian import FULL
from discourse_sandbox.core.records import Tag, User
from discourse_sandbox.core.state import State
from discourse_sandbox.forms import render_form_submission, seed_form_templates
from discourse_sandbox.seed_checks import reject_unknown_keys, seed_entries

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

__all__ = [
    "clean_tag_name", "ensure_tags", "render_form_submission", "seed_categories",
    "seed_form_templates", "seed_tag_groups",
]

# DiscourseTagging::TAGS_FILTER_REGEXP: characters a tag name may not hold.
_TAG_FORBIDDEN = re.compile(r"[/?#\[\]@!$&'()*+,;=.%\\`^\s|{}\"<>]+")


# --- permissions -----------------------------------------------------------------------------


# --- tags ------------------------------------------------------------------------------------

def clean_tag_name(name: str, max_length: int | None = None) -> str:
    """DiscourseTagging.clean_tag: lowercase (force_lowercase_tags), spaces to dashes, no punctuation
    Discourse forbids in tags, dashes squeezed and trimmed, cut to max_tag_length when given."""
    name = re.sub(r"\s+", "-", unicodedata.normalize("NFC", name).lower().strip())
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] in "LMNP")  # [[:word:][:punct:]]
    name = _TAG_FORBIDDEN.sub("", name)
    name = re.sub(r"-+", "-", name).strip("-")
    return name[:max_length] if max_length is not None else name


def ensure_tags(state: State, names: list[str], user: User | None, max_length: int = 20) -> list[str]:
    """Tags for a topic: existing ones, plus new ones when the poster may create tags.

    create_tag_allowed_groups defaults to admins, staff and trust_level_3.
    """
    result: list[str] = []
    for raw in names:
        name = clean_tag_name(raw, max_length)
        if not name or name in result:
            continue
        if name not in state.tags:
            if user is None or not (user.staff or user.trust_level >= 3):
                continue  # Discourse silently drops tags the poster may not create
            state.tags[name] = Tag(id=state.next_id("tags"), name=name)
        result.append(name)
    return result


# --- seed ------------------------------------------------------------------------------------

def seed_tag_groups(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `tag_groups`: [{name, tags, one_per_topic?, parent_tag?, permissions?}]."""
    from discourse_sandbox.tag_groups import create_tag_group

    state = sandbox.state
    with state.transaction():
        for where, entry in seed_entries("tag_groups", entries, "name"):
            changes = {
                "name": str(entry["name"]),
                "tag_names": [str(t) for t in entry.get("tags") or []],
                "parent_tag_name": _as_names(entry.get("parent_tag")),
                "one_per_topic": bool(entry.get("one_per_topic", False)),
                "permissions": entry.get("permissions") or {"everyone": FULL},
            }
            _group, errors, _created = create_tag_group(state, changes, sandbox.settings.max_tag_length)
            if errors:
                raise ValueError(f"{where} ({entry['name']}): {'; '.join(errors)}")


def seed_categories(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `categories`: [{name, slug?, color?, permissions?, form_templates?, parent?...}]."""
    from discourse_sandbox.categories import create_category

    state = sandbox.state
    with state.transaction():
        for where, entry in seed_entries("categories", entries, "name"):
            changes = _seed_category_changes(state, entry, where)
            _category, errors = create_category(state, changes, sandbox.clock.now())
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
