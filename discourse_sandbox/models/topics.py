"""Topics as TopicsController serves them: the view, its posts, edits, tags, status and deletion."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from discourse_sandbox.core.errors import invalid_access, not_found
from discourse_sandbox.core.guardian import can_see_topic
from discourse_sandbox.core.queries import visible_posts
from discourse_sandbox.core.records import Post, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.changes import delete_topic, destroy_by_author, set_status, update_topic
from discourse_sandbox.models.site import Site


def find_topic(state: State, topic_id: int, viewer: User | None) -> Topic:
    """The topic, or Discourse's 404 (missing, or deleted for non-staff) / 403 (not allowed)."""
    topic = state.topics.get(topic_id)
    if topic is None or (topic.deleted_at is not None and not (viewer and viewer.staff)):
        not_found()
    if not can_see_topic(state, topic, viewer):
        invalid_access()
    return topic


def _may_delete_own(state: State, topic: Topic, user: User, now: datetime) -> bool:
    """Guardian#can_delete_topic? for its author: one post, less than 24 hours old, not yet deleted."""
    posts = state.posts_of_topic(topic.id)
    return (user.id == topic.user_id and len(posts) <= 1 and bool(posts)
            and not posts[0].user_deleted and topic.created_at > now - timedelta(hours=24))


class Topics:
    """TopicsController over the site's topics."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def get(self, topic_id: int, viewer: User | None) -> Topic:
        """One topic the viewer may see."""
        with self.site.state.transaction() as state:
            return find_topic(state, topic_id, viewer)

    def posts(self, topic_id: int, viewer: User | None, wanted: set[int]) -> tuple[Topic, list[Post]]:
        """The topic and the posts of its stream the viewer sees (only the `wanted` ids, if any)."""
        with self.site.state.transaction() as state:
            topic = find_topic(state, topic_id, viewer)
            return topic, [p for p in visible_posts(state, topic, viewer) if not wanted or p.id in wanted]

    def by_external_id(self, external_id: str, viewer: User | None) -> Topic:
        """The topic with this external id (case-insensitive), if the viewer may see it."""
        with self.site.state.transaction() as state:
            lowered = external_id.lower()
            topic = next((t for t in state.topics.values() if (t.external_id or "").lower() == lowered),
                         None)
            if topic is None:
                not_found()
            return find_topic(state, topic.id, viewer)

    def update(self, topic_id: int, user: User, changes: dict[str, Any]) -> Topic:
        """Title, category and tags, by the owner or staff; PostRejected when invalid; topic_edited."""
        with self.site.state.transaction() as state:
            topic = find_topic(state, topic_id, user)
            if not (user.staff or user.id == topic.user_id):
                invalid_access()
            update_topic(state, self.site.settings, topic, user, changes, self.site.clock.now(),
                         self.site.events)
            return topic

    def set_status(self, topic_id: int, user: User, status: str, enabled: bool) -> None:
        """TopicStatusUpdater, staff only."""
        with self.site.state.transaction() as state:
            topic = find_topic(state, topic_id, user)
            if not user.staff:
                invalid_access()
            set_status(state, self.site.settings, topic, user, status, enabled, self.site.clock.now(),
                       self.site.events)

    def destroy(self, topic_id: int, user: User) -> None:
        """Trash the topic through its first post (staff), or its author's young one-post topic."""
        with self.site.state.transaction() as state:
            topic = find_topic(state, topic_id, user)
            now = self.site.clock.now()
            if user.staff:
                delete_topic(state, topic, now, self.site.events)
            elif _may_delete_own(state, topic, user, now):
                first = state.posts_of_topic(topic.id)[0]
                destroy_by_author(state, self.site.settings, first, self.site.clock.now(), self.site.events)
            else:
                invalid_access()
