"""Search serializers: GroupedSearchResultSerializer for full-page search, with Search#blurb."""

from __future__ import annotations

import html
from typing import Any

from discourse_sandbox.core.clock import iso
from discourse_sandbox.core.cooking import plain_text
from discourse_sandbox.core.records import Post, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import avatar_or_default
from discourse_sandbox.serializers.topic_lists import list_item


def blurb(post: Post, terms: list[str], length: int = 200) -> str:
    """Search#blurb: the text around the first term found."""
    text = plain_text(post.cooked)
    lowered = text.lower()
    start = min((lowered.find(t) for t in terms if t in lowered), default=0)
    start = max(start - length // 4, 0)
    piece = text[start:start + length]
    return html.escape(("..." if start else "") + piece + ("..." if start + length < len(text) else ""),
                       quote=False)


def search_post_json(state: State, post: Post, terms: list[str]) -> dict[str, Any]:
    """SearchPostSerializer: the post, its author and the blurb."""
    user = state.users.get(post.user_id)
    return {"id": post.id, "name": user.name if user else None,
            "username": user.username if user else None, "avatar_template": avatar_or_default(user),
            "created_at": iso(post.created_at), "like_count": 0, "blurb": blurb(post, terms),
            "post_number": post.post_number, "topic_id": post.topic_id}


def search_json(state: State, settings: SandboxSettings, posts: list[Post], terms: list[str], q: str,
                more: bool, viewer: User | None) -> dict[str, Any]:
    """GroupedSearchResultSerializer: posts, their topics, and grouped_search_result."""
    body: dict[str, Any] = {"posts": [search_post_json(state, p, terms) for p in posts]}
    if posts:
        seen = list(dict.fromkeys(p.topic_id for p in posts))
        body["topics"] = [list_item(state, settings, state.topics[tid], viewer) for tid in seen]
    body.update({"users": [], "categories": [], "tags": [], "groups": []})
    body["grouped_search_result"] = {
        "more_posts": None, "more_users": None, "more_categories": None, "term": q,
        "search_log_id": 0, "more_full_page_results": True if more else None,
        "can_create_topic": viewer is not None, "error": None,
        "post_ids": [p.id for p in posts], "user_ids": [], "category_ids": [], "tag_ids": [],
        "group_ids": [],
    }
    return body
