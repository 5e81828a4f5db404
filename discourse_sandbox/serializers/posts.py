"""Post serializers: PostSerializer in each of its contexts, and WebHookPostSerializer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from discourse_sandbox.core.clock import iso, optional_iso
from discourse_sandbox.core.queries import live_posts
from discourse_sandbox.core.records import SYSTEM_USER_ID, Post, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import avatar_or_default

# PostSerializer keys common to every context, in Discourse's order.
_POST_KEYS = (
    "id", "name", "username", "avatar_template", "created_at", "cooked", "post_number", "post_type",
    "posts_count", "updated_at", "reply_count", "reply_to_post_number", "quote_count",
    "incoming_link_count", "reads", "readers_count", "score", "yours", "topic_id", "topic_slug",
    "display_username", "primary_group_name", "flair_name", "flair_url", "flair_bg_color",
    "flair_color", "flair_group_id", "version", "can_edit", "can_delete", "can_recover",
    "can_see_hidden_post", "can_wiki", "user_title", "bookmarked", "raw", "actions_summary",
    "moderator", "admin", "staff", "user_id", "draft_sequence", "hidden", "trust_level", "deleted_at",
    "user_deleted", "edit_reason", "can_view_edit_history", "wiki", "reviewable_id",
    "reviewable_score_count", "reviewable_score_pending_count", "post_url", "mentioned_users",
)


# Keys each context drops (the topic view's post_stream has no counts of the whole topic).
_DROP = {
    "create": set(),
    "update": set(),
    "get": {"draft_sequence"},
    "replies": {"raw", "draft_sequence"},
    "view": {"posts_count", "raw", "draft_sequence", "post_url", "mentioned_users", "flair_group_id"},
    "webhook": {"can_edit", "can_delete", "can_recover", "can_see_hidden_post", "can_wiki",
                "can_view_edit_history", "actions_summary", "yours", "flair_name", "flair_url",
                "flair_bg_color", "flair_color", "flair_group_id", "mentioned_users", "readers_count",
                "draft_sequence", "bookmarked"},
}


def category_slug(state: State, topic: Topic) -> str | None:
    """The slug of the topic's category, if it has one."""
    category = state.categories.get(topic.category_id) if topic.category_id is not None else None
    return category.slug if category else None


def post_json(state: State, post: Post, viewer: User | None, context: str) -> dict[str, Any]:
    """PostSerializer in one of the contexts: create, update, get, view (post_stream), webhook."""
    topic = state.topics[post.topic_id]
    user = state.users.get(post.user_id)
    staff = bool(viewer and viewer.staff)
    yours = bool(viewer and viewer.id == post.user_id)
    values: dict[str, Any] = {
        "id": post.id, "name": user.name if user else None,
        "username": user.username if user else None, "avatar_template": avatar_or_default(user),
        "created_at": iso(post.created_at), "cooked": post.cooked, "post_number": post.post_number,
        "post_type": post.post_type, "posts_count": len(live_posts(state, topic)),
        "updated_at": iso(post.updated_at),
        "reply_count": sum(1 for p in live_posts(state, topic)
                           if p.reply_to_post_number == post.post_number),
        "reply_to_post_number": post.reply_to_post_number, "quote_count": 0,
        "incoming_link_count": 0, "reads": 1, "readers_count": 0, "score": 0.0, "yours": yours,
        "topic_id": topic.id, "topic_slug": topic.slug,
        "display_username": user.name if user else None, "primary_group_name": None,
        "flair_name": None, "flair_url": None, "flair_bg_color": None, "flair_color": None,
        "flair_group_id": None, "version": post.version, "can_edit": staff or yours,
        "can_delete": staff or (yours and post.post_number > 1),
        "can_recover": staff and post.deleted_at is not None, "can_see_hidden_post": staff,
        "can_wiki": staff, "user_title": None, "bookmarked": False, "raw": post.raw,
        "actions_summary": [], "moderator": bool(user and user.moderator),
        "admin": bool(user and user.admin), "staff": bool(user and user.staff),
        "user_id": post.user_id, "draft_sequence": 0, "hidden": post.hidden,
        "trust_level": user.trust_level if user else 0,
        "deleted_at": optional_iso(post.deleted_at),
        "user_deleted": post.user_deleted, "edit_reason": post.edit_reason,
        "can_view_edit_history": True, "wiki": post.wiki,
        "reviewable_id": 0 if context == "view" else None,
        "reviewable_score_count": 0, "reviewable_score_pending_count": 0,
        "post_url": f"/t/{topic.slug}/{topic.id}/{post.post_number}", "mentioned_users": [],
    }
    body = {key: values[key] for key in _POST_KEYS if key not in _DROP[context]}
    if post.action_code:  # PostSerializer#include_action_code?
        body["action_code"] = post.action_code
    replied = _replied_user(state, post)
    if replied is not None:  # PostSerializer#include_reply_to_user?
        body["reply_to_user"] = {"id": replied.id, "username": replied.username,
                                 "name": replied.name, "avatar_template": avatar_or_default(replied)}
    if context == "view":
        body["link_counts"] = []
        body["read"] = True
    if context == "webhook":
        body.update({
            "topic_title": topic.title, "topic_posts_count": len(live_posts(state, topic)),
            "topic_filtered_posts_count": len(live_posts(state, topic)),
            "topic_archetype": topic.archetype, "category_id": topic.category_id,
            "category_slug": category_slug(state, topic),
        })
    return body


def _replied_user(state: State, post: Post) -> User | None:
    if post.reply_to_post_number is None:
        return None
    target = next((p for p in state.posts_of_topic(post.topic_id, True)
                   if p.post_number == post.reply_to_post_number), None)
    return state.users.get(target.user_id) if target else None


def post_payload(state: State, post: Post) -> dict[str, Any]:
    """WebHookPostSerializer: the post with raw and cooked plus topic facts, no tags."""
    return post_json(state, post, state.users.get(SYSTEM_USER_ID), "webhook")


def pending_post_json(number: int, raw: str, created_at: datetime, pending_count: int) -> dict[str, Any]:
    """NewPostResult for an enqueued post: {action, pending_post, success, pending_count}."""
    return {"action": "enqueued",
            "pending_post": {"id": number, "raw": raw, "created_at": iso(created_at)},
            "success": True, "pending_count": pending_count}
