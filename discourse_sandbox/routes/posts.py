"""Routes: create, read, edit and delete posts (POST /posts, /posts/{id}, /raw/...)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, request

from discourse_sandbox.core.errors import fail, invalid_parameters
from discourse_sandbox.core.http import json_error, json_reply, params, tag_list
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.core.records import User
from discourse_sandbox.models.backend import Backend
from discourse_sandbox.models.content_limits import PendingPost, Throttled
from discourse_sandbox.models.posting import NewPost, PostRejected, parse_time
from discourse_sandbox.models.posts import Revision
from discourse_sandbox.routes.guards import current_backend, current_user, is_api, require_login
from discourse_sandbox.serializers.posts import pending_post_json, post_json

bp = Blueprint("posts", __name__)

# PostsController#create_params: what it permits, hence what signature_for(manager_params) hashes.
_PERMITTED = (
    "raw", "topic_id", "archetype", "category", "target_recipients", "reply_to_post_number",
    "auto_track", "typing_duration_msecs", "composer_open_duration_msecs", "visible", "draft_key",
    "composer_version", "locale", "skip_validations", "import_mode", "embed_url", "created_at",
    "external_id", "title", "tags", "featured_link", "is_warning", "whisper", "unlist_topic",
    "image_sizes", "cook_method", "shared_draft", "nested_post",
)


def rejected_body(exc: PostRejected) -> dict[str, Any]:
    """The body Discourse gives for each kind of refusal."""
    if exc.kind == "create_post":
        return {"action": "create_post", "errors": exc.errors}
    body: dict[str, Any] = {"errors": exc.errors}
    if exc.kind != "plain":
        body["error_type"] = exc.kind
    return body


def rejected(exc: PostRejected) -> Response:
    """A refused create or update as Discourse answers it."""
    if exc.kind == "create_post":
        return json_reply(rejected_body(exc), exc.status)
    return json_error(exc.errors, exc.status, None if exc.kind == "plain" else exc.kind)


@bp.post("/posts")
def create() -> Response:
    """POST /posts: new topic, reply or private message; identical API requests are memoised."""
    user = require_login()
    backend = current_backend()
    data = params()
    key = _signature(data, user.id)  # computed before anything is validated, as Discourse does
    now_s = backend.site.clock.seconds()
    window = backend.settings.memoize_seconds
    hit = backend.posts.memo.recall(key, now_s, window) if is_api() else None
    if hit is not None:
        return json_reply(hit[1], hit[0])
    status, body = _create(backend, user, data)
    if is_api() and status != 429:
        backend.posts.memo.remember(key, now_s, backend.settings.memoize_seconds, status, body)
    return json_reply(body, status)


def _create(backend: Backend, user: User, data: dict[str, Any]) -> tuple[int, Any]:
    custom = data.get("topic_custom_fields") or data.get("meta_data")
    if isinstance(custom, dict) and custom:
        fail(400, "The following keys in :topic_custom_fields are not permitted: "
             + ", ".join(sorted(custom)), "invalid_parameters")
    raw = data.get("raw")
    if raw in (None, ""):
        invalid_parameters("raw")
    tags = tag_list(data.get("tags"), backend.tags.names_with_id)
    if len(tags) > backend.settings.max_tags_per_topic:
        return 422, {"errors": [_too_many_tags(backend.settings.max_tags_per_topic)]}
    req = _new_post(data, str(raw), tags)
    with backend.transaction() as state:
        try:
            result = backend.posts.create(user, req)
        except PostRejected as exc:
            return exc.status, rejected_body(exc)
        if isinstance(result, Throttled):  # RateLimiter raises inside the memoised block: not memoised
            return 429, {"errors": [result.message], "error_type": "rate_limit",
                         "extras": {"wait_seconds": result.wait_seconds, "time_left": result.time_left}}
        if isinstance(result, PendingPost):
            return 200, pending_post_json(result.id, result.raw, result.created_at, result.pending_count)
        return 200, post_json(state, result, user, "create")


def _new_post(data: dict[str, Any], raw: str, tags: list[str]) -> NewPost:
    recipients = data.get("target_recipients") or ""  # target_usernames is no longer permitted
    names = [n.strip() for n in (recipients if isinstance(recipients, list)
                                 else str(recipients).split(",")) if n.strip()]
    topic_id = data.get("topic_id")
    reply_to = data.get("reply_to_post_number")
    visible = as_bool(data.get("visible"), True) and not as_bool(data.get("unlist_topic"))
    return NewPost(
        raw=raw, title=data.get("title"),
        topic_id=as_int(topic_id, "topic_id") if topic_id not in (None, "") else None,
        category=str(data["category"]) if data.get("category") not in (None, "") else None,
        archetype=str(data.get("archetype") or "regular"), recipients=names,
        reply_to_post_number=as_int(reply_to, "reply_to_post_number")
        if reply_to not in (None, "") else None,
        tags=tags, created_at=parse_time(data.get("created_at")) if is_api() else None,
        external_id=str(data["external_id"]) if data.get("external_id") not in (None, "") else None,
        visible=visible,
    )


def _too_many_tags(count: int) -> str:
    return f"You can't apply more than {count} tags to a topic."


def _signature(data: dict[str, Any], user_id: int) -> str:
    """DistributedMemoizer key: the permitted params plus the request facts PostsController adds."""
    items = sorted((k, data[k]) for k in _PERMITTED if k in data)
    facts = [request.remote_addr, request.headers.get("User-Agent"), request.referrer, user_id]
    return hashlib.sha1(json.dumps([items, facts], sort_keys=True, default=str).encode()).hexdigest()


@bp.get("/posts/<int:post_id>")
def show(post_id: int) -> Response:
    """GET /posts/{id}: the post with raw."""
    viewer = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        return json_reply(post_json(state, backend.posts.get(post_id, viewer), viewer, "get"))


@bp.get("/posts/<int:post_id>/replies")
def replies(post_id: int) -> Response:
    """GET /posts/{id}/replies: the posts answering this one."""
    viewer = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        answers = backend.posts.replies(post_id, viewer)
        return json_reply([post_json(state, p, viewer, "replies") for p in answers])


@bp.put("/posts/<int:post_id>")
def update(post_id: int) -> Response:
    """PUT /posts/{id}: post[raw], post[edit_reason]; 409 when post[original_text] is stale."""
    user = require_login()
    data = params()
    found = data.get("post")
    nested: dict[str, Any] = found if isinstance(found, dict) else {}
    raw = nested.get("raw")  # params.require(:post): a top-level raw is not read
    if raw in (None, ""):
        invalid_parameters("post")
    revision = Revision(str(raw), data.get("title"), nested.get("category_id"), nested.get("edit_reason"),
                        nested.get("original_text"))
    backend = current_backend()
    with backend.transaction() as state:
        try:
            post = backend.posts.revise(post_id, user, revision)
        except PostRejected as exc:
            return rejected(exc)
        return json_reply({"post": post_json(state, post, user, "update")})


@bp.delete("/posts/<int:post_id>")
def destroy(post_id: int) -> Response:
    """DELETE /posts/{id}: trash the post (the whole topic for a first post)."""
    user = require_login()
    current_backend().posts.destroy(post_id, user)
    return Response(status=200)


@bp.get("/raw/<int:topic_id>")
@bp.get("/raw/<int:topic_id>/<int:post_number>")
def raw(topic_id: int, post_number: int = 1) -> Response:
    """GET /raw/{topic_id}/{post_number}: the Markdown as text/plain."""
    text = current_backend().posts.raw(topic_id, post_number, current_user())
    return Response(text, 200, content_type="text/plain; charset=utf-8")
