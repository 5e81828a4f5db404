"""Tag groups and tags: validations, visibility and the JSON of Discourse's tag serializers."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.guardian import FULL, can_see_category
from discourse_sandbox.core.params import as_list
from discourse_sandbox.core.records import Category, Tag, TagGroup, User
from discourse_sandbox.core.state import State
from discourse_sandbox.taxonomy import clean_tag_name


def resolve_permissions(state: State, permissions: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """Group.group_id_from_param for each key (a name or an id): {group name: level}, or errors."""
    resolved: dict[str, int] = {}
    for key, level in permissions.items():
        text = str(key)
        group = state.groups.get(int(text)) if text.isdigit() else state.group_by_name(text)
        if group is None:
            return {}, ["unknown group"]
        try:
            resolved[group.name] = int(level)
        except (TypeError, ValueError):
            return {}, ["unknown group"]
    return resolved, []


def find_or_create_tag(state: State, raw: str, max_length: int) -> Tag | None:
    """Tag.find_by_name || Tag.create for a cleaned name (None when nothing is left of it)."""
    name = clean_tag_name(raw, max_length)
    if not name:
        return None
    tag = state.tags.get(name)
    if tag is None:
        tag = Tag(id=state.next_id("tags"), name=name)
        state.tags[name] = tag
    return tag


def tag_group_changes(params: dict[str, Any]) -> dict[str, Any]:
    """TagGroupsController#tag_groups_params: keys top level or under tag_group[...].

    As Discourse, absent tags / parent tag clear them and an absent one_per_topic is false,
    on update too; `tags[][id|name]` is the 2026 form, `tag_names[]` the deprecated one.
    """
    merged = dict(params)
    nested = merged.pop("tag_group", None)
    if isinstance(nested, dict):
        merged.update(nested)
    changes: dict[str, Any] = {"tag_names": [], "tag_ids": [], "parent_tag_name": []}
    if "name" in merged:
        changes["name"] = "" if merged["name"] is None else str(merged["name"])
    tags = _items(merged.get("tags"))
    if tags:
        changes["tag_ids"] = [int(t["id"]) for t in tags if str(t.get("id", "")).isdigit()]
        changes["tag_names"] = [str(t["name"]) for t in tags
                                if not t.get("id") and t.get("name") not in (None, "")]
    else:
        changes["tag_names"] = as_list(merged.get("tag_names"))
    parents = _items(merged.get("parent_tag"))
    if parents:
        changes["parent_tag_ids"] = [int(p["id"]) for p in parents[:1] if str(p.get("id", "")).isdigit()]
        changes["parent_tag_name"] = [str(p["name"]) for p in parents[:1]
                                      if not p.get("id") and p.get("name") not in (None, "")]
    else:
        changes["parent_tag_name"] = as_list(merged.get("parent_tag_name"))
    changes["one_per_topic"] = merged.get("one_per_topic") in (True, "true")
    if isinstance(merged.get("permissions"), dict):
        changes["permissions"] = merged["permissions"]
    return changes


def _items(value: Any) -> list[dict[str, Any]]:
    """A `tags[][name]=` style param: a list of hashes (a {"0": {...}} hash from some clients)."""
    if isinstance(value, dict):
        value = list(value.values()) if all(isinstance(v, dict) for v in value.values()) else [value]
    if not isinstance(value, list):
        return []
    # A plain list of strings (JSON clients) is read as names.
    return [v if isinstance(v, dict) else {"name": str(v)} for v in value if v not in (None, "")]


def apply_tag_group(
    state: State, group: TagGroup, changes: dict[str, Any], max_tag_length: int, is_new: bool
) -> tuple[list[str], list[str]]:
    """Validate and apply; returns (errors, names of the tags it created)."""
    name = changes.get("name", group.name).strip()
    if not name:
        return ["Name can't be blank"], []
    if any(g.name.lower() == name.lower() and (is_new or g.id != group.id)
           for g in state.tag_groups.values()):
        return ["Name has already been taken"], []
    permissions, errors = resolve_permissions(state, changes.get("permissions", group.permissions))
    if errors:
        return errors, []
    before = set(state.tags)
    group.tag_names = _tag_names(state, changes.get("tag_ids", []), changes.get("tag_names", []),
                                 max_tag_length)
    group.parent_tag_name = _tag_names(state, changes.get("parent_tag_ids", []),
                                       changes.get("parent_tag_name", []), max_tag_length)[:1]
    group.name = name
    group.one_per_topic = bool(changes.get("one_per_topic", False))
    group.permissions = permissions or {"everyone": FULL}
    return [], sorted(set(state.tags) - before)


def _tag_names(state: State, ids: list[int], raw_names: list[str], max_length: int) -> list[str]:
    """Existing tags by id, then tags by (cleaned) name, created when missing."""
    by_id = {t.id: t.name for t in state.tags.values()}
    names = [by_id[i] for i in ids if i in by_id]
    for raw in raw_names:
        tag = find_or_create_tag(state, raw, max_length)
        if tag is not None and tag.name not in names:
            names.append(tag.name)
    return names


def create_tag_group(
    state: State, changes: dict[str, Any], max_tag_length: int
) -> tuple[TagGroup | None, list[str], list[str]]:
    """A new tag group (id on success) with its tags created; (group, errors, created tag names)."""
    group = TagGroup(id=0, name="")
    errors, created = apply_tag_group(state, group, changes, max_tag_length, is_new=True)
    if errors:
        return None, errors, []
    group.id = state.next_id("tag_groups")
    state.tag_groups[group.id] = group
    return group, [], created


def tag_categories(state: State, tag: Tag, user: User | None) -> list[Category]:
    """Categories a tag is restricted to (directly or through a tag group), that the user sees."""
    groups = {g.name for g in state.tag_groups.values() if tag.name in g.tag_names}
    return [c for c in sorted(state.categories.values(), key=lambda c: c.id)
            if (tag.name in c.allowed_tags or groups & set(c.allowed_tag_groups))
            and can_see_category(state, c, user)]


def rename_tag(state: State, tag: Tag, new_name: str) -> list[str]:
    """Rename a tag everywhere its name is used as a key (topics, tag groups, categories)."""
    if new_name == tag.name:
        return []
    if new_name in state.tags or any(n.lower() == new_name.lower() for n in state.tags):
        return ["Name has already been taken"]
    old = tag.name
    del state.tags[old]
    tag.name = new_name
    state.tags[new_name] = tag
    _replace_tag_name(state, old, new_name)
    return []


def delete_tag(state: State, tag: Tag) -> None:
    """Tag#destroy: the tag leaves every topic, tag group and category."""
    del state.tags[tag.name]
    _replace_tag_name(state, tag.name, None)


def _replace_tag_name(state: State, old: str, new: str | None) -> None:
    def swap(names: list[str]) -> list[str]:
        if new is None:
            return [n for n in names if n != old]
        return [new if n == old else n for n in names]

    for topic in state.topics.values():
        topic.tags = swap(topic.tags)
    for group in state.tag_groups.values():
        group.tag_names = swap(group.tag_names)
        group.parent_tag_name = swap(group.parent_tag_name)
    for category in state.categories.values():
        category.allowed_tags = swap(category.allowed_tags)
    for hook in state.web_hooks.values():
        hook.tag_names = swap(hook.tag_names)
