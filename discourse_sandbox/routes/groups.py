"""Routes: groups and their members (GroupsController); the admin group API is in admin_groups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.errors import not_found
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.models.group_rules import bad_param
from discourse_sandbox.models.groups import TYPE_FILTERS
from discourse_sandbox.routes.guards import current_backend, current_user
from discourse_sandbox.serializers.groups import basic_group_json, group_show_json, member_json

bp = Blueprint("groups", __name__)


def group_params() -> dict[str, Any]:
    """The `group[...]` params, or {} when absent."""
    data = params().get("group")
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
        bad_param("type")
    if kind in ("my", "owner") and viewer is None:
        not_found()
    backend = current_backend()
    with backend.transaction() as state:
        found = backend.groups.index(viewer, term, kind, page)
        rows = [basic_group_json(state, grp, viewer, membership=True) for grp in found.groups]
    filters = [name for name in ("my", "owner", "public", "close", "automatic")
               if (viewer is not None or name not in ("my", "owner")) and (staff or name != "automatic")]
    more = f"/groups?page={page + 1}" + (f"&type={kind}" if kind else "")
    return json_reply({"groups": rows, "extras": {"type_filters": filters},
                       "total_rows_groups": found.total, "load_more_groups": more})


@bp.get("/groups/search")
def search_groups() -> Response:
    """GroupsController#search (pydiscourse's groups()): a bare array of basic groups."""
    term = str(params().get("term") or "").lower()
    viewer = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        groups = backend.groups.search(viewer, term)
        return json_reply([basic_group_json(state, grp, viewer) for grp in groups])


def _show(name: str | None = None, group_id: int | None = None) -> Response:
    viewer = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        shown = backend.groups.show(viewer, name, group_id)
        return json_reply({"group": group_show_json(state, shown.group, viewer),
                           "extras": {"visible_group_names": shown.visible_group_names}})


@bp.get("/groups/<name>")
def show_group(name: str) -> Response:
    """GroupsController#show by name."""
    return _show(name=name)


@bp.get("/groups/by-id/<int:group_id>")
def show_group_by_id(group_id: int) -> Response:
    """GroupsController#show by id."""
    return _show(group_id=group_id)


@bp.get("/groups/<name>/members")
def list_members(name: str) -> Response:
    """GroupsController#members: {members, owners, meta{total, limit, offset}}."""
    args = params()
    limit = as_int(args.get("limit") or 50, "limit")
    offset = as_int(args.get("offset") or 0, "offset")
    if limit <= 0 or limit > 1000:
        bad_param("limit")
    if offset < 0:
        bad_param("offset")
    backend = current_backend()
    with backend.transaction() as state:
        page = backend.groups.members(name, current_user(), limit, offset, bool(args.get("asc")))
        return json_reply({
            "members": [member_json(state, u, page.group) for u in page.members],
            "owners": [member_json(state, u, page.group) for u in page.owners],
            "meta": {"total": page.total, "limit": limit, "offset": offset},
        })


# --- writing ---------------------------------------------------------------------------------

@bp.put("/groups/<int:group_id>")
def update(group_id: int) -> Response:
    """GroupsController#update: {"success": "OK"}."""
    current_backend().groups.update(group_id, current_user(), group_params())
    return json_reply({"success": "OK"})


@bp.put("/groups/<int:group_id>/members")
@bp.put("/admin/groups/<int:group_id>/members")
def add_members(group_id: int) -> Response:
    """GroupsController#add_members: usernames=a,b → {success, usernames, emails}."""
    usernames = as_list(params().get("usernames"))
    users = current_backend().groups.add_members(group_id, current_user(), usernames)
    return json_reply({"success": "OK", "usernames": [u.username for u in users], "emails": []})


@bp.delete("/groups/<int:group_id>/members")
@bp.delete("/admin/groups/<int:group_id>/members")
def remove_members(group_id: int) -> Response:
    """GroupsController#remove_member: {success, usernames, skipped_usernames}."""
    args = params()
    # `username` is kept for backwards compatibility, as Discourse does
    usernames = as_list(args.get("usernames") or args.get("username"))
    user_ids = as_list(args.get("user_ids") or args.get("user_id"))
    removed, skipped = current_backend().groups.remove_members(group_id, current_user(), usernames, user_ids)
    return json_reply({"success": "OK", "usernames": [u.username for u in removed],
                       "skipped_usernames": skipped})
