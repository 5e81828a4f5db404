"""Facts derived from the state that models and serializers both read: counts, members, live posts."""

from __future__ import annotations

from datetime import datetime

from discourse_sandbox.core.records import Category, Group, Post, Topic, User
from discourse_sandbox.core.state import State

# Tag#staff: a tag group whose "everyone" permission is this level (CategoryGroup's readonly).
READONLY = 3


WHISPER = 4


def live_posts(state: State, topic: Topic) -> list[Post]:
    """Posts that count: not deleted, not whispers (Topic.reset_highest leaves whispers out)."""
    return [p for p in state.posts_of_topic(topic.id) if p.post_type != WHISPER]


def last_post(state: State, topic: Topic) -> Post | None:
    """The topic's last live post."""
    posts = live_posts(state, topic)
    return posts[-1] if posts else None


def visible_posts(state: State, topic: Topic, viewer: User | None) -> list[Post]:
    """The post stream: deleted posts and whispers only for staff (whispers_allowed_groups: staff)."""
    staff = bool(viewer and viewer.staff)
    return [p for p in state.posts_of_topic(topic.id, include_deleted=staff)
            if staff or p.post_type != WHISPER]


def known_usernames(state: State) -> set[str]:
    """Every username, lowercased: the mentions that cooking links."""
    return {u.username.lower() for u in state.users.values()}


def post_stats(state: State, user_id: int) -> tuple[int, int, datetime | None]:
    """(post_count, topic_count, last_posted_at) from the live posts and topics."""
    posts = [p for p in state.posts.values() if p.user_id == user_id and p.deleted_at is None]
    topics = sum(1 for t in state.topics.values()
                 if t.user_id == user_id and t.deleted_at is None and t.archetype == "regular")
    last = max((p.created_at for p in posts), default=None)
    return len(posts), topics, last


def member_ids(state: State, group: Group) -> list[int]:
    """Members of a group; automatic groups are computed from the users as Discourse refreshes them."""
    if not group.automatic:
        return list(group.user_ids)
    return [u.id for u in state.users.values() if u.id > 0 and group.id in state.group_ids_of(u.id)
            and group.id != 0]


def find_users_by_names(state: State, names: list[str]) -> tuple[list[User], list[str]]:
    """Users for a comma/list of usernames: (found, unknown names)."""
    found: list[User] = []
    unknown: list[str] = []
    for name in names:
        for part in (p.strip() for p in name.split(",")):
            if not part:
                continue
            user = state.user_by_username(part)
            if user is None:
                unknown.append(part)
            elif user not in found:
                found.append(user)
    return found, unknown


def read_restricted(category: Category) -> bool:
    """Category#read_restricted: "everyone" cannot see it."""
    return bool(category.permissions) and "everyone" not in category.permissions


def category_topics(state: State, category: Category) -> list[Topic]:
    """A category's live regular topics, its About topic left out."""
    return [t for t in state.topics.values()
            if t.category_id == category.id and t.deleted_at is None and t.archetype == "regular"
            and t.id != category.topic_id]


def category_post_count(state: State, category: Category) -> int:
    """Live posts in the category's topics (About topic left out)."""
    ids = {t.id for t in category_topics(state, category)}
    return sum(1 for p in state.posts.values() if p.topic_id in ids and p.deleted_at is None)


def tag_topic_counts(state: State, name: str, user: User | None) -> tuple[int, int]:
    """(staff_topic_count or public_topic_count as the user sees it, pm_topic_count)."""
    count = pm_count = 0
    for topic in state.topics.values():
        if name not in topic.tags or topic.deleted_at is not None:
            continue
        if topic.archetype == "private_message":
            pm_count += 1
            continue
        category = state.categories.get(topic.category_id) if topic.category_id else None
        if (user is not None and user.staff) or category is None or not read_restricted(category):
            count += 1
    return count, pm_count


def staff_tag(state: State, name: str) -> bool:
    """Tag#staff: in a tag group only staff may use (everyone may at most read it)."""
    return any(name in g.tag_names and g.permissions.get("everyone") == READONLY
               for g in state.tag_groups.values())
