"""Routes: topic lists (latest, category, tag, filter, private messages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from flask import Blueprint, Response, abort, redirect, request

from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.models.lists import ListQuery, StaleSlug, TopicPage
from discourse_sandbox.routes.guards import current_backend, current_user
from discourse_sandbox.serializers.topic_lists import tag_list_extra_json, topic_list_json

bp = Blueprint("lists", __name__)


def _query() -> ListQuery:
    """The list params, read when the model pages the list."""
    data = params()
    return ListQuery(data.get("per_page"), data.get("page"), data.get("order"), data.get("ascending"))


def _render(list_page: Callable[[], TopicPage]) -> Response:
    """Call the backend and serialize the page, with more_topics_url when more follow."""
    backend = current_backend()
    viewer = current_user()
    with backend.transaction() as state:
        page = list_page()
        more = None
        if page.more:
            query = {k: v for k, v in request.args.items() if k != "page"}
            query["page"] = str(page.page + 1)
            more = request.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
        body = topic_list_json(state, backend.settings, page.topics, per_page=page.per_page,
                               can_create_topic=viewer is not None, more_topics_url=more, viewer=viewer)
        if page.tag is not None:
            body["topic_list"].update(tag_list_extra_json(state, page.tag))
        return json_reply(body)


def _moved(slug_path: str, category_id: int, full_slug: str) -> NoReturn:
    """ListController#set_category's 301 to the category's full slug, the rest of the path kept."""
    head = f"/c/{slug_path}/{category_id}"
    path = f"/c/{full_slug}/{category_id}" + request.path[len(head):]
    if request.environ.get("sandbox.json_suffix"):
        path += ".json"
    query = request.query_string.decode()
    abort(redirect(path + (f"?{query}" if query else ""), 301))


@bp.get("/latest")
def latest() -> Response:
    """GET /latest: every listable topic, most recently bumped first."""
    return _render(lambda: current_backend().lists.latest(current_user(), _query))


@bp.get("/c/<int:category_id>")
@bp.get("/c/<path:slug>/<int:category_id>")
@bp.get("/c/<path:slug>/<int:category_id>/l/latest")
def category_latest(category_id: int, slug: str | None = None) -> Response:
    """GET /c/{slug}/{id} or /c/{parent}/{child}/{id}: a category's topics, subcategories included."""
    return _category(category_id, slug, True)


@bp.get("/c/<path:slug>/<int:category_id>/none")
@bp.get("/c/<path:slug>/<int:category_id>/none/l/latest")
def category_none(slug: str, category_id: int) -> Response:
    """GET /c/{slug}/{id}/none: without the subcategories' topics."""
    return _category(category_id, slug, False)


def _category(category_id: int, slug: str | None, subcategories: bool) -> Response:
    try:
        return _render(lambda: current_backend().lists.category(current_user(), category_id, slug,
                                                                subcategories, _query))
    except StaleSlug as moved:
        _moved(slug or "", category_id, moved.full_slug)


@bp.get("/tag/<name>")
@bp.get("/tag/<name>/l/latest")
def tag_latest(name: str) -> Response:
    """GET /tag/{name}: topics carrying the tag."""
    return _render(lambda: current_backend().lists.tag(current_user(), name, _query))


@bp.get("/tags/c/<path:slug>/<int:category_id>/<name>")
def tag_in_category(slug: str, category_id: int, name: str) -> Response:
    """GET /tags/c/{slug}/{id}/{tag}: topics of a category carrying the tag."""
    try:
        return _render(lambda: current_backend().lists.tag_in_category(current_user(), slug, category_id,
                                                                       name, _query))
    except StaleSlug as moved:
        _moved(slug, category_id, moved.full_slug)


@bp.get("/filter")
def filter_topics() -> Response:
    """GET /filter?q=: TopicsFilter with tag:, tags:, category:, status: and order:."""
    q = str(params().get("q") or "")
    return _render(lambda: current_backend().lists.filter(current_user(), q, _query))


@bp.get("/topics/private-messages/<username>")
def private_messages(username: str) -> Response:
    """GET /topics/private-messages/{username}: messages to the user or to the user's groups."""
    return _render(lambda: current_backend().lists.messages(current_user(), username, False, _query))


@bp.get("/topics/private-messages-sent/<username>")
def private_messages_sent(username: str) -> Response:
    """GET /topics/private-messages-sent/{username}: personal messages the user wrote in."""
    return _render(lambda: current_backend().lists.messages(current_user(), username, True, _query))
