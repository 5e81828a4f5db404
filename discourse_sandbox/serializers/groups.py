"""Group serializers: BasicGroupSerializer, GroupShowSerializer and GroupUserSerializer."""

from __future__ import annotations

import re
from typing import Any

from discourse_sandbox.core.clock import iso, optional_iso
from discourse_sandbox.core.cooking import cook
from discourse_sandbox.core.guardian import alias_allows, can_manage_group, can_see_members
from discourse_sandbox.core.queries import member_ids, post_stats
from discourse_sandbox.core.records import Group, User
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import avatar_template

# I18n groups.default_names, shown as display_name of automatic groups
DISPLAY_NAMES = {
    "everyone": "everyone", "admins": "admins", "moderators": "moderators", "staff": "staff",
    "trust_level_0": "trust_level_0", "trust_level_1": "trust_level_1",
    "trust_level_2": "trust_level_2", "trust_level_3": "trust_level_3",
    "trust_level_4": "trust_level_4",
}


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
