"""Tag groups: TagGroup's validations, creating one with its tags, and TagGroupsController."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.errors import fail, found
from discourse_sandbox.core.events import TagEvent
from discourse_sandbox.core.guardian import FULL, tag_group_visible
from discourse_sandbox.core.records import TagGroup, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.group_rules import resolve_permissions
from discourse_sandbox.models.site import Site
from discourse_sandbox.models.tag_names import find_or_create_tag


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


class TagGroups:
    """TagGroupsController over the site's tag groups; they answer even while tagging is off."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def all(self) -> list[TagGroup]:
        """Every tag group, by name."""
        with self.site.state.transaction() as state:
            return sorted(state.tag_groups.values(), key=lambda gr: gr.name)

    def get(self, group_id: int) -> TagGroup:
        """One tag group, or 404."""
        with self.site.state.transaction() as state:
            return found(state.tag_groups.get(group_id))

    def create(self, changes: dict[str, Any]) -> TagGroup:
        """A new tag group and any tag it names (tag_created each); 422 with the model's errors."""
        with self.site.state.transaction() as state:
            group, errors, created = create_tag_group(state, changes, self.site.settings.max_tag_length)
            if group is None:
                fail(422, errors)
            self._announce(state, created)
            return group

    def update(self, group_id: int, changes: dict[str, Any]) -> TagGroup:
        """Validate a copy and put it in place; the tags it names are created (tag_created each)."""
        with self.site.state.transaction() as state:
            group = found(state.tag_groups.get(group_id))
            draft = TagGroup(**vars(group))
            errors, created = apply_tag_group(state, draft, changes, self.site.settings.max_tag_length, False)
            if errors:
                fail(422, errors)
            state.tag_groups[group_id] = draft
            self._announce(state, created)
            return draft

    def destroy(self, group_id: int) -> None:
        """Delete the group (its tags stay) and drop it from categories."""
        with self.site.state.transaction() as state:
            group = found(state.tag_groups.get(group_id))
            del state.tag_groups[group.id]
            for category in state.categories.values():
                category.allowed_tag_groups = [n for n in category.allowed_tag_groups if n != group.name]

    def search(self, viewer: User | None, q: str, names: set[str], limit: int) -> list[TagGroup]:
        """Visible groups whose name holds `q` (and is among lowercased `names`), by name, at most `limit`."""
        with self.site.state.transaction() as state:
            groups = [gr for gr in state.tag_groups.values() if tag_group_visible(state, gr, viewer)]
            if q:
                needle = q.strip().lower()
                groups = [gr for gr in groups if needle in gr.name.lower()]
            if names:
                groups = [gr for gr in groups if gr.name.lower() in names]
            groups.sort(key=lambda gr: gr.name)
            return groups[:limit]

    def named(self, name: str) -> TagGroup | None:
        """The tag group of this name (case-insensitive), created when missing (None if invalid)."""
        with self.site.state.transaction() as state:
            group = next((gr for gr in state.tag_groups.values() if gr.name.lower() == name.lower()), None)
            if group is None:
                max_length = self.site.settings.max_tag_length
                group, _errors, _created = create_tag_group(state, {"name": name}, max_length)
            return group

    def _announce(self, state: State, created: list[str]) -> None:
        for name in created:
            self.site.events.emit(TagEvent("tag_created", state.tags[name]))
