"""Groups: visibility, membership, serializers and the `groups` seed section."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from discourse_sandbox.core.clock import iso, optional_iso
from discourse_sandbox.core.cooking import cook
from discourse_sandbox.core.guardian import alias_allows, can_manage_group, can_see_members
from discourse_sandbox.core.queries import find_users_by_names, member_ids
from discourse_sandbox.core.records import FIRST_CUSTOM_GROUP_ID, Group, User
from discourse_sandbox.core.state import State
from discourse_sandbox.seed_checks import reject_unknown_keys, seed_entries

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

GROUP_NAME_RE = re.compile(r"^[\w.-]+$")
# I18n groups.default_names, shown as display_name of automatic groups
DISPLAY_NAMES = {
    "everyone": "everyone", "admins": "admins", "moderators": "moderators", "staff": "staff",
    "trust_level_0": "trust_level_0", "trust_level_1": "trust_level_1",
    "trust_level_2": "trust_level_2", "trust_level_3": "trust_level_3",
    "trust_level_4": "trust_level_4",
}
# Group::ALIAS_LEVELS (nobody, only admins, mods and admins, members mods and admins, owners mods
# and admins, everyone): the values Group validates messageable_level and mentionable_level against
ALIAS_LEVELS = (0, 1, 2, 3, 4, 99)
EDITABLE_KEYS = ("full_name", "bio_raw", "visibility_level", "members_visibility_level",
                 "public_admission", "public_exit", "mentionable_level", "messageable_level")


# --- membership ------------------------------------------------------------------------------


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


# --- serializers -----------------------------------------------------------------------------

def basic_group_json(
    state: State, group: Group, viewer: User | None, full: bool = True, membership: bool = False
) -> dict[str, Any]:
    """BasicGroupSerializer (full=False: nested in user payloads; membership: is_group_user/owner)."""
    members = member_ids(state, group)
    staff = viewer is not None and viewer.staff
    owner = viewer is not None and viewer.id in group.owner_ids
    body: dict[str, Any] = {"id": group.id, "automatic": group.automatic, "name": group.name}
    if group.automatic:
        body["display_name"] = DISPLAY_NAMES.get(group.name, group.name)
    bio_cooked = cook(group.bio_raw) if group.bio_raw else None
    body.update({
        "user_count": len(members),
        "mentionable_level": group.mentionable_level,
        "messageable_level": group.messageable_level,
        "visibility_level": group.visibility_level,
        "primary_group": False, "title": None, "grant_trust_level": None,
        "incoming_email": None, "has_messages": False,
        "flair_url": None, "flair_bg_color": None, "flair_color": None,
        "bio_raw": group.bio_raw or None, "bio_cooked": bio_cooked,
        "bio_excerpt": _excerpt(bio_cooked),
        "public_admission": group.public_admission, "public_exit": group.public_exit,
        "allow_membership_requests": False, "full_name": group.full_name or None,
        "default_notification_level": 3, "membership_request_template": None,
    })
    if not (staff or owner):
        body.pop("bio_raw")
        body.pop("incoming_email")
    # only GroupsController#index passes user_group_ids/owner_group_ids to the serializer
    if membership and viewer is not None:
        body["is_group_user"] = viewer.id in members
        body["is_group_owner"] = owner
    body.update({
        "members_visibility_level": group.members_visibility_level,
        "can_see_members": can_see_members(state, group, viewer),
        "can_admin_group": viewer is not None and (viewer.admin or owner),
        "publish_read_state": False,
    })
    if full:
        body["can_edit_group"] = can_manage_group(group, viewer)
    return body


def group_show_json(state: State, group: Group, viewer: User | None) -> dict[str, Any]:
    """GroupShowSerializer: the basic group plus the detail keys of GET /groups/{name}."""
    body = basic_group_json(state, group, viewer)
    is_member = viewer is not None and viewer.id in member_ids(state, group)
    body.update({
        "is_group_user": is_member,
        "is_group_owner_display": viewer is not None and viewer.id in group.owner_ids,
        "mentionable": viewer is not None and alias_allows(group.mentionable_level, group, viewer),
        "messageable": viewer is not None and alias_allows(group.messageable_level, group, viewer),
        "automatic_membership_email_domains": None,
        "smtp_server": None, "smtp_port": None, "smtp_ssl_mode": None, "email_username": None,
        "email_password": None, "message_count": 0, "allow_unknown_sender_topic_replies": False,
        "associated_group_ids": [],
        "watching_category_ids": [], "tracking_category_ids": [],
        "watching_first_post_category_ids": [], "regular_category_ids": [],
        "muted_category_ids": [], "watching_tags": [], "watching_first_post_tags": [],
        "tracking_tags": [], "regular_tags": [], "muted_tags": [],
    })
    return body


def member_json(state: State, user: User, group: Group) -> dict[str, Any]:
    """GroupUserSerializer: one row of GET /groups/{name}/members."""
    from discourse_sandbox.core.queries import post_stats
    from discourse_sandbox.user_json import avatar_template

    last_posted = post_stats(state, user.id)[2]
    added = group.created_at or user.created_at
    return {
        "id": user.id, "username": user.username, "name": user.name or None,
        "avatar_template": avatar_template(user), "title": None,
        "last_posted_at": optional_iso(last_posted),
        "last_seen_at": optional_iso(user.last_seen_at),
        "added_at": iso(added), "timezone": "Africa/Casablanca",
    }


def _excerpt(cooked: str | None) -> str | None:
    if not cooked:
        return None
    text = re.sub(r"<[^>]+>", "", cooked).strip()
    return text[:110]


# --- seed ------------------------------------------------------------------------------------

_GROUP_KEYS = {"name", "full_name", "bio", "bio_raw", "visibility_level", "members_visibility_level",
               "public_admission", "public_exit", "mentionable_level", "messageable_level"}


def seed_groups(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `groups`: [{name, full_name?, visibility_level?, ...}] (members come with users)."""
    with sandbox.state.transaction() as state:
        for where, entry in seed_entries("groups", entries, "name"):
            reject_unknown_keys(f"{where} ({entry['name']})", entry, _GROUP_KEYS)
            data = dict(entry)
            if "bio" in data:
                data["bio_raw"] = data.pop("bio")
            group, errors = create_group(state, data, sandbox.clock.now())
            if group is None:
                raise ValueError(f"{where} ({entry['name']}): key 'name': {'; '.join(errors)}")
