"""Routes: tags (TagsController, except the topic lists; tag groups are in tag_groups)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, request

from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.events import TagEvent
from discourse_sandbox.core.guardian import can_see_category, hidden_tag_names
from discourse_sandbox.core.http import json_error, json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.core.queries import tag_topic_counts
from discourse_sandbox.core.records import Tag
from discourse_sandbox.core.state import State
from discourse_sandbox.routes.guards import current_user, require_login, require_staff
from discourse_sandbox.serializers.categories import basic_category_json
from discourse_sandbox.serializers.tags import tag_counts_json, tag_json
from discourse_sandbox.tag_groups import (
    create_tag_group,
    delete_tag,
    find_or_create_tag,
    rename_tag,
    tag_categories,
)
from discourse_sandbox.taxonomy import clean_tag_name

bp = Blueprint("tags", __name__)

LIST_LIMIT = 51  # TagsController::LIST_LIMIT


@bp.before_request
def _ensure_tags_enabled() -> Response | None:
    """TagsController#ensure_tags_enabled: its routes are a 404 while tagging is off."""
    if not g.sandbox.settings.tagging_enabled:
        return json_error("The requested URL or resource could not be found.", 404, "not_found")
    return None


def _max_search_results() -> int:
    limit: int = g.sandbox.settings.max_tag_search_results
    return limit


def _tag(state: State, name: str) -> Tag:
    """fetch_tag by name (Tag.find_by_name is case-insensitive)."""
    tag = state.tags.get(name) or next(
        (t for t in state.tags.values() if t.name.lower() == name.lower()), None)
    if tag is None:
        not_found()
    return tag


# --- tags ------------------------------------------------------------------------------------

@bp.get("/tags")
def index() -> Response:
    """GET /tags: admins see every tag, others the visible tags used on topics; by id."""
    state, user = g.sandbox.state, current_user()
    with state.transaction():
        hidden = hidden_tag_names(state, user)
        tags = sorted((t for t in state.tags.values() if t.name not in hidden), key=lambda t: t.id)
        if user is None or not user.admin:
            tags = [t for t in tags if tag_topic_counts(state, t.name, user)[0] > 0]
        extras = []
        for category in sorted(state.categories.values(), key=lambda c: c.id):
            if not category.allowed_tags or not can_see_category(state, category, user):
                continue
            own = [state.tags[n] for n in category.allowed_tags if n in state.tags and n not in hidden]
            counts = tag_counts_json(state, own, user)
            if counts:
                extras.append({"id": category.id, "tags": counts})
        body = {"tags": tag_counts_json(state, tags, user), "extras": {"categories": extras}}
    return json_reply(body)


@bp.get("/tags/list")
def list_tags() -> Response:
    """GET /tags/list: 51 a page by `offset` (a page number), `filter` substring, by name."""
    user = require_login()
    state, data = g.sandbox.state, params()
    page = max(as_int(data.get("offset") or 0, "offset"), 0)
    with state.transaction():
        hidden = hidden_tag_names(state, user)
        tags = [t for t in state.tags.values() if user.staff or t.name not in hidden]
        query = [("offset", str(page + 1))]
        if data.get("filter"):
            needle = str(data["filter"]).lower()
            tags = [t for t in tags if needle in t.name.lower()]
            query.append(("filter", str(data["filter"])))
        for key, keep in (("only_tags", True), ("exclude_tags", False)):
            if data.get(key):
                names = {n.lower() for n in str(data[key]).split(",")}
                tags = [t for t in tags if (t.name.lower() in names) == keep]
                query.append((key, str(data[key])))
        tags.sort(key=lambda t: t.name.lower())
        window = tags[page * LIST_LIMIT:(page + 1) * LIST_LIMIT]
        body = {"list_tags": [tag_json(state, t, user) for t in window],
                "meta": {"total_rows_list_tags": len(tags),
                         "load_more_list_tags": "/tags/list.json?" + urlencode(query)}}
    return json_reply(body)


@bp.get("/tags/filter/search")
def search() -> Response:
    """GET /tags/filter/search?q=: visible tags matching the cleaned term, exact match first."""
    state, user, data = g.sandbox.state, current_user(), params()
    limit = _max_search_results()
    if data.get("limit") not in (None, ""):
        limit = min(max(as_int(data["limit"], "limit"), 1), _max_search_results())
    with state.transaction():
        hidden = hidden_tag_names(state, user)
        tags = [t for t in state.tags.values() if t.name not in hidden]
        term = clean_tag_name(str(data.get("q") or ""), g.sandbox.settings.max_tag_length)
        counts = {t.name: tag_topic_counts(state, t.name, user)[0] for t in tags}
        if term:
            tags = [t for t in tags if term in t.name]
            tags.sort(key=lambda t: (t.name != term, -counts[t.name], t.name))
        else:
            tags.sort(key=lambda t: (-counts[t.name], t.name))
        body: dict[str, Any] = {"results": tag_counts_json(state, tags[:limit], user)}
        if term and term in hidden:
            body["forbidden"] = data.get("q")
            body["forbidden_message"] = f"You can't use the tag '{term}' in this category."
    return json_reply(body)


@bp.get("/tag/<name>/info")
def info(name: str) -> Response:
    """GET /tag/{name}/info: DetailedTagSerializer as tag_info, categories side-loaded."""
    state, user = g.sandbox.state, current_user()
    with state.transaction():
        if name in hidden_tag_names(state, user):
            not_found()
        tag = _tag(state, name)
        now = g.sandbox.clock.now()
        categories = tag_categories(state, tag, user)
        body = {
            "tag_info": {
                **tag_json(state, tag, user), "synonyms": [],
                "tag_group_names": sorted(gr.name for gr in state.tag_groups.values()
                                          if tag.name in gr.tag_names),
                "category_restricted": bool(categories), "category_ids": [c.id for c in categories],
            },
            "categories": [basic_category_json(state, c, user, now) for c in categories],
        }
    return json_reply(body)


@bp.put("/tag/<name>")
def update(name: str) -> Response:
    """PUT /tag/{name}: tag[name] renames (cleaned), tag[description]; tag[id] is refused."""
    user = require_login()
    state, data = g.sandbox.state, params()
    given = data.get("tag")
    new: dict[str, Any] = given if isinstance(given, dict) else {}
    with state.transaction():
        tag = _tag(state, name)
        if new.get("id") not in (None, ""):
            fail(422, "Updating a tag name by `id` attribute is unsupported. "
                      "Use the `name` attribute instead.")
        if not user.staff:  # edit_tags_allowed_groups: staff by default
            invalid_access()
        if new.get("name") not in (None, ""):
            cleaned = clean_tag_name(str(new["name"]), g.sandbox.settings.max_tag_length)
            errors = ["Name can't be blank"] if not cleaned else rename_tag(state, tag, cleaned)
            if errors:
                fail(422, errors)
        if new.get("description") not in (None, ""):
            if len(str(new["description"])) > 1000:
                fail(422, ["Description is too long (maximum is 1000 characters)"])
            tag.description = str(new["description"])
        body = {"tag": {"id": tag.id, "name": tag.name, "slug": tag_json(state, tag, user)["slug"],
                        "description": tag.description or None}}
        g.sandbox.events.emit(TagEvent("tag_updated", tag))
    return json_reply(body)


@bp.delete("/tag/<name>")
def destroy(name: str) -> Response:
    """DELETE /tag/{name} (staff): the tag leaves every topic."""
    user = require_staff()
    state = g.sandbox.state
    with state.transaction():
        tag = _tag(state, name)
        g.sandbox.events.emit(TagEvent("tag_destroyed", tag, user))
        delete_tag(state, tag)
    return json_reply({"success": "OK"})


@bp.post("/tags/upload")
def upload() -> Response:
    """POST /tags/upload (staff): a CSV file of `tag_name[,tag_group_name]` rows, all or nothing."""
    require_staff()
    file = request.files.get("file") or next(iter(request.files.getlist("files[]")), None)
    if file is None:
        fail(400, "param is missing or the value is empty: file", "invalid_parameters")
    rows = list(csv.reader(io.StringIO(file.read().decode("utf-8-sig"))))
    if any(len(row) > 2 for row in rows):
        return json_reply({"failed": "FAILED", "errors": [
            "The CSV file should have one tag per line. Optionally the tag can be followed by a "
            "comma, then the tag group name."]}, 422)
    state, max_length = g.sandbox.state, g.sandbox.settings.max_tag_length
    with state.transaction():
        before = set(state.tags)
        for row in (r for r in rows if r):
            tag = find_or_create_tag(state, row[0], max_length)
            if tag is None or len(row) < 2 or not row[1]:
                continue
            group = next((gr for gr in state.tag_groups.values()
                          if gr.name.lower() == row[1].lower()), None)
            if group is None:
                group, _errors, _created = create_tag_group(state, {"name": row[1]}, max_length)
            if group is not None and tag.name not in group.tag_names:
                group.tag_names = [*group.tag_names, tag.name]
        for name in sorted(set(state.tags) - before):
            g.sandbox.events.emit(TagEvent("tag_created", state.tags[name]))
    return json_reply({"success": "OK"})
