"""Routes: the admin user API (Admin::UsersController), behind Rails' StaffConstraint."""

from __future__ import annotations

from flask import Blueprint, Response, request

from discourse_sandbox.core.clock import iso
from discourse_sandbox.core.errors import invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.models.admin_users import UserHasPosts, UserQuery
from discourse_sandbox.models.posting import parse_time
from discourse_sandbox.routes.guards import current_backend, require_staff_route
from discourse_sandbox.serializers.admin_users import admin_list_json, admin_user_json
from discourse_sandbox.serializers.avatars import basic_user_json

bp = Blueprint("admin_users", __name__)


@bp.get("/admin/users")
@bp.get("/admin/users/list")
@bp.get("/admin/users/list/<flag>")
def list_users(flag: str = "active") -> Response:
    """Admin::UsersController#index via AdminUserIndexQuery: a bare array, 100 a page."""
    require_staff_route()
    args = params()
    query = UserQuery(
        email=str(args.get("email") or "").strip().lower(),
        term=str(args.get("filter") or "").strip().lower(),
        order=str(args.get("order") or "").lower().removesuffix(" asc").removesuffix(" desc"),
        ascending=bool(args.get("asc")),  # any value, even "false"
        page=max(as_int(args.get("page") or 1, "page"), 1) - 1,
    )
    emails = str(args.get("show_emails")) == "true"
    backend = current_backend()
    now = backend.now()
    with backend.transaction() as state:
        users = backend.admin_users.index(flag, query, now)
        return json_reply([admin_list_json(state, u, now, emails) for u in users])


@bp.get("/admin/users/<int:user_id>")
def admin_show_user(user_id: int) -> Response:
    """Admin::UsersController#show: AdminDetailedUserSerializer."""
    viewer = require_staff_route()
    backend = current_backend()
    with backend.transaction() as state:
        user = backend.admin_users.get(user_id)
        return json_reply(admin_user_json(state, user, viewer, backend.now()))


@bp.delete("/admin/users/<int:user_id>")
def admin_delete_user(user_id: int) -> Response:
    """Admin::UsersController#destroy: refuses users with posts unless delete_posts=true."""
    require_staff_route()
    delete_posts = as_bool(params().get("delete_posts"))
    try:
        current_backend().admin_users.destroy(user_id, delete_posts)
    except UserHasPosts as refusal:
        return json_reply({"deleted": False, "message": str(refusal)}, 403)
    return json_reply({"deleted": True})


@bp.put("/admin/users/<int:user_id>/anonymize")
def admin_anonymize_user(user_id: int) -> Response:
    """Admin::UsersController#anonymize: UserAnonymizer; Discourse sends no webhook for it."""
    require_staff_route()
    backend = current_backend()
    with backend.transaction():
        user = backend.admin_users.anonymize(user_id)
        return json_reply({"success": "OK", "username": user.username})


@bp.put("/admin/users/<int:user_id>/suspend")
def admin_suspend_user(user_id: int) -> Response:
    """Admin::UsersController#suspend: suspend_until and reason are required."""
    viewer = require_staff_route()
    args = params()
    for key in ("suspend_until", "reason"):
        if not args.get(key):
            invalid_parameters(key)
    until = parse_time(str(args["suspend_until"]).strip())
    if until is None:
        invalid_parameters("suspend_until")
    backend = current_backend()
    now = backend.now()
    with backend.transaction():
        user = backend.admin_users.suspend(user_id, until, str(args["reason"]))
        return json_reply({"suspension": {
            "suspend_reason": user.suspend_reason, "full_suspend_reason": user.suspend_reason,
            "suspended_till": iso(until), "suspended_at": iso(now),
            "suspended_by": basic_user_json(viewer),
        }})


@bp.put("/admin/users/<int:user_id>/unsuspend")
def admin_unsuspend_user(user_id: int) -> Response:
    """Admin::UsersController#unsuspend."""
    require_staff_route()
    current_backend().admin_users.unsuspend(user_id)
    return json_reply({"suspension": {"suspended_till": None, "suspended_at": None}})


@bp.put("/admin/users/<int:user_id>/activate")
@bp.put("/admin/users/<int:user_id>/deactivate")
def admin_activate_user(user_id: int) -> Response:
    """Admin::UsersController#activate / #deactivate: {"success": "OK"}."""
    require_staff_route()
    current_backend().admin_users.set_active(user_id, request.path.rstrip("/").endswith("/activate"))
    return json_reply({"success": "OK"})
