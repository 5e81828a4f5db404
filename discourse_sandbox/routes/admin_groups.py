"""Routes: the admin group API (Admin::GroupsController, add_group), behind Rails' AdminConstraint."""

from __future__ import annotations

from flask import Blueprint, Response, g

from discourse_sandbox.core.errors import fail, found, invalid_parameters, not_found, record_invalid
from discourse_sandbox.core.events import GroupEvent
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.core.queries import find_users_by_names
from discourse_sandbox.groups import create_group
from discourse_sandbox.routes.groups import (
    AUTOMATIC_REFUSED,
    group_params,
    managed_group,
)
from discourse_sandbox.routes.guards import require_admin
from discourse_sandbox.serializers.groups import basic_group_json

bp = Blueprint("admin_groups", __name__)


@bp.post("/admin/groups")
def admin_create() -> Response:
    """Admin::GroupsController#create: {"basic_group": {...}}."""
    viewer = require_admin()
    data = group_params()
    if not data.get("name"):
        invalid_parameters("group")
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        group, errors = create_group(state, data, sandbox.clock.now())
        if group is None:
            record_invalid(errors)
        body = {"basic_group": basic_group_json(state, group, viewer)}
        sandbox.events.emit(GroupEvent("group_created", group))
    return json_reply(body)


@bp.delete("/admin/groups/<int:group_id>")
def admin_destroy(group_id: int) -> Response:
    """Admin::GroupsController#destroy: automatic groups cannot be deleted."""
    require_admin()
    with g.sandbox.state.transaction() as state:
        group = found(state.groups.get(group_id))
        if group.automatic:
            fail(422, AUTOMATIC_REFUSED)  # groups.errors.can_not_modify_automatic
        g.sandbox.events.emit(GroupEvent("group_destroyed", group))
        del state.groups[group_id]
    return json_reply({"success": "OK"})


@bp.put("/admin/groups/<int:group_id>/owners")
def admin_add_owners(group_id: int) -> Response:
    """Admin::GroupsController#add_owners: group[usernames]=a,b (pydiscourse add_group_owner)."""
    require_admin()
    data = group_params() or params()
    with g.sandbox.state.transaction() as state:
        group = managed_group(state, group_id)
        if group.automatic:
            fail(422, AUTOMATIC_REFUSED)
        users, _unknown = find_users_by_names(state, as_list(data.get("usernames")))
        for user in users:
            if user.id not in group.user_ids:
                group.user_ids.append(user.id)
            if user.id not in group.owner_ids:
                group.owner_ids.append(user.id)
    return json_reply({"success": "OK", "usernames": [u.username for u in users]})


@bp.delete("/admin/groups/<int:group_id>/owners")
def admin_remove_owner(group_id: int) -> Response:
    """Admin::GroupsController#remove_owner: user_id (or usernames) stay members."""
    require_admin()
    args = params()
    with g.sandbox.state.transaction() as state:
        group = managed_group(state, group_id)
        ids = [as_int(args["user_id"], "user_id")] if args.get("user_id") else []
        ids += [u.id for u in find_users_by_names(state, as_list(args.get("usernames")))[0]]
        for uid in ids:
            if uid in group.owner_ids:
                group.owner_ids.remove(uid)
    return json_reply({"success": "OK"})


@bp.post("/admin/users/<int:user_id>/groups")
def admin_add_user_to_group(user_id: int) -> Response:
    """Admin::UsersController#add_group: group_id."""
    require_admin()
    args = params()
    if args.get("group_id") in (None, ""):
        invalid_parameters("group_id")
    with g.sandbox.state.transaction() as state:
        user = state.users.get(user_id)
        group = state.groups.get(as_int(args["group_id"], "group_id"))
        if user is None or group is None:
            not_found()
        if group.automatic:
            fail(422, AUTOMATIC_REFUSED)
        if user.id not in group.user_ids:
            group.user_ids.append(user.id)
    return json_reply({"success": "OK"})
