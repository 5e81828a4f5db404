"""Routes: user profiles, sign-up, the directory, and the admin user API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g

from discourse_sandbox.clock import iso
from discourse_sandbox.http import (
    as_bool,
    as_int,
    fail,
    invalid_access,
    invalid_parameters,
    json_reply,
    not_found,
    params,
)
from discourse_sandbox.state import State, User
from discourse_sandbox.users import (
    EMAIL_RE,
    admin_list_json,
    admin_user_json,
    allowed_field_ids,
    anonymize,
    apply_field_values,
    basic_user_json,
    can_edit_user,
    destroy_user,
    directory_item_json,
    parse_time,
    post_stats,
    user_json,
    username_errors,
    webhook_user_json,
)

bp = Blueprint("users", __name__)

# Honeypot values of GET /session/hp; sign-ups without them are "suspicious" unless by an admin key.
HONEYPOT_VALUE = "sandbox-honeypot-value"
CHALLENGE = "sandbox-challenge-0123456789"
ACTIVE_MESSAGE = "Your account is activated and ready to use."
ACTIVATE_EMAIL = (
    "<p>You’re almost done! We sent an activation mail to <b>{email}</b>. Please follow the "
    "instructions in the mail to activate your account.</p><p>If it doesn’t arrive, check your spam "
    "folder.</p>"
)
MISSING_FIELD = "You have not completed all the user fields"
DIRECTORY_PERIODS = ("all", "yearly", "quarterly", "monthly", "weekly", "daily")
DIRECTORY_ORDERS = ("likes_received", "likes_given", "topic_count", "post_count",
                    "topics_entered", "posts_read", "days_visited")
DIRECTORY_PAGE = 50
PROFILE_KEYS = ("name", "bio_raw", "location", "website", "locale")


def _viewer() -> User | None:
    return g.user  # type: ignore[no-any-return]


def _state() -> State:
    return g.sandbox.state  # type: ignore[no-any-return]


def _user_or_404(state: State, username: str) -> User:
    user = state.user_by_username(username)
    if user is None:
        not_found()
    return user


# --- profiles --------------------------------------------------------------------------------

@bp.get("/u/<username>")
@bp.get("/users/<username>")
def show_user(username: str) -> Response:
    """UsersController#show: {"user_badges": [], "user": {...}}."""
    with _state().transaction() as state:
        user = _user_or_404(state, username)
        return json_reply({"user_badges": [], "user": user_json(state, user, _viewer())})


@bp.put("/u/<username>")
@bp.put("/users/<username>")
def update_user(username: str) -> Response:
    """UsersController#update: profile attributes and user_fields[<id>]."""
    args = params()
    viewer = _viewer()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = _user_or_404(state, username)
        if not can_edit_user(viewer, user):
            invalid_access()
        for key in PROFILE_KEYS:
            if key in args and args[key] is not None:
                setattr(user, key, str(args[key]))
        if args.get("featured_topic_id") not in (None, ""):
            user.featured_topic_id = as_int(args["featured_topic_id"], "featured_topic_id")
        _changed, error = apply_field_values(state, user, args.get("user_fields"), viewer)
        if error:
            fail(422, error)
        user.updated_at = sandbox.clock.now()
        payload = webhook_user_json(state, user)
        group_ids = state.group_ids_of(user.id)
        body = {"success": "OK", "user": user_json(state, user, viewer)}
    sandbox.emitter.emit("user_updated", payload, group_ids=group_ids)
    return json_reply(body)


# --- sign-up ---------------------------------------------------------------------------------

@bp.get("/session/hp")
def honeypot() -> Response:
    """UsersController#get_honeypot_value (pydiscourse's create_user asks for it first)."""
    return json_reply({"value": HONEYPOT_VALUE, "challenge": CHALLENGE, "expires_in": 3600})


@bp.post("/users")
def create_user() -> Response:
    """UsersController#create: {success, active, message, user_id} or the validation failure."""
    args = params()
    for key in ("email", "username"):
        if not str(args.get(key) or "").strip():
            invalid_parameters(key)
    viewer = _viewer()
    admin_api = bool(g.api and viewer is not None and viewer.admin)
    email = str(args["email"]).strip().lower()
    if not admin_api and (args.get("password_confirmation") != HONEYPOT_VALUE
                          or args.get("challenge") != CHALLENGE[::-1]):
        # respond_to_suspicious_request: pretend it worked, create nothing
        return json_reply({"success": True, "active": False,
                           "message": ACTIVATE_EMAIL.format(email=email)})
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        result = _create(state, args, email, admin_api, sandbox.clock.now())
        if not isinstance(result, User):
            return json_reply(result)
        user = result
        payload = webhook_user_json(state, user)
        group_ids = state.group_ids_of(user.id)
    sandbox.emitter.emit("user_created", payload, group_ids=group_ids)
    message = ACTIVE_MESSAGE if user.active else ACTIVATE_EMAIL.format(email=user.email)
    return json_reply({"success": True, "active": user.active, "message": message,
                       "user_id": user.id})


def _create(state: State, args: dict[str, Any], email: str, admin_api: bool, now: Any) -> Any:
    username = str(args["username"]).strip()
    name = str(args.get("name") or "").strip()
    password = str(args.get("password") or "")
    staged = next((u for u in state.users.values() if u.staged and u.email.lower() == email), None)
    errors: dict[str, list[str]] = {}
    full: list[str] = []
    for message in username_errors(state, username, staged.id if staged else None):
        errors.setdefault("username", []).append(message.removeprefix("Username "))
        full.append(message)
    if not EMAIL_RE.match(email):
        errors.setdefault("email", []).append("is invalid")
        full.append("Primary email is invalid")
    elif any(u.email.lower() == email and not u.staged for u in state.users.values()):
        errors.setdefault("email", []).append("has already been taken")
        full.append("Primary email has already been taken")
    if password and len(password) < 10:
        errors.setdefault("password", []).append("is too short (minimum is 10 characters)")
        full.append("Password is too short (minimum is 10 characters)")
    if errors:
        return {"success": False, "message": "\n".join(full), "errors": errors,
                "values": {"name": name, "username": username, "email": email},
                "is_developer": False}
    given = args.get("user_fields")
    raw_fields: dict[str, Any] = given if isinstance(given, dict) else {}
    for field in state.user_fields.values():
        if field.requirement != "optional" and raw_fields.get(str(field.id)) in (None, "", []):
            return {"success": False, "message": MISSING_FIELD}
    user = staged or User(id=state.next_id("users"), username=username, name=name, email=email,
                          created_at=now, updated_at=now, trust_level=0)
    user.username, user.name, user.email, user.password = username, name, email, password
    user.staged = False
    user.active = as_bool(args.get("active")) if admin_api else False
    user.approved = as_bool(args.get("approved"), True) if admin_api else True
    # create stores the values as given (no option filtering), cut at the maximum length
    apply_field_values(state, user, raw_fields, state.users.get(-1), clean=False)
    state.users[user.id] = user
    return user


# --- directory -------------------------------------------------------------------------------

@bp.get("/directory_items")
def directory_items() -> Response:
    """DirectoryItemsController#index: 50 a page, optional user_field_ids=1|2|3."""
    args = params()
    period = str(args.get("period") or "")
    if period not in DIRECTORY_PERIODS:
        fail(400, "You supplied invalid parameters to the request: period", "invalid_parameters")
    order = str(args.get("order") or "likes_received")
    if order not in DIRECTORY_ORDERS:
        order = "likes_received"
    page = max(as_int(args.get("page") or 0, "page"), 0)
    ascending = as_bool(args.get("asc"))
    viewer = _viewer()
    with _state().transaction() as state:
        requested = [int(p) for p in str(args.get("user_field_ids") or "").split("|") if p.isdigit()]
        users = [u for u in state.users.values()
                 if u.id > 0 and u.active and not u.staged and u.silenced_till is None]
        rows = [directory_item_json(state, u, []) for u in sorted(users, key=lambda u: u.id)]
        rows.sort(key=lambda r: r[order], reverse=not ascending)
        total = len(rows)
        rows = rows[page * DIRECTORY_PAGE:(page + 1) * DIRECTORY_PAGE]
        if requested:
            for row in rows:
                user = state.users[row["id"]]
                visible = set(allowed_field_ids(state, user, viewer)) if not (
                    viewer is not None and viewer.staff) else set(state.user_fields)
                ids = [fid for fid in requested if fid in state.user_fields and fid in visible]
                row["user"] = directory_item_json(state, user, ids)["user"]
                if "user_fields" not in row["user"]:
                    row["user"]["user_fields"] = {}
    more = {"order": order, "page": page + 1, "period": period}
    if requested:
        more["user_field_ids"] = "|".join(map(str, requested))
    query = "&".join(f"{k}={v}" for k, v in sorted(more.items())).replace("|", "%7C")
    return json_reply({
        "directory_items": rows,
        "meta": {"last_updated_at": None, "total_rows_directory_items": total,
                 "load_more_directory_items": f"/directory_items.json?{query}"},
    })


# --- admin -----------------------------------------------------------------------------------

ADMIN_PAGE = 100
_SORT_KEYS: dict[str, Callable[[User, State], Any]] = {
    "created": lambda u, s: u.created_at.timestamp(),
    "seen": lambda u, s: u.last_seen_at.timestamp() if u.last_seen_at else 0.0,
    "username": lambda u, s: u.username.lower(),
    "email": lambda u, s: u.email.lower(),
    "trust_level": lambda u, s: u.trust_level,
    "posts": lambda u, s: post_stats(s, u.id)[0],
}


def _require_staff() -> User:
    viewer = _viewer()
    if viewer is None or not viewer.staff:
        not_found()  # StaffConstraint: the route does not exist for others
    return viewer


def _admin_target(state: State, user_id: int) -> User:
    user = state.users.get(user_id)
    if user is None:
        not_found()
    return user


@bp.get("/admin/users")
@bp.get("/admin/users/list")
@bp.get("/admin/users/list/<flag>")
def list_users(flag: str = "active") -> Response:
    """Admin::UsersController#index via AdminUserIndexQuery: a bare array, 100 a page."""
    _require_staff()
    args = params()
    sandbox = g.sandbox
    now = sandbox.clock.now()
    with sandbox.state.transaction() as state:
        users = _filter_users(state, flag, args, now)
        page = max(as_int(args.get("page") or 1, "page"), 1) - 1
        users = users[page * ADMIN_PAGE:(page + 1) * ADMIN_PAGE]
        emails = str(args.get("show_emails")) == "true"
        return json_reply([admin_list_json(state, u, now, emails) for u in users])


def _filter_users(state: State, flag: str, args: dict[str, Any], now: Any) -> list[User]:
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
    email = str(args.get("email") or "").strip().lower()
    term = str(args.get("filter") or "").strip().lower()
    if email:
        users = [u for u in users if u.email.lower() == email]
    elif term:
        terms = [t for t in term.replace(",", " ").split() if t]
        users = [u for u in users
                 if any(t in u.username.lower() or t in u.email.lower() for t in terms)]
    order = str(args.get("order") or "").lower().removesuffix(" asc").removesuffix(" desc")
    # stable sorts, last key first: created_at DESC (last_seen DESC for "active"), username
    users.sort(key=lambda u: u.username.lower())
    if order in _SORT_KEYS:
        users.sort(key=lambda u: _SORT_KEYS[order](u, state), reverse=not args.get("asc"))
    elif flag == "active":
        users.sort(key=lambda u: u.last_seen_at is None)
        users.sort(key=lambda u: u.last_seen_at.timestamp() if u.last_seen_at else 0, reverse=True)
    else:
        users.sort(key=lambda u: u.created_at, reverse=True)
    return users


TRUST_LEVEL_FLAGS = {"newuser": 0, "basic": 1, "member": 2, "regular": 3, "leader": 4}


@bp.get("/admin/users/<int:user_id>")
def admin_show_user(user_id: int) -> Response:
    """Admin::UsersController#show: AdminDetailedUserSerializer."""
    viewer = _require_staff()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = _admin_target(state, user_id)
        return json_reply(admin_user_json(state, user, viewer, sandbox.clock.now()))


@bp.delete("/admin/users/<int:user_id>")
def admin_delete_user(user_id: int) -> Response:
    """Admin::UsersController#destroy: refuses users with posts unless delete_posts=true."""
    _require_staff()
    args = params()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = _admin_target(state, user_id)
        if user.admin or user.id <= 0:
            invalid_access()  # Guardian#can_delete_user?: never admins nor the system user
        posts = [p for p in state.posts.values() if p.user_id == user.id and p.deleted_at is None]
        if posts and not as_bool(args.get("delete_posts")):
            count = len(posts)
            noun = "post in a public topic" if count == 1 else "posts in public topics"
            return json_reply({"deleted": False, "message": (
                f"User {user.username} has {count} {noun} and can't be deleted.")}, 403)
        payload = webhook_user_json(state, user)
        group_ids = state.group_ids_of(user.id)
        destroy_user(state, user, posts, sandbox.clock.now())
    sandbox.emitter.emit("user_destroyed", payload, group_ids=group_ids)
    return json_reply({"deleted": True})


@bp.put("/admin/users/<int:user_id>/anonymize")
def admin_anonymize_user(user_id: int) -> Response:
    """Admin::UsersController#anonymize: UserAnonymizer; Discourse sends no webhook for it."""
    _require_staff()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = _admin_target(state, user_id)
        if user.staff or user.id <= 0:
            invalid_access()
        anonymize(state, user, sandbox.clock.now())
        return json_reply({"success": "OK", "username": user.username})


@bp.put("/admin/users/<int:user_id>/suspend")
def admin_suspend_user(user_id: int) -> Response:
    """Admin::UsersController#suspend: suspend_until and reason are required."""
    viewer = _require_staff()
    args = params()
    sandbox = g.sandbox
    for key in ("suspend_until", "reason"):
        if not args.get(key):
            invalid_parameters(key)
    until = parse_time(str(args["suspend_until"]))
    if until is None:
        invalid_parameters("suspend_until")
    now = sandbox.clock.now()
    with sandbox.state.transaction() as state:
        user = _admin_target(state, user_id)
        if user.admin or user.id <= 0:
            invalid_access()
        user.suspended_till, user.suspend_reason = until, str(args["reason"])
        payload, group_ids = webhook_user_json(state, user), state.group_ids_of(user.id)
        body = {"suspension": {
            "suspend_reason": user.suspend_reason, "full_suspend_reason": user.suspend_reason,
            "suspended_till": iso(until), "suspended_at": iso(now),
            "suspended_by": basic_user_json(viewer),
        }}
    sandbox.emitter.emit("user_suspended", payload, group_ids=group_ids)
    return json_reply(body)


@bp.put("/admin/users/<int:user_id>/unsuspend")
def admin_unsuspend_user(user_id: int) -> Response:
    """Admin::UsersController#unsuspend."""
    _require_staff()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = _admin_target(state, user_id)
        user.suspended_till = user.suspend_reason = None
        payload, group_ids = webhook_user_json(state, user), state.group_ids_of(user.id)
    sandbox.emitter.emit("user_unsuspended", payload, group_ids=group_ids)
    return json_reply({"suspension": {"suspended_till": None, "suspended_at": None}})


@bp.put("/admin/users/<int:user_id>/activate")
@bp.put("/admin/users/<int:user_id>/deactivate")
def admin_activate_user(user_id: int) -> Response:
    """Admin::UsersController#activate / #deactivate: {"success": "OK"}."""
    from flask import request

    _require_staff()
    with _state().transaction() as state:
        user = _admin_target(state, user_id)
        user.active = request.path.rstrip("/").endswith("/activate")
    return json_reply({"success": "OK"})
