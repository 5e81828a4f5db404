"""Routes: the admin group API (Admin::GroupsController, add_group), behind Rails' AdminConstraint."""

from __future__ import annotations

from flask import Blueprint, Response

from discourse_sandbox.core.errors import invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.routes.groups import group_params
from discourse_sandbox.routes.guards import current_backend, require_admin
from discourse_sandbox.serializers.groups import basic_group_json

bp = Blueprint("admin_groups", __name__)


@bp.post("/admin/groups")
def admin_create() -> Response:
    """Admin::GroupsController#create: {"basic_group": {...}}."""
    viewer = require_admin()
    data = group_params()
    if not data.get("name"):
        invalid_parameters("group")
    backend = current_backend()
    with backend.transaction() as state:
        group = backend.admin_groups.create(data)
        return json_reply({"basic_group": basic_group_json(state, group, viewer)})


@bp.delete("/admin/groups/<int:group_id>")
def admin_destroy(group_id: int) -> Response:
    """Admin::GroupsController#destroy: automatic groups cannot be deleted."""
    require_admin()
    current_backend().admin_groups.destroy(group_id)
    return json_reply({"success": "OK"})


@bp.put("/admin/groups/<int:group_id>/owners")
def admin_add_owners(group_id: int) -> Response:
    """Admin::GroupsController#add_owners: group[usernames]=a,b (pydiscourse add_group_owner)."""
    viewer = require_admin()
    data = group_params() or params()
    users = current_backend().admin_groups.add_owners(group_id, viewer, as_list(data.get("usernames")))
    return json_reply({"success": "OK", "usernames": [u.username for u in users]})


@bp.delete("/admin/groups/<int:group_id>/owners")
def admin_remove_owner(group_id: int) -> Response:
    """Admin::GroupsController#remove_owner: user_id (or usernames) stay members."""
    viewer = require_admin()
    args = params()
    current_backend().admin_groups.remove_owners(group_id, viewer, args.get("user_id"),
                                                 as_list(args.get("usernames")))
    return json_reply({"success": "OK"})


@bp.post("/admin/users/<int:user_id>/groups")
def admin_add_user_to_group(user_id: int) -> Response:
    """Admin::UsersController#add_group: group_id."""
    require_admin()
    args = params()
    if args.get("group_id") in (None, ""):
        invalid_parameters("group_id")
    current_backend().admin_groups.add_user(user_id, as_int(args["group_id"], "group_id"))
    return json_reply({"success": "OK"})
