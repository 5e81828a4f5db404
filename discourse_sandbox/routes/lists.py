"""Routes: topic lists (latest, category, tag, filter, private messages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, g, redirect, request

from discourse_sandbox.core.errors import invalid_access, not_found
from discourse_sandbox.core.guardian import can_see_topic, is_participant, listable
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.core.queries import live_posts
from discourse_sandbox.serializers.topic_lists import topic_list_json

if TYPE_CHECKING:
    from discourse_sandbox.core.records import Category, Topic
    from discourse_sandbox.core.state import State
    from discourse_sandbox.sandbox import Sandbox

bp = Blueprint("lists", __name__)

DEFAULT_PER_PAGE = 30
_ORDERS: dict[str, Callable[[State, Topic], Any]] = {
    "default": lambda s, t: t.bumped_at, "activity": lambda s, t: t.bumped_at,
    "latest": lambda s, t: t.bumped_at, "created": lambda s, t: t.created_at,
    "views": lambda s, t: t.views, "posts": lambda s, t: len(live_posts(s, t)),
    "title": lambda s, t: t.title.lower(), "likes": lambda s, t: 0, "op_likes": lambda s, t: 0,
    "category": lambda s, t: t.category_id or 0,
}


def render_list(state: State, topics: list[Topic], pinned_first: bool = False,
                extra: dict[str, Any] | None = None, order: str | None = None) -> Response:
    """Sort, page (0-based `page`, `per_page` 1-100) and serialize topics."""
    sandbox: Sandbox = g.sandbox
    data = params()
    per_page = min(max(as_int(data.get("per_page") or DEFAULT_PER_PAGE, "per_page"), 1), 100)
    page = max(as_int(data.get("page") or 0, "page"), 0)
    order = str(data.get("order") or order or "default")
    key = _ORDERS.get(order, _ORDERS["default"])
    ascending = as_bool(data.get("ascending"))
    ordered = sorted(topics, key=lambda t: (key(state, t), t.id), reverse=not ascending)
    if pinned_first:
        ordered.sort(key=lambda t: not t.pinned)
    chunk = ordered[page * per_page:(page + 1) * per_page]
    more = None
    if len(ordered) > (page + 1) * per_page:
        query = {k: v for k, v in request.args.items() if k != "page"}
        query["page"] = str(page + 1)
        more = request.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    body = topic_list_json(state, sandbox.settings, chunk, per_page=per_page,
                           can_create_topic=g.user is not None, more_topics_url=more,
                           viewer=g.user)
    body["topic_list"].update(extra or {})
    return json_reply(body)


def listed(state: State) -> list[Topic]:
    """Topics the current user may see in lists."""
    return [t for t in state.topics.values()
            if listable(t, g.user) and can_see_topic(state, t, g.user)]


@bp.get("/latest")
def latest() -> Response:
    """GET /latest: every listable topic, most recently bumped first."""
    with g.sandbox.state.transaction() as state:
        return render_list(state, listed(state))


def _category(state: State, category_id: int, slug_path: str | None) -> Category:
    """ListController#set_category: found by id; a slug path other than the full slug is a 301."""
    from discourse_sandbox.core.guardian import can_see_category

    category = state.categories.get(category_id)
    if category is None or not can_see_category(state, category, g.user):
        not_found()
    full = full_slug(state, category)
    if slug_path is not None and slug_path != full:
        head = f"/c/{slug_path}/{category_id}"
        path = f"/c/{full}/{category_id}" + request.path[len(head):]
        if request.environ.get("sandbox.json_suffix"):
            path += ".json"
        query = request.query_string.decode()
        abort(redirect(path + (f"?{query}" if query else ""), 301))
    return category


def full_slug(state: State, category: Category) -> str:
    """Category#full_slug("/"): the parents' slugs, then the category's."""
    parent = state.categories.get(category.parent_category_id or 0)
    return f"{full_slug(state, parent)}/{category.slug}" if parent is not None else category.slug


def _category_topics(state: State, category: Category, subcategories: bool) -> list[Topic]:
    ids = {category.id}
    if subcategories:
        ids |= {c.id for c in state.categories.values() if c.parent_category_id == category.id}
    return [t for t in listed(state) if t.category_id in ids]


@bp.get("/c/<int:category_id>")
@bp.get("/c/<path:slug>/<int:category_id>")
@bp.get("/c/<path:slug>/<int:category_id>/l/latest")
def category_latest(category_id: int, slug: str | None = None) -> Response:
    """GET /c/{slug}/{id} or /c/{parent}/{child}/{id}: a category's topics, subcategories included."""
    with g.sandbox.state.transaction() as state:
        category = _category(state, category_id, slug)
        return render_list(state, _category_topics(state, category, True), pinned_first=True)


@bp.get("/c/<path:slug>/<int:category_id>/none")
@bp.get("/c/<path:slug>/<int:category_id>/none/l/latest")
def category_none(slug: str, category_id: int) -> Response:
    """GET /c/{slug}/{id}/none: without the subcategories' topics."""
    with g.sandbox.state.transaction() as state:
        category = _category(state, category_id, slug)
        return render_list(state, _category_topics(state, category, False), pinned_first=True)


def _tag_extra(state: State, name: str) -> dict[str, Any]:
    tag = state.tags[name]
    count = sum(1 for t in state.topics.values() if name in t.tags and listable(t, None))
    return {"tags": [{"id": tag.id, "name": tag.name, "topic_count": count, "staff": False}]}


@bp.get("/tag/<name>")
@bp.get("/tag/<name>/l/latest")
def tag_latest(name: str) -> Response:
    """GET /tag/{name}: topics carrying the tag."""
    with g.sandbox.state.transaction() as state:
        tag = state.tags.get(name.lower())
        if tag is None or not g.sandbox.settings.tagging_enabled:
            not_found()
        topics = [t for t in listed(state) if tag.name in t.tags]
        return render_list(state, topics, extra=_tag_extra(state, tag.name))


@bp.get("/tags/c/<path:slug>/<int:category_id>/<name>")
def tag_in_category(slug: str, category_id: int, name: str) -> Response:
    """GET /tags/c/{slug}/{id}/{tag}: topics of a category carrying the tag."""
    with g.sandbox.state.transaction() as state:
        category = _category(state, category_id, slug)
        tag = state.tags.get(name.lower())
        if tag is None:
            not_found()
        topics = [t for t in _category_topics(state, category, True) if tag.name in t.tags]
        return render_list(state, topics, extra=_tag_extra(state, tag.name))


@bp.get("/filter")
def filter_topics() -> Response:
    """GET /filter?q=: TopicsFilter with tag:, tags:, category:, status: and order:."""
    from discourse_sandbox.routes.search import filter_topics as apply_filter

    with g.sandbox.state.transaction() as state:
        topics, order = apply_filter(state, listed(state), str(params().get("q") or ""))
        return render_list(state, topics, order=order)


def _pm_owner(state: State, username: str) -> Any:
    user = state.user_by_username(username)
    if user is None:
        not_found()
    if g.user is None or not (g.user.staff or g.user.id == user.id):
        invalid_access()
    return user


@bp.get("/topics/private-messages/<username>")
def private_messages(username: str) -> Response:
    """GET /topics/private-messages/{username}: messages to the user or to the user's groups."""
    with g.sandbox.state.transaction() as state:
        user = _pm_owner(state, username)
        topics = [t for t in state.topics.values() if t.archetype == "private_message"
                  and t.deleted_at is None and is_participant(state, t, user)]
        return render_list(state, topics)


@bp.get("/topics/private-messages-sent/<username>")
def private_messages_sent(username: str) -> Response:
    """GET /topics/private-messages-sent/{username}: personal messages the user wrote in."""
    with g.sandbox.state.transaction() as state:
        user = _pm_owner(state, username)
        topics = [t for t in state.topics.values() if t.archetype == "private_message"
                  and t.deleted_at is None and is_participant(state, t, user)
                  and any(p.user_id == user.id for p in live_posts(state, t))]
        return render_list(state, topics)
