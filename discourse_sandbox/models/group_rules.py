"""Group rules: validations, creating a custom group, who manages one, and group permissions by name or id."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NoReturn

from discourse_sandbox.core.errors import fail, found, invalid_access
from discourse_sandbox.core.guardian import can_manage_group
from discourse_sandbox.core.queries import find_users_by_names
from discourse_sandbox.core.records import FIRST_CUSTOM_GROUP_ID, Group, User
from discourse_sandbox.core.state import State

GROUP_NAME_RE = re.compile(r"^[\w.-]+$")
# Group::ALIAS_LEVELS (nobody, only admins, mods and admins, members mods and admins, owners mods
# and admins, everyone): the values Group validates messageable_level and mentionable_level against
ALIAS_LEVELS = (0, 1, 2, 3, 4, 99)
EDITABLE_KEYS = ("full_name", "bio_raw", "visibility_level", "members_visibility_level",
                 "public_admission", "public_exit", "mentionable_level", "messageable_level")


def group_errors(state: State, name: str, exclude_id: int | None = None) -> list[str]:
    """Group name validation (UsernameValidator rules, unique among groups and usernames)."""
    if not name:
        return ["Name can't be blank"]
    errors = []
    if len(name) < 3 or len(name) > 20:
        errors.append("Name must be between 3 and 20 characters")
    if not GROUP_NAME_RE.match(name) or name[0] in ".-" or name[-1] in ".-":
        errors.append("Name must only include numbers, letters, dashes, dots, and underscores")
    other = state.group_by_name(name)
    if (other is not None and other.id != exclude_id) or state.user_by_username(name) is not None:
        errors.append("Name has already been taken")
    return errors


def level_errors(data: dict[str, Any]) -> list[str]:
    """Group's inclusion validations of the alias levels given (ActiveRecord's messages)."""
    errors = []
    for key in ("mentionable_level", "messageable_level"):
        value, label = data.get(key), key.replace("_", " ").capitalize()
        if value is not None and str(value).strip() not in {str(level) for level in ALIAS_LEVELS}:
            errors.append(f"{label} is not included in the list")
    return errors


def create_group(
    state: State, data: dict[str, Any], now: datetime
) -> tuple[Group | None, list[str]]:
    """Admin::GroupsController#create: a custom group with members and owners."""
    name = str(data.get("name") or "").strip()
    errors = group_errors(state, name) + level_errors(data)
    # Group#usernames= ignores names that match no user
    members, _unknown = find_users_by_names(state, _names(data.get("usernames")))
    owners, _unknown_owners = find_users_by_names(state, _names(data.get("owner_usernames")))
    if errors:
        return None, errors
    group = Group(id=state.next_id("groups", start=FIRST_CUSTOM_GROUP_ID), name=name,
                  created_at=now)
    update_group(group, data)
    group.user_ids = [u.id for u in members + owners if u.id > 0]
    group.user_ids = list(dict.fromkeys(group.user_ids))
    group.owner_ids = [u.id for u in owners if u.id > 0]
    state.groups[group.id] = group
    return group, []


def update_group(group: Group, data: dict[str, Any]) -> None:
    """Apply the editable attributes given (GroupsController#group_params)."""
    for key in EDITABLE_KEYS:
        if key not in data or data[key] is None:
            continue
        current = getattr(group, key)
        if isinstance(current, bool):
            setattr(group, key, str(data[key]).lower() in ("true", "1", "t", "on"))
        elif isinstance(current, int):
            setattr(group, key, int(str(data[key])))
        else:
            setattr(group, key, str(data[key]))


def _names(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


AUTOMATIC_REFUSED = "You cannot modify an automatic group"


def bad_param(detail: str) -> NoReturn:
    """Discourse::InvalidParameters (not a missing param): 400 with the invalid_params text."""
    fail(400, f"You supplied invalid parameters to the request: {detail}", "invalid_parameters")


def managed_group(state: State, group_id: int, viewer: User | None) -> Group:
    """The group, if the acting user may manage it: 404 when missing, 403 invalid_access otherwise."""
    group = found(state.groups.get(group_id))
    if not can_manage_group(group, viewer):
        invalid_access()
    return group


def resolve_permissions(state: State, permissions: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """Group.group_id_from_param for each key (a name or an id): {group name: level}, or errors."""
    resolved: dict[str, int] = {}
    for key, level in permissions.items():
        text = str(key)
        group = state.groups.get(int(text)) if text.isdigit() else state.group_by_name(text)
        if group is None:
            return {}, ["unknown group"]
        try:
            resolved[group.name] = int(level)
        except (TypeError, ValueError):
            return {}, ["unknown group"]
    return resolved, []
