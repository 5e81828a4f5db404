"""Topic serializers: TopicViewSerializer, BasicTopicSerializer and WebHookTopicViewSerializer."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.clock import iso, optional_iso
from discourse_sandbox.core.cooking import fancy_title, first_image, word_count
from discourse_sandbox.core.queries import last_post, live_posts, visible_posts
from discourse_sandbox.core.records import SYSTEM_USER_ID, Post, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import basic_user
from discourse_sandbox.serializers.codev import topic_fields
from discourse_sandbox.serializers.posts import post_json
from discourse_sandbox.serializers.tags import serialize_topic_tags


def topic_attributes(state: State, settings: SandboxSettings, topic: Topic) -> dict[str, Any]:
    """TopicViewSerializer's own attributes (no post_stream, details, suggestions)."""
    posts = live_posts(state, topic)
    first = posts[0] if posts else None
    last = posts[-1] if posts else None
    body: dict[str, Any] = {
        "id": topic.id, "title": topic.title, "fancy_title": fancy_title(topic.title),
        "posts_count": len(posts), "created_at": iso(topic.created_at), "views": topic.views,
        "reply_count": max(len(posts) - 1, 0), "like_count": 0,
        "last_posted_at": iso(last.created_at) if last else None, "visible": topic.visible,
        "closed": topic.closed, "archived": topic.archived, "has_summary": False,
        "archetype": topic.archetype, "slug": topic.slug, "category_id": topic.category_id,
        "word_count": sum(word_count(p.raw) for p in posts),
        "deleted_at": optional_iso(topic.deleted_at),
        "user_id": topic.user_id, "featured_link": None, "pinned_globally": False,
        "pinned_at": optional_iso(topic.pinned_at), "pinned_until": None,
        "image_url": first_image(first.cooked) if first else None, "slow_mode_seconds": 0,
        "draft": None, "draft_key": f"topic_{topic.id}", "draft_sequence": 0,
        "unpinned": None, "pinned": topic.pinned,
        # Topic.reset_highest: the last live post that is not a whisper
        "highest_post_number": max((p.post_number for p in posts), default=0), "deleted_by": None,
        "has_deleted": any(p.deleted_at for p in state.posts_of_topic(topic.id, True)),
        "actions_summary": [], "chunk_size": 20, "bookmarked": False, "bookmarks": [],
        "topic_timer": None, "message_bus_last_id": 0,
        "participant_count": len({p.user_id for p in posts}), "show_read_indicator": False,
        "thumbnails": None, "slow_mode_enabled_until": None,
    }
    body.update(tag_attributes(state, settings, topic))
    return body


def tag_attributes(state: State, settings: SandboxSettings, topic: Topic) -> dict[str, Any]:
    """TopicTagsMixin: tags and tags_descriptions, only while tagging is enabled."""
    if not settings.tagging_enabled:
        return {}
    return {
        "tags": serialize_topic_tags(state, topic.tags, settings.tags_format),
        "tags_descriptions": {name: state.tags[name].description for name in topic.tags
                              if name in state.tags and state.tags[name].description},
    }


def topic_view_json(state: State, settings: SandboxSettings, topic: Topic, viewer: User | None,
                    posts: list[Post] | None = None, include_raw: bool = False) -> dict[str, Any]:
    """GET /t/{id}.json: TopicViewSerializer with post_stream and details (raw with include_raw)."""
    all_posts = visible_posts(state, topic, viewer)
    shown = all_posts if posts is None else posts
    body = {
        "post_stream": {"posts": [_stream_post(state, p, viewer, include_raw) for p in shown[:20]],
                        "stream": [p.id for p in all_posts]},
        "timeline_lookup": [[1, 0]] if all_posts else [],
        "suggested_topics": [],
    }
    body.update(topic_attributes(state, settings, topic))
    body.update(topic_fields(state, settings, topic, viewer))
    body["details"] = _details(state, topic, viewer)
    return body


def _stream_post(state: State, post: Post, viewer: User | None, include_raw: bool) -> dict[str, Any]:
    """A post of the post_stream; PostStreamSerializerMixin sets add_raw when include_raw is given."""
    body = post_json(state, post, viewer, "view")
    if include_raw:
        body["raw"] = post.raw
    return body


def _details(state: State, topic: Topic, viewer: User | None) -> dict[str, Any]:
    staff = bool(viewer and viewer.staff)
    own = bool(viewer and viewer.id == topic.user_id)
    posts = live_posts(state, topic)
    last = posts[-1] if posts else None
    details: dict[str, Any] = {
        "can_edit": staff or own, "notification_level": 1, "can_move_posts": staff,
        "can_delete": staff, "can_remove_allowed_users": staff, "can_create_post": viewer is not None,
        "can_reply_as_new_topic": viewer is not None, "can_invite_to": staff,
        "can_invite_via_email": staff, "can_flag_topic": viewer is not None,
        "can_convert_topic": staff, "can_review_topic": staff, "can_close_topic": staff,
        "can_archive_topic": staff, "can_split_merge_topic": staff, "can_edit_staff_notes": staff,
        "can_toggle_topic_visibility": staff, "can_pin_unpin_topic": staff,
        "can_moderate_category": staff, "can_remove_self_id": viewer.id if viewer else 0,
        "participants": _participants(state, posts),
        "created_by": basic_user(state.users.get(topic.user_id)),
        "last_poster": basic_user(state.users.get(last.user_id if last else topic.user_id)),
    }
    if topic.archetype == "private_message":
        details["allowed_users"] = [basic_user(state.users[uid]) for uid in topic.allowed_user_ids
                                    if uid in state.users]
        details["allowed_groups"] = [
            {"id": gid, "name": state.groups[gid].name} for gid in topic.allowed_group_ids
            if gid in state.groups
        ]
    return details


def _participants(state: State, posts: list[Post]) -> list[dict[str, Any]]:
    counts: dict[int, int] = {}
    for post in posts:
        counts[post.user_id] = counts.get(post.user_id, 0) + 1
    result = []
    for uid, count in sorted(counts.items(), key=lambda item: -item[1]):
        user = state.users.get(uid)
        if user is None:
            continue
        result.append({**basic_user(user), "post_count": count, "primary_group_name": None,
                       "flair_name": None, "flair_url": None, "flair_color": None,
                       "flair_bg_color": None, "admin": user.admin, "moderator": user.moderator,
                       "trust_level": user.trust_level})
    return result


# WebHookTopicViewSerializer's include_<attr>? false (those the sandbox's TopicViewSerializer has)
_PAYLOAD_EXCLUDED = {"has_summary", "actions_summary", "chunk_size", "topic_timer", "image_url",
                     "show_read_indicator", "draft", "draft_key", "draft_sequence",
                     "message_bus_last_id", "slow_mode_seconds", "slow_mode_enabled_until", "bookmarks"}


def topic_payload(state: State, settings: SandboxSettings, topic: Topic) -> dict[str, Any]:
    """WebHookTopicViewSerializer: topic attributes plus created_by and last_poster, no posts."""
    body = {k: v for k, v in topic_attributes(state, settings, topic).items()
            if k not in _PAYLOAD_EXCLUDED}
    last = last_post(state, topic)
    body["created_by"] = basic_user(state.users.get(topic.user_id))
    body["last_poster"] = basic_user(state.users.get(last.user_id if last else topic.user_id))
    # the plugin's fields, rendered for the system user (a web hook's payload is built as system)
    body.update(topic_fields(state, settings, topic, state.users.get(SYSTEM_USER_ID)))
    return body


def basic_topic(state: State, topic: Topic) -> dict[str, Any]:
    """BasicTopicSerializer: the answer of PUT /t/{id}."""
    return {"id": topic.id, "title": topic.title, "fancy_title": fancy_title(topic.title),
            "slug": topic.slug, "posts_count": len(live_posts(state, topic))}
