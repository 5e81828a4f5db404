"""The sandbox's data: plain records in dicts, guarded by one lock (the sandbox's "database")."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from discourse_sandbox.core.records import (
    AUTOMATIC_GROUPS,
    SYSTEM_USER_ID,
    ApiKey,
    Category,
    CodevExpertProfile,
    CodevOffer,
    CodevTopicState,
    FormTemplate,
    Group,
    Invite,
    InvitedUser,
    Post,
    Tag,
    TagGroup,
    Topic,
    User,
    UserField,
    WebHook,
    WebHookEvent,
)


class State:
    """All records of one sandbox site. Hold `lock` (via `transaction()`) to read or write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._depth = 0  # nesting of transaction(), read and written only while holding the lock
        self._after_commit: list[Callable[[], None]] = []
        self.users: dict[int, User] = {}
        self.user_fields: dict[int, UserField] = {}
        self.groups: dict[int, Group] = {}
        self.categories: dict[int, Category] = {}
        self.tags: dict[str, Tag] = {}
        self.tag_groups: dict[int, TagGroup] = {}
        self.topics: dict[int, Topic] = {}
        self.posts: dict[int, Post] = {}
        self.form_templates: dict[int, FormTemplate] = {}
        self.web_hooks: dict[int, WebHook] = {}
        self.web_hook_events: dict[int, WebHookEvent] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self.invites: dict[int, Invite] = {}
        self.invited_users: dict[int, InvitedUser] = {}
        self.sso_secrets: dict[str, str] = {}  # return_sso_url host -> secret
        # the discourse-codev plugin's tables (kept while its switch is off, as a disabled plugin's are)
        self.codev_topic_states: dict[int, CodevTopicState] = {}  # by topic id
        self.codev_offers: dict[int, CodevOffer] = {}
        self.codev_expert_profiles: dict[int, CodevExpertProfile] = {}  # by user id
        self._ids: dict[str, Iterator[int]] = {}
        for gid, name in AUTOMATIC_GROUPS.items():
            self.groups[gid] = Group(id=gid, name=name, automatic=True)

    def bootstrap(self, now: datetime) -> None:
        """Create what every Discourse site has: the system user (id -1) and Uncategorized (id 1)."""
        self.users[SYSTEM_USER_ID] = User(
            id=SYSTEM_USER_ID, username="system", name="system", email="no_email",
            created_at=now, updated_at=now, admin=True, moderator=True, trust_level=4,
        )
        uncategorized_id = self.next_id("categories")
        self.categories[uncategorized_id] = Category(
            id=uncategorized_id, name="Uncategorized", slug="uncategorized", color="0088CC",
            text_color="FFFFFF", description="Topics that don't need a category, or don't fit "
            "into any other existing category.", created_at=now,
        )

    @contextmanager
    def transaction(self) -> Iterator[State]:
        """Serialise access; every route does its reads and writes inside one of these.

        Transactions nest. What `after_commit` registers runs once the outermost one is over and the
        lock is released; what a transaction registered is dropped if it ends with an exception.
        """
        with self.lock:
            mark = len(self._after_commit)
            self._depth += 1
            try:
                yield self
            except BaseException:
                del self._after_commit[mark:]
                raise
            finally:
                self._depth -= 1
            if self._depth:
                return
            callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` when the current transaction is committed (at once outside of one)."""
        with self.lock:
            if self._depth:
                self._after_commit.append(callback)
                return
        callback()

    def next_id(self, kind: str, start: int = 1) -> int:
        """Next id of a kind (users, topics, posts...), never reused, as a database sequence."""
        if kind not in self._ids:
            self._ids[kind] = itertools.count(start)
        return next(self._ids[kind])

    # Lookups shared by several route modules.
    def user_by_username(self, username: str) -> User | None:
        """Case-insensitive, as Discourse's username_lower."""
        lowered = username.lower()
        return next((u for u in self.users.values() if u.username.lower() == lowered), None)

    def group_by_name(self, name: str) -> Group | None:
        """Case-insensitive, as Discourse finds groups by name."""
        lowered = name.lower()
        return next((g for g in self.groups.values() if g.name.lower() == lowered), None)

    def category_by_slug(self, slug: str) -> Category | None:
        """The category with this slug, if any."""
        return next((c for c in self.categories.values() if c.slug == slug), None)

    def group_ids_of(self, user_id: int) -> list[int]:
        """Groups a user belongs to, automatic ones included."""
        user = self.users.get(user_id)
        ids = [g.id for g in self.groups.values() if user_id in g.user_ids]
        if user is not None:
            ids.append(0)
            if user.admin:
                ids += [1, 3]
            if user.moderator:
                ids += [2, 3]
            ids += [10 + level for level in range(min(max(user.trust_level, 0), 4) + 1)]
        return sorted(set(ids))

    def posts_of_topic(self, topic_id: int, include_deleted: bool = False) -> list[Post]:
        """A topic's posts by post number; deleted ones only when asked."""
        return sorted(
            (p for p in self.posts.values()
             if p.topic_id == topic_id and (include_deleted or p.deleted_at is None)),
            key=lambda p: p.post_number,
        )
