"""Admin user serializers: AdminUserListSerializer and AdminDetailedUserSerializer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from discourse_sandbox.core.clock import iso, optional_iso
from discourse_sandbox.core.queries import post_stats
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import avatar_template
from discourse_sandbox.serializers.groups import basic_group_json


def admin_list_json(state: State, user: User, now: datetime, emails: bool) -> dict[str, Any]:
    """AdminUserListSerializer: one entry of /admin/users/list/{flag}."""
    post_count = post_stats(state, user.id)[0]
    body: dict[str, Any] = {
        "id": user.id, "username": user.username, "name": user.name or None,
        "avatar_template": avatar_template(user),
    }
    if emails:
        body["email"] = user.email
        body["secondary_emails"] = []
    body.update({
        "active": user.active, "admin": user.admin, "moderator": user.moderator,
        "last_seen_at": optional_iso(user.last_seen_at), "last_emailed_at": None,
        "created_at": iso(user.created_at),
        "last_seen_age": _age(now, user.last_seen_at), "last_emailed_age": None,
        "created_at_age": _age(now, user.created_at), "trust_level": user.trust_level,
        "manual_locked_trust_level": None, "title": None, "time_read": 0, "staged": user.staged,
        "days_visited": 0, "posts_read_count": 0, "topics_entered": 0, "post_count": post_count,
    })
    if user.suspended_till is not None:
        body["suspended_till"] = iso(user.suspended_till)
    if user.silenced_till is not None:
        body["silenced_till"] = iso(user.silenced_till)
    return body


def admin_user_json(state: State, user: User, viewer: User | None, now: datetime) -> dict[str, Any]:
    """AdminDetailedUserSerializer: GET /admin/users/{id}."""
    body = admin_list_json(state, user, now, emails=False)
    post_count, topic_count, _ = post_stats(state, user.id)
    deletable = not user.admin and user.id > 0 and post_count == 0
    body.update({
        "associated_accounts": [], "can_send_activation_email": not user.active,
        "can_activate": not user.active, "can_deactivate": user.active and user.id > 0,
        "can_change_trust_level": True, "ip_address": "127.0.0.1",
        "registration_ip_address": None, "can_grant_admin": not user.admin,
        "can_revoke_admin": user.admin and user.id > 0, "can_grant_moderation": not user.moderator,
        "can_revoke_moderation": user.moderator and user.id > 0, "can_impersonate": False,
        "like_count": 0, "like_given_count": 0, "topic_count": topic_count,
        "flags_given_count": 0, "flags_received_count": 0, "private_topics_count": 0,
        "can_delete_all_posts": not user.admin and user.id > 0, "can_be_deleted": deletable,
        "can_be_anonymized": not user.admin and user.id > 0, "can_be_merged": user.id > 0,
        "full_suspend_reason": user.suspend_reason, "latest_export": None,
        "full_silence_reason": None, "silence_reason": None, "post_edits_count": 0,
        "primary_group_id": None, "badge_count": 0, "warnings_received_count": 0,
        "bounce_score": 0, "reset_bounce_score_after": None, "can_view_action_logs": True,
        "can_disable_second_factor": False, "can_delete_sso_record": False,
        "api_key_count": sum(1 for k in state.api_keys.values() if k.user_id == user.id),
        "single_sign_on_record": None, "approved_by": None, "suspended_by": None,
        "silenced_by": None,
        "penalty_counts": {"silenced": 0, "suspended": 0},
        "groups": [basic_group_json(state, state.groups[gid], viewer, full=False)
                   for gid in state.group_ids_of(user.id) if gid != 0 and gid in state.groups],
        "external_ids": {},
        "include_ip": False,
    })
    return body


def _age(now: datetime, moment: datetime | None) -> float | None:
    return (now - moment).total_seconds() / 86400 if moment is not None else None
