"""Users: username rules, edit rights, post counts, anonymizing and deleting, and the seed sections."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from discourse_sandbox.core.events import EventSink, UserEvent
from discourse_sandbox.core.queries import find_users_by_names
from discourse_sandbox.core.records import ApiKey, Post, User
from discourse_sandbox.core.state import State
from discourse_sandbox.groups import seed_groups
from discourse_sandbox.seed_checks import reject_unknown_keys, seed_entries
from discourse_sandbox.topics import delete_post
from discourse_sandbox.user_fields import seed_user_fields

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

# seed.py's SECTIONS name these here; find_users_by_names is kept importable from this module too.
__all__ = [
    "EMAIL_RE", "anonymize", "destroy_user", "find_users_by_names",
    "seed_api_keys", "seed_groups", "seed_user_fields", "seed_users", "username_errors",
]


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


_USER_KEYS = {"username", "name", "email", "password", "admin", "moderator", "trust_level", "bio",
              "location", "website", "groups", "owner_of", "fields", "active", "approved",
              "staged", "locale", "external_id", "created_at"}


def seed_users(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `users`: see seed.py; fields by field name, groups and owner_of by group name."""
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        for where, entry in seed_entries("users", entries, "username"):
            _seed_one_user(state, entry, where, now)


def _seed_one_user(state: State, entry: dict[str, Any], where: str, now: datetime) -> None:
    username = str(entry["username"])
    where = f"{where} ({username})"
    reject_unknown_keys(where, entry, _USER_KEYS)
    errors = username_errors(state, username)
    if errors:
        raise ValueError(f"{where}: key 'username': {'; '.join(errors)}")
    email = str(entry.get("email") or f"{username.lower()}@example.invalid")
    if not EMAIL_RE.match(email) or any(u.email.lower() == email.lower() for u in state.users.values()):
        raise ValueError(f"{where}: key 'email': invalid or already taken: {email!r}")
    created = entry.get("created_at")
    created_at = datetime.fromisoformat(str(created).replace("Z", "+00:00")) if created else now
    user = User(
        id=state.next_id("users"), username=username, name=str(entry.get("name") or ""),
        email=email, created_at=created_at, updated_at=created_at,
        password=str(entry.get("password") or ""), active=bool(entry.get("active", True)),
        approved=bool(entry.get("approved", True)), admin=bool(entry.get("admin", False)),
        moderator=bool(entry.get("moderator", False)), staged=bool(entry.get("staged", False)),
        trust_level=int(entry.get("trust_level", 1)), bio_raw=str(entry.get("bio") or ""),
        location=str(entry.get("location") or ""), website=str(entry.get("website") or ""),
        locale=str(entry.get("locale") or "fr"),
    )
    if entry.get("external_id") is not None:
        user.external_id = str(entry["external_id"])
    fields = entry.get("fields") or {}
    if not isinstance(fields, dict):
        raise ValueError(f"{where}: key 'fields': expected a mapping of field name to value")
    for name, value in fields.items():
        field = next((f for f in state.user_fields.values() if f.name == name), None)
        if field is None:
            raise ValueError(f"{where}: key 'fields': no user field named {name!r}")
        if isinstance(value, list):
            value = [str(v) for v in value] if field.field_type == "multiselect" else str(value[0])
        elif value is not None:
            value = [str(value)] if field.field_type == "multiselect" else str(value)
        if value not in (None, []):
            user.user_fields[field.id] = value
    for key, owner in (("groups", False), ("owner_of", True)):
        for group_name in entry.get(key) or []:
            group = state.group_by_name(str(group_name))
            if group is None or group.automatic:
                raise ValueError(f"{where}: key {key!r}: no custom group named {group_name!r}")
            if user.id not in group.user_ids:
                group.user_ids.append(user.id)
            if owner and user.id not in group.owner_ids:
                group.owner_ids.append(user.id)
    state.users[user.id] = user


def seed_api_keys(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `api_keys`: [{key, user: username | null, description?}]."""
    with sandbox.state.transaction() as state:
        for where, entry in seed_entries("api_keys", entries, "key"):
            user_id = None
            if entry.get("user") is not None:
                user = state.user_by_username(str(entry["user"]))
                if user is None:
                    raise ValueError(f"{where}: key 'user': no user named {entry['user']!r}")
                user_id = user.id
            key = str(entry["key"])
            state.api_keys[key] = ApiKey(key, user_id, str(entry.get("description") or ""))
