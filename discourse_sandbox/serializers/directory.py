"""DirectoryItemSerializer: one row of the users directory."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.queries import post_stats
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import avatar_template


def directory_item_json(state: State, user: User, field_ids: list[int]) -> dict[str, Any]:
    """DirectoryItemSerializer (period "all"): counts plus the user, with fields when asked."""
    post_count, topic_count, _ = post_stats(state, user.id)
    inner: dict[str, Any] = {
        "id": user.id, "username": user.username, "name": user.name or None,
        "avatar_template": avatar_template(user), "title": None,
    }
    if field_ids:
        fields: dict[str, Any] = {}
        for fid in field_ids:
            value = user.user_fields.get(fid)
            if value in (None, [], ""):
                continue  # only custom fields the user has are serialized
            fields[str(fid)] = {
                "searchable": state.user_fields[fid].searchable,
                "value": list(value) if isinstance(value, list) else [value],
            }
        inner["user_fields"] = fields
    return {
        "id": user.id, "likes_received": 0, "likes_given": 0, "topics_entered": 0,
        "topic_count": topic_count, "post_count": post_count, "posts_read": 0,
        "days_visited": 0, "user": inner,
    }


def directory_rows_json(state: State, users: list[User], field_ids: list[int] | None) -> list[dict[str, Any]]:
    """The rows of a page; with field_ids (even empty), each user carries its `user_fields`."""
    rows = [directory_item_json(state, u, []) for u in users]
    if field_ids is not None:
        for row, user in zip(rows, users, strict=True):
            row["user"] = directory_item_json(state, user, field_ids)["user"]
            row["user"].setdefault("user_fields", {})
    return rows
