"""Routes: groups and their members (GroupsController); the admin group API is in admin_groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from flask import Blueprint, Response, g

from discourse_sandbox.core.errors import fail, found, invalid_access, not_found, record_invalid
from discourse_sandbox.core.events import GroupEvent
from discourse_sandbox.core.guardian import can_manage_group, can_see_group, can_see_members
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.core.queries import find_users_by_names, member_ids
from discourse_sandbox.core.records import Group, User
from discourse_sandbox.core.state import State
from discourse_sandbox.groups import group_errors, level_errors, update_group
from discourse_sandbox.routes.guards import current_user
from discourse_sandbox.serializers.groups import basic_group_json, group_show_json, member_json

bp = Blueprint("groups", __name__)

GROUPS_PAGE = 36  # GroupsController::PAGE_SIZE
AUTOMATIC_REFUSED = "You cannot modify an automatic group"
AUTOMATIC_EDITABLE = ("bio_raw", "mentionable_level", "messageable_level")


def _bad_param(detail: str) -> NoReturn:
    """Discourse::InvalidParameters (not a missing param): 400 with the invalid_params text."""
    fail(400, f"You supplied invalid parameters to the request: {detail}", "invalid_parameters")


def _visible(state: State, group: Group | None) -> Group:
    if group is None or not can_see_group(state, group, current_user()):
        not_found()
    return group


def group_params() -> dict[str, Any]:
    """The `group[...]` params, or {} when absent."""
    args = params()
    data = args.get("group")
    return data if isinstance(data, dict) else {}


# --- reading ---------------------------------------------------------------------------------

@bp.get("/groups")
def list_groups() -> Response:
    """GroupsController#index: visible groups by name, 36 a page (0-based `page`)."""
    args = params()
    viewer = current_user()
    staff = viewer is not None and viewer.staff
    page = max(as_int(args.get("page") or 0, "page"), 0)
    term = str(args.get("filter") or "").lower()
    kind = str(args.get("type") or "")
    if kind and kind not in TYPE_FILTERS:
        _bad_param("type")
    if kind in ("my", "owner") and viewer is None:
        not_found()
    with g.sandbox.state.transaction() as state:
        groups = [grp for grp in state.groups.values() if grp.id != 0
                  and can_see_group(state, grp, viewer)
                  # non-staff see no automatic group but "moderators", to de-clutter the page
                  and (staff or not grp.automatic or grp.name == "moderators")
                  and (term in grp.name.lower() or term in grp.full_name.lower())
                  and (not kind or TYPE_FILTERS[kind](state, grp, viewer))]
        groups.sort(key=lambda grp: grp.name.lower())
        rows = [basic_group_json(state, grp, viewer, membership=True)
                for grp in groups[page * GROUPS_PAGE:(page + 1) * GROUPS_PAGE]]
    filters = [name for name in ("my", "owner", "public", "close", "automatic")
               if (viewer is not None or name not in ("my", "owner")) and (staff or name != "automatic")]
    more = f"/groups?page={page + 1}" + (f"&type={kind}" if kind else "")
    return json_reply({"groups": rows, "extras": {"type_filters": filters},
                       "total_rows_groups": len(groups), "load_more_groups": more})


TYPE_FILTERS: dict[str, Callable[[State, Group, User | None], bool]] = {
    "my": lambda s, grp, u: u is not None and u.id in member_ids(s, grp),
    "owner": lambda s, grp, u: u is not None and u.id in grp.owner_ids,
    "public": lambda s, grp, u: grp.public_admission and not grp.automatic,
    "close": lambda s, grp, u: not grp.public_admission and not grp.automatic,
    "automatic": lambda s, grp, u: grp.automatic,
    "non_automatic": lambda s, grp, u: not grp.automatic,
}


@bp.get("/groups/search")
def search_groups() -> Response:
    """GroupsController#search (pydiscourse's groups()): a bare array of basic groups."""
    term = str(params().get("term") or "").lower()
    viewer = current_user()
    with g.sandbox.state.transaction() as state:
        groups = sorted((grp for grp in state.groups.values()
                         if grp.id != 0 and can_see_group(state, grp, viewer)
                         and (term in grp.name.lower() or term in grp.full_name.lower())),
                        key=lambda grp: grp.name.lower())
        return json_reply([basic_group_json(state, grp, viewer) for grp in groups])


def _show(state: State, group: Group) -> Response:
    viewer = current_user()
    staff = viewer is not None and viewer.staff
    visible = [grp.name for grp in state.groups.values() if can_see_group(state, grp, viewer)
               and (staff or not grp.automatic or grp.name == "moderators")]
    return json_reply({"group": group_show_json(state, group, viewer),
                       "extras": {"visible_group_names": sorted(visible)}})


@bp.get("/groups/<name>")
def show_group(name: str) -> Response:
    """GroupsController#show by name."""
    with g.sandbox.state.transaction() as state:
        return _show(state, _visible(state, state.group_by_name(name)))


@bp.get("/groups/by-id/<int:group_id>")
def show_group_by_id(group_id: int) -> Response:
    """GroupsController#show by id."""
    with g.sandbox.state.transaction() as state:
        return _show(state, _visible(state, state.groups.get(group_id)))


@bp.get("/groups/<name>/members")
def list_members(name: str) -> Response:
    """GroupsController#members: {members, owners, meta{total, limit, offset}}."""
    args = params()
    limit = as_int(args.get("limit") or 50, "limit")
    offset = as_int(args.get("offset") or 0, "offset")
    if limit <= 0 or limit > 1000:
        _bad_param("limit")
    if offset < 0:
        _bad_param("offset")
    with g.sandbox.state.transaction() as state:
        group = _visible(state, state.group_by_name(name))
        if not can_see_members(state, group, current_user()):
            invalid_access()
        users = [state.users[uid] for uid in member_ids(state, group)
                 if uid in state.users and uid > 0]
        # ORDER BY NOT owner, username_lower DESC (ASC with asc=true)
        users.sort(key=lambda u: u.username.lower(), reverse=not args.get("asc"))
        users.sort(key=lambda u: u.id not in group.owner_ids)
        owners = [u for u in users if u.id in group.owner_ids]
        return json_reply({
            "members": [member_json(state, u, group) for u in users[offset:offset + limit]],
            "owners": [member_json(state, u, group) for u in owners],
            "meta": {"total": len(users), "limit": limit, "offset": offset},
        })


# --- writing ---------------------------------------------------------------------------------

def managed_group(state: State, group_id: int) -> Group:
    """The group, if the acting user may manage it: 404 when missing, 403 invalid_access otherwise."""
    group = found(state.groups.get(group_id))
    if not can_manage_group(group, current_user()):
        invalid_access()
    return group


@bp.put("/groups/<int:group_id>")
def update(group_id: int) -> Response:
    """GroupsController#update: {"success": "OK"}."""
    data = group_params()
    with g.sandbox.state.transaction() as state:
        group = found(state.groups.get(group_id))
        viewer = current_user()
        if group.automatic:
            # GroupsController#group_params(automatic: true): admins may change only these
            if viewer is None or not viewer.admin:
                invalid_access()
            data = {k: v for k, v in data.items() if k in AUTOMATIC_EDITABLE}
        elif not can_manage_group(group, viewer):
            invalid_access()
        if level_errors(data):
            record_invalid(level_errors(data))
        if "name" in data and str(data["name"]) != group.name:
            errors = group_errors(state, str(data["name"]), group.id)
            if errors:
                record_invalid(errors)
            group.name = str(data["name"])
        update_group(group, data)
        g.sandbox.events.emit(GroupEvent("group_updated", group))
    return json_reply({"success": "OK"})


@bp.put("/groups/<int:group_id>/members")
@bp.put("/admin/groups/<int:group_id>/members")
def add_members(group_id: int) -> Response:
    """GroupsController#add_members: usernames=a,b → {success, usernames, emails}."""
    args = params()
    with g.sandbox.state.transaction() as state:
        group = managed_group(state, group_id)
        users, _unknown = find_users_by_names(state, as_list(args.get("usernames")))
        if not users:
            _bad_param("usernames or emails must be present")
        already = sorted(u.username for u in users if u.id in group.user_ids)
        if len(already) == len(users):  # refused only when every user is already a member
            message = (f"'{already[0]}' is already a member of this group." if len(already) == 1
                       else "The following users are already members of this group: "
                       + ", ".join(already))
            fail(422, message)
        group.user_ids.extend(u.id for u in users if u.id not in group.user_ids)
    return json_reply({"success": "OK", "usernames": [u.username for u in users], "emails": []})


@bp.delete("/groups/<int:group_id>/members")
@bp.delete("/admin/groups/<int:group_id>/members")
def remove_members(group_id: int) -> Response:
    """GroupsController#remove_member: {success, usernames, skipped_usernames}."""
    args = params()
    with g.sandbox.state.transaction() as state:
        group = managed_group(state, group_id)
        # `username` is kept for backwards compatibility, as Discourse does
        names = as_list(args.get("usernames") or args.get("username"))
        for raw_id in as_list(args.get("user_ids") or args.get("user_id")):
            user = state.users.get(as_int(raw_id, "user_ids"))
            names.append(user.username if user else "")
        users, _unknown = find_users_by_names(state, names)  # users_from_params drops unknowns
        if not users:
            _bad_param("user_ids or usernames or user_emails must be present")
        removed = [u for u in users if u.id in group.user_ids]
        skipped = [u.username for u in users if u not in removed]
        for user in removed:
            group.user_ids.remove(user.id)
            if user.id in group.owner_ids:
                group.owner_ids.remove(user.id)
    return json_reply({"success": "OK", "usernames": [u.username for u in removed],
                       "skipped_usernames": skipped})
