"""Users and user fields: validation, field values, serializers, and the seed sections for them."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from discourse_sandbox.clock import iso
from discourse_sandbox.cooking import cook
from discourse_sandbox.groups import (
    basic_group_json,
    can_see_group,
    find_users_by_names,
    seed_groups,
)
from discourse_sandbox.state import SYSTEM_USER_ID, ApiKey, State, User, UserField

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

__all__ = [
    "FIELD_TYPES", "REQUIREMENTS", "allowed_field_ids", "apply_field_values", "avatar_template",
    "build_user_field", "can_edit_user", "field_value_json", "find_users_by_names", "seed_api_keys",
    "seed_groups", "seed_user_fields", "seed_users", "user_field_json", "user_fields_json",
    "username_errors", "webhook_user_json",
]

FIELD_TYPES = ("text", "confirm", "dropdown", "multiselect")
REQUIREMENTS = ("optional", "for_all_users", "on_signup", "for_existing_users")
MAX_FIELD_LENGTH = 2048  # UserField.max_length
USERNAME_RE = re.compile(r"^[\w.-]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LETTER_COLORS = ("8e7dd6", "b19c9b", "e47774", "ba9cbf", "dfb087", "5f8052", "a87137", "f1bc3d")


# --- user fields -----------------------------------------------------------------------------

def build_user_field(
    state: State, data: dict[str, Any], field: UserField | None = None
) -> tuple[UserField | None, list[str]]:
    """Create (or update, when `field` is given) a user field from admin params; (field, errors)."""
    merged = dict(field.__dict__) if field is not None else {
        "name": "", "field_type": "", "description": "", "requirement": "optional",
        "editable": False, "show_on_profile": False, "show_on_user_card": False,
        "searchable": False, "options": [],
        "position": max((f.position for f in state.user_fields.values()), default=0) + 1,
    }
    for key in ("name", "field_type", "description", "requirement"):
        if key in data and data[key] is not None:
            merged[key] = str(data[key]).strip()
    for key in ("editable", "show_on_profile", "show_on_user_card", "searchable"):
        if key in data:
            merged[key] = _bool(data[key])
    if data.get("position") not in (None, ""):
        merged["position"] = int(str(data["position"]))
    if "options" in data:
        options = data["options"]
        values = options.values() if isinstance(options, dict) else options or []
        merged["options"] = [str(v).strip() for v in values if str(v).strip()]
    errors = []
    if merged["field_type"] not in FIELD_TYPES:
        errors.append("Field type is not included in the list")
    if merged["requirement"] not in REQUIREMENTS:
        errors.append("Requirement is not included in the list")
    if not merged["description"]:
        errors.append("Description can't be blank")
    if not merged["name"] and merged["field_type"] != "confirm":
        errors.append("Name can't be blank")
    if errors:
        return None, errors
    if merged["field_type"] not in ("dropdown", "multiselect"):
        merged["options"] = []
    merged["id"] = field.id if field is not None else state.next_id("user_fields")
    return UserField(**merged), []


def user_field_json(field: UserField) -> dict[str, Any]:
    """UserFieldSerializer, as the admin API returns it."""
    return {
        "id": field.id, "name": field.name, "description": field.description,
        "field_type": field.field_type, "editable": field.editable,
        "required": field.requirement != "optional", "requirement": field.requirement,
        "show_on_profile": field.show_on_profile, "show_on_user_card": field.show_on_user_card,
        "searchable": field.searchable, "position": field.position, "options": list(field.options),
    }


def field_value_json(value: Any) -> Any:
    """HasCustomFields semantics: one stored value reads back as a string, several as an array."""
    if isinstance(value, list):
        if not value:
            return None
        return value[0] if len(value) == 1 else list(value)
    return value


def allowed_field_ids(state: State, user: User, viewer: User | None) -> list[int]:
    """Guardian#allowed_user_field_ids: staff and the user see all; others the public ones."""
    fields = sorted(state.user_fields.values(), key=lambda f: f.id)
    if viewer is not None and (viewer.staff or viewer.id == user.id):
        return [f.id for f in fields]
    return [f.id for f in fields if f.show_on_profile or f.show_on_user_card]


def user_fields_json(state: State, user: User, field_ids: list[int]) -> dict[str, Any]:
    """User#user_fields: every requested id as a string key, null when unset."""
    return {str(fid): field_value_json(user.user_fields.get(fid)) for fid in field_ids}


def clean_field_value(field: UserField, value: Any) -> Any:
    """UsersController's cleaning: "false" is nil, options filtered, text cut at 2048 chars."""
    if value is None or value == "false" or value == "":
        return None
    if field.field_type == "multiselect":
        values = value if isinstance(value, list) else [value]
        kept = [str(v) for v in values if str(v) in field.options]
        return kept or None
    if isinstance(value, list):
        value = value[-1] if value else None
        if value is None:
            return None
    if field.field_type == "dropdown":
        return str(value) if str(value) in field.options else None
    return str(value)[:MAX_FIELD_LENGTH]


def apply_field_values(
    state: State, user: User, raw: Any, acting: User | None, clean: bool = True
) -> tuple[bool, str | None]:
    """Store `user_fields[<id>]` params; non-staff only touch editable fields. (changed, error)."""
    if not isinstance(raw, dict):
        return False, None
    changed = False
    staff = acting is not None and acting.staff
    for field in sorted(state.user_fields.values(), key=lambda f: f.id):
        if str(field.id) not in raw or (not staff and not field.editable):
            continue
        given = raw[str(field.id)]
        if isinstance(given, dict):  # a JSON or Rails hash of values {"0": "a", "1": "b"}
            given = list(given.values())
        value = clean_field_value(field, given) if clean else _stored(given)
        if value is None and field.requirement != "optional":
            return changed, "You have not completed all the user fields"
        if value is None:
            changed = changed or field.id in user.user_fields
            user.user_fields.pop(field.id, None)
        else:
            changed = changed or user.user_fields.get(field.id) != value
            user.user_fields[field.id] = value
    return changed, None


def _stored(value: Any) -> Any:
    """A value as a custom field row holds it: text (booleans as "true"/"false"), cut at 2048."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return [_stored(v) for v in value if _stored(v) is not None] or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)[:MAX_FIELD_LENGTH]


# --- users -----------------------------------------------------------------------------------

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


def can_edit_user(viewer: User | None, user: User) -> bool:
    """Guardian#can_edit_user?: oneself, admins, and moderators for non-admins."""
    if viewer is None:
        return False
    if viewer.id == user.id or viewer.admin:
        return True
    return viewer.moderator and not user.admin


def avatar_template(user: User) -> str:
    """A letter avatar, as Discourse serves for users without an uploaded picture."""
    if user.id == SYSTEM_USER_ID:
        return "/images/discourse-logo-sketch-small.png"
    letter = (user.username[:1] or "x").lower()
    color = _LETTER_COLORS[int(hashlib.md5(user.username.encode()).hexdigest(), 16) % 8]
    return f"/letter_avatar_proxy/v4/letter/{letter}/{color}/{{size}}.png"


def post_stats(state: State, user_id: int) -> tuple[int, int, datetime | None]:
    """(post_count, topic_count, last_posted_at) from the live posts and topics."""
    posts = [p for p in state.posts.values() if p.user_id == user_id and p.deleted_at is None]
    topics = sum(1 for t in state.topics.values()
                 if t.user_id == user_id and t.deleted_at is None and t.archetype == "regular")
    last = max((p.created_at for p in posts), default=None)
    return len(posts), topics, last


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


# --- seed ------------------------------------------------------------------------------------

def seed_user_fields(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `user_fields`: [{name, field_type, options?, editable?, show_on_profile?, ...}]."""
    with sandbox.state.transaction() as state:
        for i, entry in enumerate(entries or []):
            where = f"user_fields[{i}]"
            if not isinstance(entry, dict) or not entry.get("name"):
                raise ValueError(f"{where}: key 'name' is required")
            unknown = set(entry) - {"name", "field_type", "description", "requirement", "editable",
                                    "show_on_profile", "show_on_user_card", "searchable",
                                    "position", "options"}
            if unknown:
                raise ValueError(f"{where} ({entry['name']}): unknown key(s) {sorted(unknown)}")
            if any(f.name == entry["name"] for f in state.user_fields.values()):
                raise ValueError(f"{where}: key 'name': a user field named {entry['name']!r} exists")
            data = {"editable": True, "description": entry["name"], **entry}
            field, errors = build_user_field(state, data)
            if field is None:
                raise ValueError(f"{where} ({entry['name']}): {'; '.join(errors)}")
            state.user_fields[field.id] = field


_USER_KEYS = {"username", "name", "email", "password", "admin", "moderator", "trust_level", "bio",
              "location", "website", "groups", "owner_of", "fields", "active", "approved",
              "staged", "locale", "external_id", "created_at"}


def seed_users(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `users`: see seed.py; fields by field name, groups and owner_of by group name."""
    with sandbox.state.transaction() as state:
        now = sandbox.clock.now()
        for i, entry in enumerate(entries or []):
            _seed_one_user(state, entry, f"users[{i}]", now)


def _seed_one_user(state: State, entry: Any, where: str, now: datetime) -> None:
    if not isinstance(entry, dict) or not entry.get("username"):
        raise ValueError(f"{where}: key 'username' is required")
    username = str(entry["username"])
    where = f"{where} ({username})"
    unknown = set(entry) - _USER_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
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
        for i, entry in enumerate(entries or []):
            where = f"api_keys[{i}]"
            if not isinstance(entry, dict) or not entry.get("key"):
                raise ValueError(f"{where}: key 'key' is required")
            user_id = None
            if entry.get("user") is not None:
                user = state.user_by_username(str(entry["user"]))
                if user is None:
                    raise ValueError(f"{where}: key 'user': no user named {entry['user']!r}")
                user_id = user.id
            key = str(entry["key"])
            state.api_keys[key] = ApiKey(key, user_id, str(entry.get("description") or ""))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "t", "on", "yes")


# --- serializers -----------------------------------------------------------------------------

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


def user_json(state: State, user: User, viewer: User | None) -> dict[str, Any]:
    """UserSerializer as GET /u/{username} renders it for `viewer`."""
    post_count, topic_count, last_posted = post_stats(state, user.id)
    can_edit = can_edit_user(viewer, user)
    staff = viewer is not None and viewer.staff
    body: dict[str, Any] = {
        "id": user.id, "username": user.username, "name": user.name,
        "avatar_template": avatar_template(user),
        "last_posted_at": _iso(last_posted), "last_seen_at": _iso(user.last_seen_at),
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
        "user_notification_schedule": _notification_schedule(),
        "use_logo_small_as_avatar": False, "featured_user_badge_ids": [], "invited_by": None,
        "groups": user_groups_json(state, user, viewer),
        "group_users": [
            {"group_id": gid, "user_id": user.id, "notification_level": 3 if gid < 10 else 1,
             "owner": user.id in state.groups[gid].owner_ids}
            for gid in state.group_ids_of(user.id) if gid != 0 and gid in state.groups
        ],
        "user_option": _user_option(user),
    })
    if not can_edit and not staff:
        for key in _PRIVATE_KEYS:
            body.pop(key, None)
    if not staff:  # staff_attributes
        body.pop("can_be_deleted")
        body.pop("can_delete_all_posts")
    return body


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
        "last_seen_at": _iso(user.last_seen_at), "last_emailed_at": None,
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


def directory_item_json(state: State, user: User, field_ids: list[int]) -> dict[str, Any]:
    """DirectoryItemSerializer (period "all"): counts plus the user, with fields when asked."""
    post_count, topic_count, _ = post_stats(state, user.id)
    inner: dict[str, Any] = {
        "id": user.id, "username": user.username, "name": user.name or None,
        "avatar_template": avatar_template(user), "title": None,
    }
    if field_ids:
        fields: dict[str, Any] = {}
        for fid in field_ids:
            value = user.user_fields.get(fid)
            if value in (None, [], ""):
                continue  # only custom fields the user has are serialized
            fields[str(fid)] = {
                "searchable": state.user_fields[fid].searchable,
                "value": list(value) if isinstance(value, list) else [value],
            }
        inner["user_fields"] = fields
    return {
        "id": user.id, "likes_received": 0, "likes_given": 0, "topics_entered": 0,
        "topic_count": topic_count, "post_count": post_count, "posts_read": 0,
        "days_visited": 0, "user": inner,
    }


def _featured_topic(state: State, user: User) -> dict[str, Any] | None:
    topic = state.topics.get(user.featured_topic_id) if user.featured_topic_id else None
    if topic is None or topic.deleted_at is not None:
        return None
    return {"id": topic.id, "title": topic.title, "fancy_title": html.escape(topic.title),
            "slug": topic.slug, "posts_count": len(state.posts_of_topic(topic.id))}


def _notification_schedule() -> dict[str, Any]:
    body: dict[str, Any] = {"enabled": False}
    for day in range(7):
        body[f"day_{day}_start_time"] = 480
        body[f"day_{day}_end_time"] = 1020
    return body


def _user_option(user: User) -> dict[str, Any]:
    return {
        "user_id": user.id, "mailing_list_mode": False, "mailing_list_mode_frequency": 1,
        "email_digests": True, "email_level": 1, "email_messages_level": 0,
        "external_links_in_new_tab": False, "bookmark_auto_delete_preference": 3,
        "color_scheme_id": None, "dark_scheme_id": None, "dynamic_favicon": False,
        "enable_quoting": True, "enable_smart_lists": True,
        "enable_markdown_monospace_font": False, "digest_after_minutes": 10080,
        "automatically_unpin_topics": True, "auto_track_topics_after_msecs": 240000,
        "notification_level_when_replying": 2, "new_topic_duration_minutes": 2880,
        "email_previous_replies": 2, "email_in_reply_to": False, "like_notification_frequency": 1,
        "notify_on_linked_posts": True, "push_notification_level": "all",
        "enable_upcoming_change_available_notifications": True, "include_tl0_in_digests": False,
        "theme_ids": [], "theme_key_seq": 0, "allow_private_messages": True,
        "enable_allowed_pm_users": False, "homepage_id": None, "hide_profile_and_presence": False,
        "hide_profile": False, "hide_presence": False, "text_size": "normal", "text_size_seq": 0,
        "title_count_mode": "notifications", "timezone": None, "skip_new_user_tips": False,
        "default_calendar": "none_selected", "oldest_search_log_date": None,
        "sidebar_link_to_filtered_list": False, "sidebar_show_count_of_new_items": False,
        "watched_precedence_over_muted": False, "seen_popups": None,
        "topics_unread_when_closed": True, "composition_mode": 1, "interface_color_mode": 1,
        "automatically_translate": False, "understood_languages": [user.locale],
        "show_original_content": False, "send_shortcut": "ctrl_enter",
    }


def _iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _age(now: datetime, moment: datetime | None) -> float | None:
    return (now - moment).total_seconds() / 86400 if moment is not None else None


# --- admin operations ------------------------------------------------------------------------

def basic_user_json(user: User) -> dict[str, Any]:
    """BasicUserSerializer: {id, username, name, avatar_template}."""
    return {"id": user.id, "username": user.username, "name": user.name,
            "avatar_template": avatar_template(user)}


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
    for group in state.groups.values():
        if user.id in group.user_ids:
            group.user_ids.remove(user.id)
        if user.id in group.owner_ids:
            group.owner_ids.remove(user.id)
    for key in [k for k, v in state.api_keys.items() if v.user_id == user.id]:
        del state.api_keys[key]


def destroy_user(state: State, user: User, posts: list[Any], now: datetime) -> None:
    """UserDestroyer: trash the user's posts (and topics they opened), then drop the user."""
    for post in posts:
        post.deleted_at = now
        if post.post_number == 1 and post.topic_id in state.topics:
            state.topics[post.topic_id].deleted_at = now
    for group in state.groups.values():
        if user.id in group.user_ids:
            group.user_ids.remove(user.id)
        if user.id in group.owner_ids:
            group.owner_ids.remove(user.id)
    for key in [k for k, v in state.api_keys.items() if v.user_id == user.id]:
        del state.api_keys[key]
    del state.users[user.id]


def parse_time(text: str) -> datetime | None:
    """A date or time param ("2121-02-22", ISO 8601 with Z), as UTC."""
    from datetime import UTC

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
