"""Topic list serializers: TopicListSerializer, TopicListItemSerializer and the posters summary."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.clock import iso
from discourse_sandbox.core.cooking import excerpt, fancy_title, first_image
from discourse_sandbox.core.guardian import listable
from discourse_sandbox.core.queries import live_posts
from discourse_sandbox.core.records import Tag, Topic, User
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import basic_user
from discourse_sandbox.serializers.codev import list_item_fields
from discourse_sandbox.serializers.topics import tag_attributes


def posters(state: State, topic: Topic) -> list[dict[str, Any]]:
    """TopicPostersSummary: original poster first, the most recent poster marked "latest"."""
    posts = live_posts(state, topic)
    order: list[int] = []
    for post in [posts[0], *posts[:0:-1]] if posts else []:
        if post.user_id not in order:
            order.append(post.user_id)
    last_id = posts[-1].user_id if posts else topic.user_id
    result = []
    for i, uid in enumerate(order[:5]):
        roles = (["Original Poster"] if i == 0 else []) + (["Most Recent Poster"] if uid == last_id
                                                           else [])
        extras = None
        if uid == last_id:
            extras = "latest single" if len(order) == 1 else "latest"
        result.append({"extras": extras, "description": ", ".join(roles) or "Frequent Poster",
                       "user_id": uid, "primary_group_id": None})
    return result


def has_user_data(state: State, topic: Topic, viewer: User | None) -> bool:
    """Whether the viewer has a TopicUser row: they created, posted in or were invited to it."""
    if viewer is None:
        return False
    return (viewer.id == topic.user_id or viewer.id in topic.allowed_user_ids
            or any(p.user_id == viewer.id for p in live_posts(state, topic)))


def list_item(state: State, settings: SandboxSettings, topic: Topic,
              viewer: User | None = None) -> dict[str, Any]:
    """TopicListItemSerializer; per-user keys only where the viewer has a TopicUser row."""
    posts = live_posts(state, topic)
    first, last = (posts[0], posts[-1]) if posts else (None, None)
    last_user = state.users.get(last.user_id) if last else None
    item: dict[str, Any] = {
        "id": topic.id, "title": topic.title, "fancy_title": fancy_title(topic.title),
        "slug": topic.slug, "posts_count": len(posts), "reply_count": max(len(posts) - 1, 0),
        "highest_post_number": topic.highest_post_number,
        "image_url": first_image(first.cooked) if first else None,
        "created_at": iso(topic.created_at),
        "last_posted_at": iso(last.created_at) if last else None, "bumped": True,
        "bumped_at": iso(topic.bumped_at), "archetype": topic.archetype, "unseen": False,
        "pinned": topic.pinned, "unpinned": None,
        "excerpt": excerpt(first.cooked) if first else "", "visible": topic.visible,
        "closed": topic.closed, "archived": topic.archived,
        "views": topic.views, "like_count": 0, "has_summary": False,
        "last_poster_username": last_user.username if last_user else None,
        "category_id": topic.category_id, "pinned_globally": False, "featured_link": None,
        "posters": posters(state, topic),
    }
    tracked = has_user_data(state, topic, viewer)
    item["bookmarked"] = False if tracked else None
    item["liked"] = False if tracked else None
    if tracked and viewer is not None:
        item["last_read_post_number"] = topic.highest_post_number
        item["unread_posts"] = 0
        item["notification_level"] = 3 if viewer.id == topic.user_id else 2
    item.update(tag_attributes(state, settings, topic))
    if topic.archetype == "private_message":
        item["allowed_user_count"] = len(topic.allowed_user_ids)
        # TopicParticipantsSummary: the other allowed users, the last poster marked "latest".
        last_id = last.user_id if last else None
        item["participants"] = [
            {"extras": "latest" if uid == last_id else None, "description": None, "user_id": uid,
             "primary_group_id": None}
            for uid in topic.allowed_user_ids if viewer is None or uid != viewer.id
        ]
    return item


def topic_list_json(state: State, settings: SandboxSettings, topics: list[Topic], *, per_page: int,
                    can_create_topic: bool, more_topics_url: str | None,
                    viewer: User | None = None) -> dict[str, Any]:
    """TopicListSerializer with its users and primary_groups."""
    # the codev plugin's add_to_serializer(:topic_list_item): topic lists only, not search results
    items = [{**list_item(state, settings, t, viewer), **list_item_fields(state, settings, t)}
             for t in topics]
    user_ids: list[int] = []
    for item in items:
        for poster in item["posters"] + item.get("participants", []):
            if poster["user_id"] not in user_ids:
                user_ids.append(poster["user_id"])
    topic_list: dict[str, Any] = {"can_create_topic": can_create_topic, "per_page": per_page}
    if more_topics_url:
        topic_list["more_topics_url"] = more_topics_url
    topic_list["topics"] = items
    return {"users": [basic_user(state.users[uid]) for uid in user_ids if uid in state.users],
            "primary_groups": [], "topic_list": topic_list}


def tag_list_extra_json(state: State, tag: Tag) -> dict[str, Any]:
    """A tag's topic list carries the tag: {"tags": [{id, name, topic_count, staff}]}."""
    count = sum(1 for t in state.topics.values() if tag.name in t.tags and listable(t, None))
    return {"tags": [{"id": tag.id, "name": tag.name, "topic_count": count, "staff": False}]}
