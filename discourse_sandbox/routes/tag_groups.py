"""Routes: tag groups (TagGroupsController); they answer even while tagging is off."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.routes.guards import current_backend, current_user, require_staff
from discourse_sandbox.serializers.tags import tag_group_json, tag_group_search_json

bp = Blueprint("tag_groups", __name__)

def tag_group_changes(params: dict[str, Any]) -> dict[str, Any]:
    """TagGroupsController#tag_groups_params: keys top level or under tag_group[...].

    As Discourse, absent tags / parent tag clear them and an absent one_per_topic is false,
    on update too; `tags[][id|name]` is the 2026 form, `tag_names[]` the deprecated one.
    """
    merged = dict(params)
    nested = merged.pop("tag_group", None)
    if isinstance(nested, dict):
        merged.update(nested)
    changes: dict[str, Any] = {"tag_names": [], "tag_ids": [], "parent_tag_name": []}
    if "name" in merged:
        changes["name"] = "" if merged["name"] is None else str(merged["name"])
    tags = _items(merged.get("tags"))
    if tags:
        changes["tag_ids"] = [int(t["id"]) for t in tags if str(t.get("id", "")).isdigit()]
        changes["tag_names"] = [str(t["name"]) for t in tags
                                if not t.get("id") and t.get("name") not in (None, "")]
    else:
        changes["tag_names"] = as_list(merged.get("tag_names"))
    parents = _items(merged.get("parent_tag"))
    if parents:
        changes["parent_tag_ids"] = [int(p["id"]) for p in parents[:1] if str(p.get("id", "")).isdigit()]
        changes["parent_tag_name"] = [str(p["name"]) for p in parents[:1]
                                      if not p.get("id") and p.get("name") not in (None, "")]
    else:
        changes["parent_tag_name"] = as_list(merged.get("parent_tag_name"))
    changes["one_per_topic"] = merged.get("one_per_topic") in (True, "true")
    if isinstance(merged.get("permissions"), dict):
        changes["permissions"] = merged["permissions"]
    return changes


def _items(value: Any) -> list[dict[str, Any]]:
    """A `tags[][name]=` style param: a list of hashes (a {"0": {...}} hash from some clients)."""
    if isinstance(value, dict):
        value = list(value.values()) if all(isinstance(v, dict) for v in value.values()) else [value]
    if not isinstance(value, list):
        return []
    # A plain list of strings (JSON clients) is read as names.
    return [v if isinstance(v, dict) else {"name": str(v)} for v in value if v not in (None, "")]


@bp.get("/tag_groups")
def groups_index() -> Response:
    """GET /tag_groups (staff): by name."""
    require_staff()
    backend = current_backend()
    with backend.transaction() as state:
        return json_reply({"tag_groups": [tag_group_json(state, gr) for gr in backend.tag_groups.all()]})


@bp.get("/tag_groups/<int:group_id>")
def groups_show(group_id: int) -> Response:
    """GET /tag_groups/{id} (staff)."""
    require_staff()
    backend = current_backend()
    with backend.transaction() as state:
        return json_reply({"tag_group": tag_group_json(state, backend.tag_groups.get(group_id))})


@bp.post("/tag_groups")
def groups_create() -> Response:
    """POST /tag_groups (staff): creates the group and any tag it names; 422 with model errors."""
    require_staff()
    changes = tag_group_changes(params())
    backend = current_backend()
    with backend.transaction() as state:
        return json_reply({"tag_group": tag_group_json(state, backend.tag_groups.create(changes))})


@bp.put("/tag_groups/<int:group_id>")
def groups_update(group_id: int) -> Response:
    """PUT /tag_groups/{id} (staff): {"success": "OK", "tag_group": {...}} (json_result)."""
    require_staff()
    changes = tag_group_changes(params())
    backend = current_backend()
    with backend.transaction() as state:
        group = backend.tag_groups.update(group_id, changes)
        return json_reply({"success": "OK", "tag_group": tag_group_json(state, group)})


@bp.delete("/tag_groups/<int:group_id>")
def groups_destroy(group_id: int) -> Response:
    """DELETE /tag_groups/{id} (staff): the tags stay."""
    require_staff()
    current_backend().tag_groups.destroy(group_id)
    return json_reply({"success": "OK"})


@bp.get("/tag_groups/filter/search")
def groups_search() -> Response:
    """GET /tag_groups/filter/search?q=&names[]=&limit=: visible groups (no login needed), by name."""
    data = params()
    backend = current_backend()
    limit: int = backend.settings.max_tag_search_results
    if data.get("limit") not in (None, ""):
        limit = min(max(as_int(data["limit"], "limit"), 1), 1000)
    names = {n.lower() for n in as_list(data.get("names"))}
    with backend.transaction() as state:
        groups = backend.tag_groups.search(current_user(), str(data.get("q") or ""), names, limit)
        return json_reply({"results": [tag_group_search_json(state, gr) for gr in groups]})
