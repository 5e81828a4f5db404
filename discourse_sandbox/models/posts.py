"""Posts as PostsController serves them: create (with the per-user limits), read, revise, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.guardian import can_see_topic
from discourse_sandbox.core.memo import Memo
from discourse_sandbox.core.records import Post, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.changes import check_raw, delete_post, destroy_by_author, topic_edit
from discourse_sandbox.models.content_limits import ContentLimits, PendingPost, Throttled
from discourse_sandbox.models.posting import NewPost, create_post
from discourse_sandbox.models.revisor import Edit, revise
from discourse_sandbox.models.site import Site


@dataclass
class Revision:
    """PUT /posts/{id}: post[raw] and, for a first post, the topic's title and post[category_id]."""

    raw: str
    title: Any = None
    category_id: Any = None
    edit_reason: Any = None
    original_text: Any = None


def find_post(state: State, post_id: int, viewer: User | None) -> Post:
    """The post, visible to the viewer, or 404/403 as Discourse answers."""
    post = state.posts.get(post_id)
    staff = bool(viewer and viewer.staff)
    if post is None or (post.deleted_at is not None and not staff):
        not_found()
    topic = state.topics.get(post.topic_id)
    if topic is None or (topic.deleted_at is not None and not staff):
        not_found()
    if not can_see_topic(state, topic, viewer):
        invalid_access()
    return post


class Posts:
    """PostsController over the site's posts; `memo` is its DistributedMemoizer for API creates."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.limits = ContentLimits(site)
        self.memo = Memo()

    def create(self, user: User, req: NewPost) -> Post | PendingPost | Throttled:
        """PostCreator behind the per-user limits: a post, a pending post, or a 429; PostRejected."""
        throttled = self.limits.throttled(user, req)
        if throttled is not None:
            return throttled
        pending = self.limits.enqueue(user, req)
        if pending is not None:
            return pending
        with self.site.state.transaction() as state:
            self.limits.check_content(state, user, req)
            post = create_post(state, self.site.settings, user, req, self.site.clock.now(), self.site.events)
            self.limits.count_post(user, req)
            return post

    def get(self, post_id: int, viewer: User | None) -> Post:
        """One post the viewer may see."""
        with self.site.state.transaction() as state:
            return find_post(state, post_id, viewer)

    def replies(self, post_id: int, viewer: User | None) -> list[Post]:
        """The posts answering this one."""
        with self.site.state.transaction() as state:
            post = find_post(state, post_id, viewer)
            return [p for p in state.posts_of_topic(post.topic_id)
                    if p.reply_to_post_number == post.post_number]

    def revise(self, post_id: int, user: User, rev: Revision) -> Post:
        """PostRevisor for its author or staff: edit window (422), stale original_text (409)."""
        with self.site.state.transaction() as state:
            post = find_post(state, post_id, user)
            if not (user.staff or user.id == post.user_id):
                invalid_access()
            if not user.staff and self._edit_window_over(user, post):
                fail(422, "That post was created too long ago. It can no longer be edited or deleted.")
            if rev.original_text is not None and rev.original_text != post.raw:
                fail(409, "That post was edited by another user and your changes can no longer be saved.")
            self._revise(state, user, post, rev)
            return post

    def destroy(self, post_id: int, user: User) -> None:
        """Staff trash the post (the whole topic for a first post); an author's reply is marked."""
        with self.site.state.transaction() as state:
            post = find_post(state, post_id, user)
            now = self.site.clock.now()
            if user.staff:
                delete_post(state, post, now, self.site.events)
            elif user.id == post.user_id and post.post_number > 1 and not post.user_deleted:
                destroy_by_author(state, self.site.settings, post, now, self.site.events)
            else:
                invalid_access()

    def raw(self, topic_id: int, post_number: int, viewer: User | None) -> str:
        """The Markdown of a post of a topic the viewer may see."""
        with self.site.state.transaction() as state:
            topic = state.topics.get(topic_id)
            if topic is None or (topic.deleted_at is not None and not (viewer and viewer.staff)):
                not_found()
            if not can_see_topic(state, topic, viewer):
                invalid_access()
            post = next((p for p in state.posts_of_topic(topic_id) if p.post_number == post_number), None)
            if post is None:
                not_found()
            return post.raw

    def _edit_window_over(self, author: User, post: Post) -> bool:
        """Post#edit_time_limit_expired?: post_edit_time_limit (TL0-1) or tl2_post_edit_time_limit."""
        settings = self.site.settings
        minutes = (settings.tl2_post_edit_time_limit if author.trust_level >= 2
                   else settings.post_edit_time_limit)
        return minutes > 0 and self.site.clock.now() - post.created_at > timedelta(minutes=minutes)

    def _revise(self, state: State, user: User, post: Post, rev: Revision) -> None:
        """PostsController#update: raw and reason, plus title/category for a first post; PostRevisor."""
        topic = state.topics[post.topic_id]
        check_raw(self.site.settings, topic, post, rev.raw)
        edit = Edit(raw=rev.raw, edit_reason=rev.edit_reason or None)
        if post.post_number == 1:
            changes: dict[str, Any] = {}
            if rev.title not in (None, ""):
                changes["title"] = rev.title
            if rev.category_id not in (None, ""):
                changes["category_id"] = rev.category_id
            topic_edit(state, self.site.settings, topic, user, changes, edit)
            if rev.title not in (None, "") and edit.title is None:
                edit.title = topic.title  # given unchanged: still a topic field (topic_edited)
        revise(state, self.site.settings, post, user, edit, self.site.clock.now(), self.site.events)
