"""A topic's JSON (GET /t/{id}.json) and its first post (GET /posts/{id}.json) read into a NeedSnapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sync_service.adapters.discourse.forms import read_form
from sync_service.adapters.discourse.people import parse_time
from sync_service.services.ports.forum import NeedSnapshot

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tag_names(tags: Any) -> tuple[str, ...]:
    """Topic tags as names: strings (Discourse up to 2025) or {id, name, slug} objects (2026+)."""
    if not isinstance(tags, list):
        return ()
    names: list[str] = []
    for tag in tags:
        if isinstance(tag, str):
            name = tag
        elif isinstance(tag, dict):
            name = str(tag.get("name") or tag.get("slug") or "")
        else:
            continue
        if name and name not in names:
            names.append(name)
    return tuple(names)


def is_need_candidate(topic: Mapping[str, Any]) -> bool:
    """A regular topic that is not deleted (staff keys still see deleted topics; PMs are no needs)."""
    return topic.get("archetype", "regular") == "regular" and not topic.get("deleted_at")


def first_post_id(topic: Mapping[str, Any]) -> int | None:
    """The id of post number 1, from the post stream."""
    stream = topic.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, dict) else None
    for post in posts if isinstance(posts, list) else []:
        if isinstance(post, dict) and post.get("post_number") == 1 and isinstance(post.get("id"), int):
            return int(post["id"])
    return None


def author_of(topic: Mapping[str, Any]) -> tuple[int, str] | None:
    """(user id, username) of the topic's creator from details.created_by."""
    details = topic.get("details")
    creator = details.get("created_by") if isinstance(details, dict) else None
    if isinstance(creator, dict) and isinstance(creator.get("id"), int) and creator.get("username"):
        return int(creator["id"]), str(creator["username"])
    return None


def need_from_json(
    topic: Mapping[str, Any], post: Mapping[str, Any], *, category_slug: str | None,
    author_groups: tuple[str, ...], headings: Mapping[str, Sequence[str]],
) -> NeedSnapshot:
    """The NeedSnapshot of a topic view and its first post (raw, version) already fetched."""
    author = author_of(topic) or (int(topic.get("user_id") or 0), str(post.get("username") or ""))
    raw = str(post.get("raw") or "")
    created = parse_time(topic.get("created_at")) or parse_time(post.get("created_at")) or EPOCH
    moments = [created] + [m for m in (parse_time(topic.get("last_posted_at")),
                                       parse_time(topic.get("bumped_at")),
                                       parse_time(post.get("updated_at"))) if m is not None]
    return NeedSnapshot(
        topic_id=int(topic["id"]),
        title=str(topic.get("title") or ""),
        author_user_id=author[0],
        author_username=author[1],
        author_groups=author_groups,
        category_slug=category_slug,
        tags=tag_names(topic.get("tags")),
        closed=bool(topic.get("closed")),
        archived=bool(topic.get("archived")),
        form=read_form(raw, headings).fields,
        raw=raw,
        post_version=int(post.get("version") or 1),
        created_at=created,
        updated_at=max(moments),
        visible=topic.get("visible") is not False,
    )
