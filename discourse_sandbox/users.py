"""Users: username rules, edit rights, post counts, anonymizing and deleting, and the seed sections."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import TYPE_CHECKING

from discourse_sandbox.core.events import EventSink, UserEvent
from discourse_sandbox.core.records import Post, User
from discourse_sandbox.core.state import State
from discourse_sandbox.topics import delete_post

if TYPE_CHECKING:
    pass



USERNAME_RE = re.compile(r"^[\w.-]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def username_errors(state: State, username: str, exclude_id: int | None = None) -> list[str]:
    """UsernameValidator plus uniqueness, as `errors.full_messages` would list them."""
    if not username:
        return ["Username can't be blank"]
    errors = []
    if len(username) < 3:
        errors.append("Username must be at least 3 characters")
    if len(username) > 20:
        errors.append("Username must be no more than 20 characters")
    if not USERNAME_RE.match(username):
        errors.append("Username must only include numbers, letters, dashes, dots, and underscores")
    other = state.user_by_username(username)
    if other is not None and other.id != exclude_id:
        errors.append("Username must be unique")
    return errors


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


