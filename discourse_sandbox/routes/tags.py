"""Routes: tags (TagsController, except the topic lists; tag groups are in tag_groups)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from discourse_sandbox.core.errors import NOT_FOUND, fail
from discourse_sandbox.core.http import json_error, json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.routes.guards import current_backend, current_user, require_login, require_staff
from discourse_sandbox.serializers.categories import basic_category_json
from discourse_sandbox.serializers.tags import tag_counts_json, tag_index_json, tag_json

bp = Blueprint("tags", __name__)


@bp.before_request
def _ensure_tags_enabled() -> Response | None:
    """TagsController#ensure_tags_enabled: its routes are a 404 while tagging is off."""
    if not current_backend().settings.tagging_enabled:
        return json_error(NOT_FOUND, 404, "not_found")
    return None


@bp.get("/tags")
def index() -> Response:
    """GET /tags: admins see every tag, others the visible tags used on topics; by id."""
    user = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        found = backend.tags.index(user)
        return json_reply(tag_index_json(state, found.tags, found.categories, user))


@bp.get("/tags/list")
def list_tags() -> Response:
    """GET /tags/list: 51 a page by `offset` (a page number), `filter` substring, by name."""
    user = require_login()
    data = params()
    page = max(as_int(data.get("offset") or 0, "offset"), 0)
    query = [("offset", str(page + 1))]
    needle = ""
    if data.get("filter"):
        needle = str(data["filter"]).lower()
        query.append(("filter", str(data["filter"])))
    names: dict[str, set[str]] = {"only_tags": set(), "exclude_tags": set()}
    for key in names:
        if data.get(key):
            names[key] = {n.lower() for n in str(data[key]).split(",")}
            query.append((key, str(data[key])))
    backend = current_backend()
    with backend.transaction() as state:
        window, total = backend.tags.page(user, page, needle, names["only_tags"], names["exclude_tags"])
        return json_reply({"list_tags": [tag_json(state, t, user) for t in window],
                           "meta": {"total_rows_list_tags": total,
                                    "load_more_list_tags": "/tags/list.json?" + urlencode(query)}})


@bp.get("/tags/filter/search")
def search() -> Response:
    """GET /tags/filter/search?q=: visible tags matching the cleaned term, exact match first."""
    user, data = current_user(), params()
    backend = current_backend()
    limit = most = backend.settings.max_tag_search_results
    if data.get("limit") not in (None, ""):
        limit = min(max(as_int(data["limit"], "limit"), 1), most)
    with backend.transaction() as state:
        found = backend.tags.search(user, str(data.get("q") or ""), limit)
        body: dict[str, Any] = {"results": tag_counts_json(state, found.tags, user)}
    if found.forbidden:
        body["forbidden"] = data.get("q")
        body["forbidden_message"] = f"You can't use the tag '{found.term}' in this category."
    return json_reply(body)


@bp.get("/tag/<name>/info")
def info(name: str) -> Response:
    """GET /tag/{name}/info: DetailedTagSerializer as tag_info, categories side-loaded."""
    user = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        found = backend.tags.info(name, user)
        now = backend.now()
        return json_reply({
            "tag_info": {
                **tag_json(state, found.tag, user), "synonyms": [],
                "tag_group_names": found.tag_group_names,
                "category_restricted": bool(found.categories),
                "category_ids": [c.id for c in found.categories],
            },
            "categories": [basic_category_json(state, c, user, now) for c in found.categories],
        })


@bp.put("/tag/<name>")
def update(name: str) -> Response:
    """PUT /tag/{name}: tag[name] renames (cleaned), tag[description]; tag[id] is refused."""
    user = require_login()
    given = params().get("tag")
    new: dict[str, Any] = given if isinstance(given, dict) else {}
    backend = current_backend()
    with backend.transaction() as state:
        tag = backend.tags.update(name, user, new)
        return json_reply({"tag": {"id": tag.id, "name": tag.name, "slug": tag_json(state, tag, user)["slug"],
                                   "description": tag.description or None}})


@bp.delete("/tag/<name>")
def destroy(name: str) -> Response:
    """DELETE /tag/{name} (staff): the tag leaves every topic."""
    user = require_staff()
    current_backend().tags.destroy(name, user)
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
    current_backend().tags.upload(rows)
    return json_reply({"success": "OK"})
