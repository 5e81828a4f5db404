"""Routes: one topic (GET/PUT/DELETE /t/...), its posts, tags, status and external id."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request

from discourse_sandbox.core.errors import fail
from discourse_sandbox.core.http import json_error, json_reply, params, tag_list
from discourse_sandbox.core.params import as_list
from discourse_sandbox.models.changes import STATUSES
from discourse_sandbox.models.posting import PostRejected
from discourse_sandbox.routes.guards import current_backend, current_user, require_login
from discourse_sandbox.routes.posts import rejected
from discourse_sandbox.serializers.topics import basic_topic, topic_view_json

bp = Blueprint("topics", __name__)


def _show(topic_id: int) -> Response:
    viewer = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        topic = backend.topics.get(topic_id, viewer)
        return json_reply(topic_view_json(state, backend.settings, topic, viewer, include_raw=_include_raw()))


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
    viewer = current_user()
    wanted = {int(v) for v in as_list(params().get("post_ids")) if v.isdigit()}
    backend = current_backend()
    with backend.transaction() as state:
        topic, shown = backend.topics.posts(topic_id, viewer, wanted)
        view = topic_view_json(state, backend.settings, topic, viewer, shown, _include_raw())
        return json_reply({"post_stream": {"posts": view["post_stream"]["posts"]}, "id": topic.id})


def _include_raw() -> bool:
    # TopicsController: include_raw: !!params[:include_raw], so any value given counts, "false" too
    return "include_raw" in params()


@bp.get("/t/external_id/<external_id>")
def by_external_id(external_id: str) -> Response:
    """GET /t/external_id/{id}: 301 to the topic's URL (.json kept when asked)."""
    topic = current_backend().topics.by_external_id(external_id, current_user())
    suffix = ".json" if request.environ.get("sandbox.json_suffix") else ""
    return redirect(f"/t/{topic.slug}/{topic.id}{suffix}", 301)  # type: ignore[return-value]


@bp.put("/t/<first>/<int:topic_id>")
def update(first: str, topic_id: int) -> Response:
    """PUT /t/-/{id} or /t/{slug}/{id}: title, category_id, tags (nested under topic or top level)."""
    user = require_login()
    backend = current_backend()
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
        changes["tags"] = tag_list(data.get("tags", nested.get("tags")), backend.tags.names_with_id)
    with backend.transaction() as state:
        try:
            topic = backend.topics.update(topic_id, user, changes)
        except PostRejected as exc:
            return rejected(exc)
        return json_reply({"basic_topic": basic_topic(state, topic)})


@bp.put("/t/<int:topic_id>/tags")
def update_tags(topic_id: int) -> Response:
    """PUT /t/{id}/tags: replace the topic's tags."""
    user = require_login()
    backend = current_backend()
    tags = tag_list(params().get("tags"), backend.tags.names_with_id)
    if len(tags) > backend.settings.max_tags_per_topic:
        return json_error(f"You can't apply more than {backend.settings.max_tags_per_topic} tags "
                          "to a topic.", 422)
    backend.topics.update(topic_id, user, {"tags": tags})
    return json_reply({"success": "OK"})


@bp.put("/t/<int:topic_id>/status")
def update_status(topic_id: int) -> Response:
    """PUT /t/{id}/status: status=closed|archived|visible|pinned, enabled=true|false (staff)."""
    user = require_login()
    data = params()
    status = str(data.get("status") or "")
    if not status:
        fail(400, "param is missing or the value is empty: status", "invalid_parameters")
    enabled = data.get("enabled")
    if enabled is None or enabled is False or enabled in ("", [], {}):  # params.require(:enabled)
        fail(400, "param is missing or the value is empty: enabled", "invalid_parameters")
    if status not in STATUSES:
        fail(400, "You supplied invalid parameters to the request: status", "invalid_parameters")
    # TopicsController#status: `params[:enabled] == "true"`, so a JSON true opens the topic
    current_backend().topics.set_status(topic_id, user, status, enabled == "true")
    return json_reply({"success": "OK", "topic_status_update": None})


@bp.delete("/t/<int:topic_id>")
def destroy(topic_id: int) -> Response:
    """DELETE /t/{id}: trash the topic through its first post (staff or the owner)."""
    user = require_login()
    current_backend().topics.destroy(topic_id, user)
    return Response(status=200)
