"""Routes: the admin user API (Admin::UsersController), behind Rails' StaffConstraint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, request

from discourse_sandbox.core.clock import iso
from discourse_sandbox.core.errors import invalid_access, invalid_parameters
from discourse_sandbox.core.events import UserEvent
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.core.queries import post_stats
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.guards import found, require_staff_route
from discourse_sandbox.posting import parse_time
from discourse_sandbox.serializers.admin_users import admin_list_json, admin_user_json
from discourse_sandbox.serializers.avatars import basic_user_json
from discourse_sandbox.users import anonymize, destroy_user

bp = Blueprint("admin_users", __name__)

ADMIN_PAGE = 100
TRUST_LEVEL_FLAGS = {"newuser": 0, "basic": 1, "member": 2, "regular": 3, "leader": 4}
_SORT_KEYS: dict[str, Callable[[User, State], Any]] = {
    "created": lambda u, s: u.created_at.timestamp(),
    "seen": lambda u, s: u.last_seen_at.timestamp() if u.last_seen_at else 0.0,
    "username": lambda u, s: u.username.lower(),
    "email": lambda u, s: u.email.lower(),
    "trust_level": lambda u, s: u.trust_level,
    "posts": lambda u, s: post_stats(s, u.id)[0],
}


@bp.get("/admin/users")
@bp.get("/admin/users/list")
@bp.get("/admin/users/list/<flag>")
def list_users(flag: str = "active") -> Response:
    """Admin::UsersController#index via AdminUserIndexQuery: a bare array, 100 a page."""
    require_staff_route()
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


@bp.get("/admin/users/<int:user_id>")
def admin_show_user(user_id: int) -> Response:
    """Admin::UsersController#show: AdminDetailedUserSerializer."""
    viewer = require_staff_route()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = found(state.users.get(user_id))
        return json_reply(admin_user_json(state, user, viewer, sandbox.clock.now()))


@bp.delete("/admin/users/<int:user_id>")
def admin_delete_user(user_id: int) -> Response:
    """Admin::UsersController#destroy: refuses users with posts unless delete_posts=true."""
    require_staff_route()
    args = params()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = found(state.users.get(user_id))
        if user.admin or user.id <= 0:
            invalid_access()  # Guardian#can_delete_user?: never admins nor the system user
        posts = [p for p in state.posts.values() if p.user_id == user.id and p.deleted_at is None]
        if posts and not as_bool(args.get("delete_posts")):
            count = len(posts)  # user.posts.joins(:topic).count
            noun = ("1 post in a public topic or personal message" if count == 1
                    else f"{count} posts in public topics or personal messages")
            return json_reply({"deleted": False, "message": (
                f"User {user.username} has {noun}, so they can't be deleted.")}, 403)
        destroy_user(state, user, posts, sandbox.clock.now(), sandbox.events)
    return json_reply({"deleted": True})


@bp.put("/admin/users/<int:user_id>/anonymize")
def admin_anonymize_user(user_id: int) -> Response:
    """Admin::UsersController#anonymize: UserAnonymizer; Discourse sends no webhook for it."""
    require_staff_route()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = found(state.users.get(user_id))
        if user.staff or user.id <= 0:
            invalid_access()
        anonymize(state, user, sandbox.clock.now())
        return json_reply({"success": "OK", "username": user.username})


@bp.put("/admin/users/<int:user_id>/suspend")
def admin_suspend_user(user_id: int) -> Response:
    """Admin::UsersController#suspend: suspend_until and reason are required."""
    viewer = require_staff_route()
    args = params()
    sandbox = g.sandbox
    for key in ("suspend_until", "reason"):
        if not args.get(key):
            invalid_parameters(key)
    until = parse_time(str(args["suspend_until"]).strip())
    if until is None:
        invalid_parameters("suspend_until")
    now = sandbox.clock.now()
    with sandbox.state.transaction() as state:
        user = found(state.users.get(user_id))
        if user.admin or user.id <= 0:
            invalid_access()
        user.suspended_till, user.suspend_reason = until, str(args["reason"])
        sandbox.events.emit(UserEvent("user_suspended", user))
        body = {"suspension": {
            "suspend_reason": user.suspend_reason, "full_suspend_reason": user.suspend_reason,
            "suspended_till": iso(until), "suspended_at": iso(now),
            "suspended_by": basic_user_json(viewer),
        }}
    return json_reply(body)


@bp.put("/admin/users/<int:user_id>/unsuspend")
def admin_unsuspend_user(user_id: int) -> Response:
    """Admin::UsersController#unsuspend."""
    require_staff_route()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = found(state.users.get(user_id))
        user.suspended_till = user.suspend_reason = None
        sandbox.events.emit(UserEvent("user_unsuspended", user))
    return json_reply({"suspension": {"suspended_till": None, "suspended_at": None}})


@bp.put("/admin/users/<int:user_id>/activate")
@bp.put("/admin/users/<int:user_id>/deactivate")
def admin_activate_user(user_id: int) -> Response:
    """Admin::UsersController#activate / #deactivate: {"success": "OK"}."""
    require_staff_route()
    with g.sandbox.state.transaction() as state:
        user = found(state.users.get(user_id))
        user.active = request.path.rstrip("/").endswith("/activate")
    return json_reply({"success": "OK"})
