"""The admin user API (Admin::UsersController): listing, suspending, anonymizing and deleting users."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from discourse_sandbox.core.errors import found, invalid_access
from discourse_sandbox.core.events import EventSink, UserEvent
from discourse_sandbox.core.queries import post_stats
from discourse_sandbox.core.records import Post, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.changes import delete_post
from discourse_sandbox.models.site import Site

ADMIN_PAGE = 100
TRUST_LEVEL_FLAGS = {"newuser": 0, "basic": 1, "member": 2, "regular": 3, "leader": 4}
_SORT_KEYS: dict[str, Callable[[User, State], Any]] = {
    "created": lambda u, s: u.created_at.timestamp(),
    "seen": lambda u, s: u.last_seen_at.timestamp() if u.last_seen_at else 0.0,
    "username": lambda u, s: u.username.lower(),
    "email": lambda u, s: u.email.lower(),
    "trust_level": lambda u, s: u.trust_level,
    "posts": lambda u, s: post_stats(s, u.id)[0],
}


@dataclass
class UserQuery:
    """AdminUserIndexQuery's params: email (exact), filter (words), order, asc and a 0-based page."""

    email: str = ""
    term: str = ""
    order: str = ""
    ascending: bool = False
    page: int = 0


class UserHasPosts(Exception):
    """Admin::UsersController#destroy refuses: the user still has posts (delete_posts not given)."""


class AdminUsers:
    """Admin::UsersController over the site's users."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def index(self, flag: str, query: UserQuery, now: datetime) -> list[User]:
        """AdminUserIndexQuery: the users of a list (active, staff, suspended, newuser, ...), 100 a page."""
        with self.site.state.transaction() as state:
            users = _sorted(state, flag, query, _filtered(state, flag, query, now))
            return users[query.page * ADMIN_PAGE:(query.page + 1) * ADMIN_PAGE]

    def get(self, user_id: int) -> User:
        """One user by id, or 404."""
        with self.site.state.transaction() as state:
            return found(state.users.get(user_id))

    def destroy(self, user_id: int, delete_posts: bool) -> None:
        """UserDestroyer for an admin; never admins nor the system user; posts only with delete_posts."""
        with self.site.state.transaction() as state:
            user = found(state.users.get(user_id))
            if user.admin or user.id <= 0:
                invalid_access()  # Guardian#can_delete_user?
            posts = [p for p in state.posts.values() if p.user_id == user.id and p.deleted_at is None]
            if posts and not delete_posts:
                count = len(posts)  # user.posts.joins(:topic).count
                noun = ("1 post in a public topic or personal message" if count == 1
                        else f"{count} posts in public topics or personal messages")
                raise UserHasPosts(f"User {user.username} has {noun}, so they can't be deleted.")
            destroy_user(state, user, posts, self.site.clock.now(), self.site.events)

    def anonymize(self, user_id: int) -> User:
        """UserAnonymizer; never staff nor the system user. Discourse sends no webhook for it."""
        with self.site.state.transaction() as state:
            user = found(state.users.get(user_id))
            if user.staff or user.id <= 0:
                invalid_access()
            anonymize(state, user, self.site.clock.now())
            return user

    def suspend(self, user_id: int, until: datetime, reason: str) -> User:
        """Admin::UsersController#suspend; never admins nor the system user; user_suspended."""
        with self.site.state.transaction() as state:
            user = found(state.users.get(user_id))
            if user.admin or user.id <= 0:
                invalid_access()
            user.suspended_till, user.suspend_reason = until, reason
            self.site.events.emit(UserEvent("user_suspended", user))
            return user

    def unsuspend(self, user_id: int) -> None:
        """Admin::UsersController#unsuspend; user_unsuspended."""
        with self.site.state.transaction() as state:
            user = found(state.users.get(user_id))
            user.suspended_till = user.suspend_reason = None
            self.site.events.emit(UserEvent("user_unsuspended", user))

    def set_active(self, user_id: int, active: bool) -> None:
        """Admin::UsersController#activate / #deactivate."""
        with self.site.state.transaction() as state:
            found(state.users.get(user_id)).active = active


def _filtered(state: State, flag: str, query: UserQuery, now: datetime) -> list[User]:
    users = list(state.users.values())
    if flag == "staff":
        users = [u for u in users if u.staff]
    elif flag == "admins":
        users = [u for u in users if u.admin]
    elif flag == "moderators":
        users = [u for u in users if u.moderator]
    elif flag == "suspended":
        users = [u for u in users if u.suspended_till is not None and u.suspended_till > now]
    elif flag == "silenced":
        users = [u for u in users if u.silenced_till is not None and u.silenced_till > now]
    elif flag == "staged":
        users = [u for u in users if u.staged]
    elif flag == "pending":
        users = [u for u in users if not u.approved and u.active and u.suspended_till is None]
    elif flag in TRUST_LEVEL_FLAGS:
        users = [u for u in users if u.trust_level == TRUST_LEVEL_FLAGS[flag]]
    if query.email:
        users = [u for u in users if u.email.lower() == query.email]
    elif query.term:
        terms = [t for t in query.term.replace(",", " ").split() if t]
        users = [u for u in users
                 if any(t in u.username.lower() or t in u.email.lower() for t in terms)]
    return users


def _sorted(state: State, flag: str, query: UserQuery, users: list[User]) -> list[User]:
    """Stable sorts, last key first: created_at DESC (last_seen DESC for "active"), username."""
    users.sort(key=lambda u: u.username.lower())
    if query.order in _SORT_KEYS:
        users.sort(key=lambda u: _SORT_KEYS[query.order](u, state), reverse=not query.ascending)
    elif flag == "active":
        users.sort(key=lambda u: u.last_seen_at is None)
        users.sort(key=lambda u: u.last_seen_at.timestamp() if u.last_seen_at else 0, reverse=True)
    else:
        users.sort(key=lambda u: u.created_at, reverse=True)
    return users


def anonymize(state: State, user: User, now: datetime) -> None:
    """UserAnonymizer: new anon username, no name/bio/fields/groups/keys; marked anonymized."""
    digest = hashlib.sha1(f"{user.id}-{now.isoformat()}".encode()).hexdigest()[:8]
    user.username = f"anon{digest}"
    user.name = ""
    user.email = f"{user.username}@anonymized.invalid"
    user.bio_raw = user.location = user.website = ""
    user.password = ""
    user.user_fields.clear()
    user.custom_fields.clear()
    user.external_id = None
    user.featured_topic_id = None
    user.anonymized = True
    user.updated_at = now
    _detach(state, user)


def destroy_user(state: State, user: User, posts: list[Post], now: datetime, events: EventSink) -> None:
    """UserDestroyer: each post through PostDestroyer (last first), then drop the user; user_destroyed.

    The user's payload is taken first and sent last, as UserDestroyer does.
    """
    farewell = events.prepare(UserEvent("user_destroyed", user))
    for post in sorted(posts, key=lambda p: p.post_number, reverse=True):
        if post.topic_id not in state.topics:
            post.deleted_at = now
        elif post.deleted_at is None:  # a first post already took its topic's replies with it
            delete_post(state, post, now, events)
    _detach(state, user)
    del state.users[user.id]
    events.emit_prepared(farewell)


def _detach(state: State, user: User) -> None:
    """Take the user out of every group (as member and owner) and revoke their API keys."""
    for group in state.groups.values():
        if user.id in group.user_ids:
            group.user_ids.remove(user.id)
        if user.id in group.owner_ids:
            group.owner_ids.remove(user.id)
    for key in [k for k, v in state.api_keys.items() if v.user_id == user.id]:
        del state.api_keys[key]
    # Codev::Forget.user (the codev plugin, on user_destroyed and user_anonymized)
    state.codev_expert_profiles.pop(user.id, None)
    for offer_id in [i for i, o in state.codev_offers.items() if o.user_id == user.id]:
        del state.codev_offers[offer_id]
