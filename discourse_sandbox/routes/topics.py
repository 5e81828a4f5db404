"""Routes: one topic (GET/PUT/DELETE /t/...), its posts, tags, status and external id."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, g, redirect, request

from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.guardian import can_see_topic
from discourse_sandbox.core.http import json_error, json_reply, params, tag_list
from discourse_sandbox.core.params import as_list
from discourse_sandbox.core.queries import visible_posts
from discourse_sandbox.models.changes import STATUSES, delete_topic, set_status, update_topic
from discourse_sandbox.models.posting import PostRejected
from discourse_sandbox.routes.guards import require_login
from discourse_sandbox.routes.posts import delete_own, rejected
from discourse_sandbox.serializers.topics import basic_topic, topic_view_json

if TYPE_CHECKING:
    from discourse_sandbox.core.records import Topic
    from discourse_sandbox.core.state import State
    from discourse_sandbox.sandbox import Sandbox

bp = Blueprint("topics", __name__)


def find_topic(state: State, topic_id: int) -> Topic:
    """The topic, or Discourse's 404 (missing, or deleted for non-staff) / 403 (not allowed)."""
    topic = state.topics.get(topic_id)
    if topic is None or (topic.deleted_at is not None and not (g.user and g.user.staff)):
        not_found()
    if not can_see_topic(state, topic, g.user):
        invalid_access()
    return topic


def _show(topic_id: int) -> Response:
    sandbox: Sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        topic = find_topic(state, topic_id)
        return json_reply(topic_view_json(state, sandbox.settings, topic, g.user,
                                          include_raw=_include_raw()))


@bp.get("/t/<int:topic_id>")
def show(topic_id: int) -> Response:
    """GET /t/{id}: the topic view."""
    return _show(topic_id)


@bp.get("/t/<first>/<int:second>")
@bp.get("/t/<first>/<int:second>/<int:_post_number>")
def show_by_slug(first: str, second: int, _post_number: int | None = None) -> Response:
    """GET /t/{slug}/{id}, /t/{id}/{post_number} and /t/{slug}/{id}/{post_number}."""
    # Both routes exist in Discourse; a numeric first segment is a topic id (pydiscourse's post()).
    return _show(int(first) if first.isdigit() and _post_number is None else second)


@bp.get("/t/<int:topic_id>/posts")
def posts(topic_id: int) -> Response:
    """GET /t/{id}/posts?post_ids[]=: some posts of the stream."""
    sandbox: Sandbox = g.sandbox
    wanted = {int(v) for v in as_list(params().get("post_ids")) if v.isdigit()}
    with sandbox.state.transaction() as state:
        topic = find_topic(state, topic_id)
        shown = [p for p in visible_posts(state, topic, g.user) if not wanted or p.id in wanted]
        view = topic_view_json(state, sandbox.settings, topic, g.user, shown, _include_raw())
        return json_reply({"post_stream": {"posts": view["post_stream"]["posts"]}, "id": topic.id})


def _include_raw() -> bool:
    # TopicsController: include_raw: !!params[:include_raw], so any value given counts, "false" too
    return "include_raw" in params()


@bp.get("/t/external_id/<external_id>")
def by_external_id(external_id: str) -> Response:
    """GET /t/external_id/{id}: 301 to the topic's URL (.json kept when asked)."""
    with g.sandbox.state.transaction() as state:
        lowered = external_id.lower()
        topic = next((t for t in state.topics.values() if (t.external_id or "").lower() == lowered),
                     None)
        if topic is None:
            not_found()
        topic = find_topic(state, topic.id)
        suffix = ".json" if request.environ.get("sandbox.json_suffix") else ""
        return redirect(f"/t/{topic.slug}/{topic.id}{suffix}", 301)  # type: ignore[return-value]


@bp.put("/t/<first>/<int:topic_id>")
def update(first: str, topic_id: int) -> Response:
    """PUT /t/-/{id} or /t/{slug}/{id}: title, category_id, tags (nested under topic or top level)."""
    require_login()
    sandbox: Sandbox = g.sandbox
    data = params()
    changes: dict[str, Any] = {}
    found = data.get("topic")
    nested: dict[str, Any] = found if isinstance(found, dict) else {}
    for key in ("title", "category_id"):
        if key in data:
            changes[key] = data[key]
        elif key in nested:
            changes[key] = nested[key]
    if "tags" in data or "tags" in nested:
        changes["tags"] = tag_list(data.get("tags", nested.get("tags")))
    with sandbox.state.transaction() as state:
        topic = find_topic(state, topic_id)
        if not (g.user.staff or g.user.id == topic.user_id):
            invalid_access()
        try:
            update_topic(state, sandbox.settings, topic, g.user, changes, sandbox.clock.now(),
                         sandbox.events)
        except PostRejected as exc:
            return rejected(exc)
        body = {"basic_topic": basic_topic(state, topic)}
    return json_reply(body)


@bp.put("/t/<int:topic_id>/tags")
def update_tags(topic_id: int) -> Response:
    """PUT /t/{id}/tags: replace the topic's tags."""
    require_login()
    sandbox: Sandbox = g.sandbox
    tags = tag_list(params().get("tags"))
    if len(tags) > sandbox.settings.max_tags_per_topic:
        return json_error(f"You can't apply more than {sandbox.settings.max_tags_per_topic} tags "
                          "to a topic.", 422)
    with sandbox.state.transaction() as state:
        topic = find_topic(state, topic_id)
        if not (g.user.staff or g.user.id == topic.user_id):
            invalid_access()
        update_topic(state, sandbox.settings, topic, g.user, {"tags": tags}, sandbox.clock.now(),
                     sandbox.events)
    return json_reply({"success": "OK"})


@bp.put("/t/<int:topic_id>/status")
def update_status(topic_id: int) -> Response:
    """PUT /t/{id}/status: status=closed|archived|visible|pinned, enabled=true|false (staff)."""
    require_login()
    sandbox: Sandbox = g.sandbox
    data = params()
    status = str(data.get("status") or "")
    if not status:
        fail(400, "param is missing or the value is empty: status", "invalid_parameters")
    enabled = data.get("enabled")
    if enabled is None or enabled is False or enabled in ("", [], {}):  # params.require(:enabled)
        fail(400, "param is missing or the value is empty: enabled", "invalid_parameters")
    if status not in STATUSES:
        fail(400, "You supplied invalid parameters to the request: status", "invalid_parameters")
    with sandbox.state.transaction() as state:
        topic = find_topic(state, topic_id)
        if not g.user.staff:
            invalid_access()
        # TopicsController#status: `params[:enabled] == "true"`, so a JSON true opens the topic
        set_status(state, sandbox.settings, topic, g.user, status, enabled == "true",
                   sandbox.clock.now(), sandbox.events)
    return json_reply({"success": "OK", "topic_status_update": None})


def _maydelete_own(state: State, topic: Topic, now: datetime) -> bool:
    """Guardian#can_delete_topic? for its author: one post, less than 24 hours old, not yet deleted."""
    posts = state.posts_of_topic(topic.id)
    return (g.user.id == topic.user_id and len(posts) <= 1 and bool(posts)
            and not posts[0].user_deleted and topic.created_at > now - timedelta(hours=24))


@bp.delete("/t/<int:topic_id>")
def destroy(topic_id: int) -> Response:
    """DELETE /t/{id}: trash the topic through its first post (staff or the owner)."""
    require_login()
    sandbox: Sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        topic = find_topic(state, topic_id)
        now = sandbox.clock.now()
        if g.user.staff:
            delete_topic(state, topic, now, sandbox.events)
        elif _maydelete_own(state, topic, now):
            first = state.posts_of_topic(topic.id)[0]
            delete_own(sandbox, state, first)
        else:
            invalid_access()
    return Response(status=200)
