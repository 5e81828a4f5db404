"""User serializers: UserSerializer, its basic and webhook views, and the values of user fields."""

from __future__ import annotations

import html
from typing import Any

from discourse_sandbox.core.clock import iso, optional_iso
from discourse_sandbox.core.cooking import cook
from discourse_sandbox.core.guardian import allowed_field_ids, can_edit_user, can_see_group
from discourse_sandbox.core.queries import post_stats
from discourse_sandbox.core.records import SYSTEM_USER_ID, User
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import avatar_template
from discourse_sandbox.serializers.groups import basic_group_json
from discourse_sandbox.serializers.user_options import notification_schedule, user_option_json

# UserSerializer attributes only the user himself or staff receive (private_attributes et al.).
_PRIVATE_KEYS = (
    "locale", "muted_category_ids", "regular_category_ids", "watched_tags",
    "watching_first_post_tags", "tracked_tags", "muted_tags", "tracked_category_ids",
    "watched_category_ids", "watched_first_post_category_ids", "system_avatar_upload_id",
    "system_avatar_template", "muted_usernames", "ignored_usernames", "allowed_pm_usernames",
    "mailing_list_posts_per_day", "can_change_bio", "can_change_location", "can_change_website",
    "can_change_tracking_preferences", "user_api_keys", "user_auth_tokens",
    "user_notification_schedule", "use_logo_small_as_avatar", "user_option", "group_users",
    "second_factor_enabled", "second_factor_backup_enabled", "pending_count",
)


def field_value_json(value: Any) -> Any:
    """HasCustomFields semantics: one stored value reads back as a string, several as an array."""
    if isinstance(value, list):
        if not value:
            return None
        return value[0] if len(value) == 1 else list(value)
    return value


def user_fields_json(state: State, user: User, field_ids: list[int]) -> dict[str, Any]:
    """User#user_fields: every requested id as a string key, null when unset."""
    return {str(fid): field_value_json(user.user_fields.get(fid)) for fid in field_ids}


def user_json(state: State, user: User, viewer: User | None) -> dict[str, Any]:
    """UserSerializer as GET /u/{username} renders it for `viewer`."""
    post_count, topic_count, last_posted = post_stats(state, user.id)
    can_edit = can_edit_user(viewer, user)
    staff = viewer is not None and viewer.staff
    body: dict[str, Any] = {
        "id": user.id, "username": user.username, "name": user.name,
        "avatar_template": avatar_template(user),
        "last_posted_at": optional_iso(last_posted), "last_seen_at": optional_iso(user.last_seen_at),
        "created_at": iso(user.created_at), "ignored": False, "muted": False,
        "can_ignore_user": False, "can_ignore_users": False, "can_mute_user": False,
        "can_mute_users": False, "can_send_private_messages": viewer is not None,
        "can_send_private_message_to_user": viewer is not None and viewer.id != user.id,
        "trust_level": user.trust_level, "moderator": user.moderator, "admin": user.admin,
        "title": None, "badge_count": 0, "second_factor_backup_enabled": False,
    }
    field_ids = allowed_field_ids(state, user, viewer)
    if field_ids:
        body["user_fields"] = user_fields_json(state, user, field_ids)
    if user.bio_raw:  # untrusted_attributes: only when present
        body["bio_raw"] = user.bio_raw
        body["bio_cooked"] = cook(user.bio_raw)
    if user.location:
        body["location"] = user.location
    if user.website:
        body["website"] = user.website
    if user.suspended_till is not None:
        body["suspended_till"] = iso(user.suspended_till)
    body.update({
        "custom_fields": {}, "time_read": 0, "recent_time_read": 0,
        "primary_group_id": None, "primary_group_name": None, "flair_group_id": None,
        "flair_name": None, "flair_url": None, "flair_bg_color": None, "flair_color": None,
        "featured_topic": _featured_topic(state, user), "staged": user.staged,
        "can_edit": can_edit, "can_edit_username": can_edit, "can_edit_email": can_edit,
        "can_edit_name": can_edit, "uploaded_avatar_id": None, "has_title_badges": False,
        "pending_count": 0, "pending_posts_count": 0, "profile_view_count": 0,
        "second_factor_enabled": False, "can_upload_profile_header": can_edit,
        "can_upload_user_card_background": can_edit, "post_count": post_count,
        "topic_count": topic_count,
        "can_be_deleted": staff and not user.admin and post_count == 0 and user.id > 0,
        "can_delete_all_posts": staff and not user.admin and user.id > 0,
        "locale": user.locale, "muted_category_ids": [], "regular_category_ids": [],
        "watched_tags": [], "watching_first_post_tags": [], "tracked_tags": [], "muted_tags": [],
        "tracked_category_ids": [], "watched_category_ids": [],
        "watched_first_post_category_ids": [], "system_avatar_upload_id": None,
        "system_avatar_template": avatar_template(user), "muted_usernames": [],
        "ignored_usernames": [], "allowed_pm_usernames": [], "mailing_list_posts_per_day": 0,
        "can_change_bio": True, "can_change_location": True, "can_change_website": True,
        "can_change_tracking_preferences": True, "user_api_keys": None, "user_auth_tokens": [],
        "user_notification_schedule": notification_schedule(),
        "use_logo_small_as_avatar": False, "featured_user_badge_ids": [], "invited_by": None,
        "groups": user_groups_json(state, user, viewer),
        "group_users": [
            {"group_id": gid, "user_id": user.id, "notification_level": 3 if gid < 10 else 1,
             "owner": user.id in state.groups[gid].owner_ids}
            for gid in state.group_ids_of(user.id) if gid != 0 and gid in state.groups
        ],
        "user_option": user_option_json(user),
    })
    if not can_edit and not staff:
        for key in _PRIVATE_KEYS:
            body.pop(key, None)
    if not staff:  # staff_attributes
        body.pop("can_be_deleted")
        body.pop("can_delete_all_posts")
    return body


def user_groups_json(state: State, user: User, viewer: User | None) -> list[dict[str, Any]]:
    """UserSerializer#groups: the user's groups the viewer may see, by id ("everyone" excluded)."""
    return [
        basic_group_json(state, state.groups[gid], viewer, full=False)
        for gid in state.group_ids_of(user.id)
        if gid != 0 and gid in state.groups and can_see_group(state, state.groups[gid], viewer)
    ]


def webhook_user_json(state: State, user: User) -> dict[str, Any]:
    """WebHookUserSerializer: the system's view, all user_fields, email and external_id."""
    system = state.users.get(SYSTEM_USER_ID)
    body = user_json(state, user, system)
    for key in ("custom_fields", "group_users", "user_api_keys", "user_auth_tokens",
                "user_notification_schedule", "user_passkeys"):
        body.pop(key, None)
    for key in [k for k in body if k.startswith("can_")]:
        body.pop(key)
    body["user_fields"] = user_fields_json(state, user, sorted(state.user_fields))
    body["email"] = user.email
    body["secondary_emails"] = []
    if getattr(user, "external_id", None):
        body["external_id"] = user.external_id
    return body


def _featured_topic(state: State, user: User) -> dict[str, Any] | None:
    topic = state.topics.get(user.featured_topic_id) if user.featured_topic_id else None
    if topic is None or topic.deleted_at is not None:
        return None
    return {"id": topic.id, "title": topic.title, "fancy_title": html.escape(topic.title),
            "slug": topic.slug, "posts_count": len(state.posts_of_topic(topic.id))}


ACTIVE_MESSAGE = "Your account is activated and ready to use."
ACTIVATE_EMAIL = (
    "<p>You’re almost done! We sent an activation mail to <b>{email}</b>. Please follow the "
    "instructions in the mail to activate your account.</p><p>If it doesn’t arrive, check your spam "
    "folder.</p>"
)


def sign_up_json(user: User) -> dict[str, Any]:
    """UsersController#create's success: {success, active, message, user_id}."""
    message = ACTIVE_MESSAGE if user.active else ACTIVATE_EMAIL.format(email=user.email)
    return {"success": True, "active": user.active, "message": message, "user_id": user.id}


def sign_up_refused_json(message: str, errors: dict[str, list[str]] | None,
                         values: dict[str, str] | None) -> dict[str, Any]:
    """UsersController#create's failure: the message, with errors and values when validation failed."""
    if errors is None:
        return {"success": False, "message": message}
    return {"success": False, "message": message, "errors": errors, "values": values,
            "is_developer": False}
