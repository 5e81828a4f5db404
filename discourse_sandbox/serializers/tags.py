"""Tag serializers: a topic's tags, TagSerializer, tag_counts_json and TagGroupSerializer."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from discourse_sandbox.core.guardian import FULL
from discourse_sandbox.core.queries import staff_tag, tag_topic_counts
from discourse_sandbox.core.records import Tag, TagGroup, User
from discourse_sandbox.core.state import State

_SLUG_FORBIDDEN = re.compile(r"[^a-z0-9]+")


def tag_slug(tag: Tag) -> str:
    """Tag#slug_for_url: the ASCII slug of the name, or "<id>-tag" when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", tag.name).encode("ascii", "ignore").decode()
    slug = _SLUG_FORBIDDEN.sub("-", ascii_name.lower()).strip("-")
    return slug or f"{tag.id}-tag"


def serialize_topic_tags(state: State, names: list[str], tags_format: str) -> list[Any]:
    """A topic's `tags`: names (Discourse ≤ 2025) or {id, name, slug} objects (2026+).

    TopicTagsMixin sorts by topic count and reverses (tags_sort_alphabetically off): most used first.
    The order the tags were given in does not count; ties go by tag id, reversed with the rest.
    """
    known = [n for n in names if n in state.tags]
    if len(known) > 1:
        counts = {n: 0 for n in known}
        for topic in state.topics.values():
            if topic.deleted_at is None:
                for n in topic.tags:
                    if n in counts:
                        counts[n] += 1
        known.sort(key=lambda n: (counts[n], state.tags[n].id), reverse=True)
    if tags_format == "strings":
        return known
    return [{"id": state.tags[n].id, "name": n, "slug": tag_slug(state.tags[n])} for n in known]


def tag_counts_json(state: State, tags: list[Tag], user: User | None) -> list[dict[str, Any]]:
    """TagsController.tag_counts_json."""
    result = []
    for tag in tags:
        count, pm_count = tag_topic_counts(state, tag.name, user)
        if count == 0 and pm_count > 0 and not (user is not None and user.staff):
            continue  # can_tag_pms? is staff-only by default
        result.append({
            "id": tag.id, "text": tag.name, "name": tag.name, "slug": tag_slug(tag),
            "description": tag.description or None, "count": count,
            "pm_only": count == 0 and pm_count > 0, "target_tag": None,
        })
    return result


def tag_json(state: State, tag: Tag, user: User | None) -> dict[str, Any]:
    """TagSerializer: id, name, slug, topic_count, staff, description."""
    return {"id": tag.id, "name": tag.name, "slug": tag_slug(tag),
            "topic_count": tag_topic_counts(state, tag.name, user)[0],
            "staff": staff_tag(state, tag.name), "description": tag.description or None}


def tag_group_json(state: State, group: TagGroup) -> dict[str, Any]:
    """TagGroupSerializer (2026): tags and parent_tag as {id, name, slug} objects."""
    def objects(names: list[str]) -> list[dict[str, Any]]:
        tags = [state.tags[n] for n in names if n in state.tags]
        return [{"id": t.id, "name": t.name, "slug": tag_slug(t)}
                for t in sorted(tags, key=lambda t: t.name)]

    return {"id": group.id, "name": group.name, "tags": objects(group.tag_names),
            "parent_tag": objects(group.parent_tag_name), "one_per_topic": group.one_per_topic,
            "permissions": dict(group.permissions) or {"everyone": FULL}}


def tag_group_search_json(state: State, group: TagGroup) -> dict[str, Any]:
    """One result of /tag_groups/filter/search: the name and the tags {id, name} in the group's order."""
    return {"name": group.name,
            "tags": [{"id": state.tags[n].id, "name": n} for n in group.tag_names if n in state.tags]}


def tag_index_json(state: State, tags: list[Tag], categories: list[tuple[int, list[Tag]]],
                   user: User | None) -> dict[str, Any]:
    """GET /tags: tag_counts_json of the tags, and per category those it allows (when any is left)."""
    extras = []
    for category_id, own in categories:
        counts = tag_counts_json(state, own, user)
        if counts:
            extras.append({"id": category_id, "tags": counts})
    return {"tags": tag_counts_json(state, tags, user), "extras": {"categories": extras}}
