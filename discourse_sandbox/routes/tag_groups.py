"""Routes: tag groups (TagGroupsController); they answer even while tagging is off."""

from __future__ import annotations

from flask import Blueprint, Response, g

from discourse_sandbox.core.errors import fail, found
from discourse_sandbox.core.events import TagEvent
from discourse_sandbox.core.guardian import tag_group_visible
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.core.records import TagGroup
from discourse_sandbox.routes.guards import current_user, require_staff
from discourse_sandbox.serializers.tags import tag_group_json
from discourse_sandbox.tag_groups import apply_tag_group, create_tag_group, tag_group_changes

bp = Blueprint("tag_groups", __name__)


@bp.get("/tag_groups")
def groups_index() -> Response:
    """GET /tag_groups (staff): by name."""
    require_staff()
    state = g.sandbox.state
    with state.transaction():
        groups = sorted(state.tag_groups.values(), key=lambda gr: gr.name)
        body = {"tag_groups": [tag_group_json(state, gr) for gr in groups]}
    return json_reply(body)


@bp.get("/tag_groups/<int:group_id>")
def groups_show(group_id: int) -> Response:
    """GET /tag_groups/{id} (staff)."""
    require_staff()
    state = g.sandbox.state
    with state.transaction():
        body = {"tag_group": tag_group_json(state, found(state.tag_groups.get(group_id)))}
    return json_reply(body)


@bp.post("/tag_groups")
def groups_create() -> Response:
    """POST /tag_groups (staff): creates the group and any tag it names; 422 with model errors."""
    require_staff()
    state, settings = g.sandbox.state, g.sandbox.settings
    with state.transaction():
        group, errors, created = create_tag_group(state, tag_group_changes(params()),
                                                  settings.max_tag_length)
        if group is None:
            fail(422, errors)
        body = {"tag_group": tag_group_json(state, group)}
        for name in created:
            g.sandbox.events.emit(TagEvent("tag_created", state.tags[name]))
    return json_reply(body)


@bp.put("/tag_groups/<int:group_id>")
def groups_update(group_id: int) -> Response:
    """PUT /tag_groups/{id} (staff): {"success": "OK", "tag_group": {...}} (json_result)."""
    require_staff()
    state, settings = g.sandbox.state, g.sandbox.settings
    with state.transaction():
        group = found(state.tag_groups.get(group_id))
        changes = tag_group_changes(params())
        draft = TagGroup(**vars(group))
        errors, created = apply_tag_group(state, draft, changes, settings.max_tag_length, False)
        if errors:
            fail(422, errors)
        state.tag_groups[group_id] = draft
        body = {"success": "OK", "tag_group": tag_group_json(state, draft)}
        for name in created:
            g.sandbox.events.emit(TagEvent("tag_created", state.tags[name]))
    return json_reply(body)


@bp.delete("/tag_groups/<int:group_id>")
def groups_destroy(group_id: int) -> Response:
    """DELETE /tag_groups/{id} (staff): the tags stay."""
    require_staff()
    state = g.sandbox.state
    with state.transaction():
        group = found(state.tag_groups.get(group_id))
        del state.tag_groups[group.id]
        for category in state.categories.values():
            category.allowed_tag_groups = [n for n in category.allowed_tag_groups if n != group.name]
    return json_reply({"success": "OK"})


@bp.get("/tag_groups/filter/search")
def groups_search() -> Response:
    """GET /tag_groups/filter/search?q=&names[]=&limit=: visible groups (no login needed), by name."""
    state, user, data = g.sandbox.state, current_user(), params()
    limit: int = g.sandbox.settings.max_tag_search_results
    if data.get("limit") not in (None, ""):
        limit = min(max(as_int(data["limit"], "limit"), 1), 1000)
    with state.transaction():
        groups = [gr for gr in state.tag_groups.values() if tag_group_visible(state, gr, user)]
        if data.get("q"):
            needle = str(data["q"]).strip().lower()
            groups = [gr for gr in groups if needle in gr.name.lower()]
        names = {n.lower() for n in as_list(data.get("names"))}
        if names:
            groups = [gr for gr in groups if gr.name.lower() in names]
        groups.sort(key=lambda gr: gr.name)
        results = [{"name": gr.name,
                    "tags": [{"id": state.tags[n].id, "name": n} for n in gr.tag_names
                             if n in state.tags]}
                   for gr in groups[:limit]]
    return json_reply({"results": results})
