"""Seed sections `users` and `api_keys`: members with their fields and groups, and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from discourse_sandbox.core.records import ApiKey, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.users import EMAIL_RE, username_errors
from discourse_sandbox.seed.checks import reject_unknown_keys, seed_entries
from discourse_sandbox.seed.target import SeedTarget

_USER_KEYS = {"username", "name", "email", "password", "admin", "moderator", "trust_level", "bio",
              "location", "website", "groups", "owner_of", "fields", "active", "approved",
              "staged", "locale", "external_id", "created_at"}


def seed_users(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `users` (see the package docstring): fields by name, groups and owner_of by group name."""
    with target.state.transaction() as state:
        now = target.clock.now()
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


def seed_api_keys(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `api_keys`: [{key, user: username | null, description?}]."""
    with target.state.transaction() as state:
        for where, entry in seed_entries("api_keys", entries, "key"):
            user_id = None
            if entry.get("user") is not None:
                user = state.user_by_username(str(entry["user"]))
                if user is None:
                    raise ValueError(f"{where}: key 'user': no user named {entry['user']!r}")
                user_id = user.id
            key = str(entry["key"])
            state.api_keys[key] = ApiKey(key, user_id, str(entry.get("description") or ""))
