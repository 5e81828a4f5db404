"""Routes: create, read, edit and delete posts (POST /posts, /posts/{id}, /raw/...)."""

from __future__ import annotations

import hashlib
import json
import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, g, request

from discourse_sandbox.content_limits import check_content, count_post, enqueued, rate_limited
from discourse_sandbox.core.errors import fail, invalid_access, invalid_parameters, not_found
from discourse_sandbox.core.events import Held
from discourse_sandbox.core.guardian import can_see_topic
from discourse_sandbox.core.http import json_error, json_reply, params, tag_list
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.models.changes import delete_post, edit_post, mark_for_deletion, update_topic
from discourse_sandbox.models.posting import NewPost, PostRejected, create_post, parse_time, raw_errors
from discourse_sandbox.routes.guards import require_login
from discourse_sandbox.serializers.posts import post_json

if TYPE_CHECKING:
    from discourse_sandbox.core.records import Post
    from discourse_sandbox.sandbox import Sandbox

bp = Blueprint("posts", __name__)

# Per sandbox: memo key -> (sandbox seconds when stored, status, body), like DistributedMemoizer.
_MEMO: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, int, Any]]] = weakref.WeakKeyDictionary()
# PostsController#create_params: what it permits, hence what signature_for(manager_params) hashes.
_PERMITTED = (
    "raw", "topic_id", "archetype", "category", "target_recipients", "reply_to_post_number",
    "auto_track", "typing_duration_msecs", "composer_open_duration_msecs", "visible", "draft_key",
    "composer_version", "locale", "skip_validations", "import_mode", "embed_url", "created_at",
    "external_id", "title", "tags", "featured_link", "is_warning", "whisper", "unlist_topic",
    "image_sizes", "cook_method", "shared_draft", "nested_post",
)


def rejected(exc: PostRejected) -> Response:
    """The body Discourse gives for each kind of refusal."""
    if exc.kind == "create_post":
        return json_reply({"action": "create_post", "errors": exc.errors}, exc.status)
    if exc.kind == "plain":
        return json_error(exc.errors, exc.status)
    return json_error(exc.errors, exc.status, exc.kind)


@bp.post("/posts")
def create() -> Response:
    """POST /posts: new topic, reply or private message; identical API requests are memoised."""
    require_login()
    sandbox: Sandbox = g.sandbox
    data = params()
    memo = _MEMO.setdefault(sandbox, {})
    key = _signature(data, g.user.id)  # computed before anything is validated, as Discourse does
    now_s = sandbox.clock.seconds()
    hit = memo.get(key)
    if g.api and hit is not None and now_s - hit[0] < sandbox.settings.memoize_seconds:
        return json_reply(hit[2], hit[1])
    status, body = _create(sandbox, data)
    if g.api and status != 429:
        window = sandbox.settings.memoize_seconds
        for stale in [k for k, (at, _s, _b) in memo.items() if now_s - at >= window]:
            del memo[stale]
        memo[key] = (now_s, status, body)
    return json_reply(body, status)


def _create(sandbox: Sandbox, data: dict[str, Any]) -> tuple[int, Any]:
    custom = data.get("topic_custom_fields") or data.get("meta_data")
    if isinstance(custom, dict) and custom:
        fail(400, "The following keys in :topic_custom_fields are not permitted: "
             + ", ".join(sorted(custom)), "invalid_parameters")
    raw = data.get("raw")
    if raw in (None, ""):
        invalid_parameters("raw")
    tags = tag_list(data.get("tags"))
    if len(tags) > sandbox.settings.max_tags_per_topic:
        return 422, {"errors": [_too_many_tags(sandbox.settings.max_tags_per_topic)]}
    req = _new_post(data, str(raw), tags)
    limited = rate_limited(sandbox, g.user, req)
    if limited is not None:  # RateLimiter raises inside the memoised block: nothing is memoised
        return limited.status_code, limited.get_json()
    pending = enqueued(sandbox, g.user, req)
    if pending is not None:
        return 200, pending
    with sandbox.state.transaction() as state:
        try:
            check_content(sandbox, state, g.user, req)
            post = create_post(state, sandbox.settings, g.user, req, sandbox.clock.now(), sandbox.events)
        except PostRejected as exc:
            response = rejected(exc)
            return exc.status, response.get_json()
        body = post_json(state, post, g.user, "create")
        count_post(sandbox, g.user, req)
    return 200, body


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
        tags=tags, created_at=parse_time(data.get("created_at")) if g.api else None,
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


def find_post(state: Any, post_id: int) -> Post:
    """The post, visible to the current user, or 404/403 as Discourse answers."""
    post = state.posts.get(post_id)
    staff = bool(g.user and g.user.staff)
    if post is None or (post.deleted_at is not None and not staff):
        not_found()
    topic = state.topics.get(post.topic_id)
    if topic is None or (topic.deleted_at is not None and not staff):
        not_found()
    if not can_see_topic(state, topic, g.user):
        invalid_access()
    return post  # type: ignore[no-any-return]


@bp.get("/posts/<int:post_id>")
def show(post_id: int) -> Response:
    """GET /posts/{id}: the post with raw."""
    with g.sandbox.state.transaction() as state:
        return json_reply(post_json(state, find_post(state, post_id), g.user, "get"))


@bp.get("/posts/<int:post_id>/replies")
def replies(post_id: int) -> Response:
    """GET /posts/{id}/replies: the posts answering this one."""
    with g.sandbox.state.transaction() as state:
        post = find_post(state, post_id)
        answers = [p for p in state.posts_of_topic(post.topic_id)
                   if p.reply_to_post_number == post.post_number]
        return json_reply([post_json(state, p, g.user, "replies") for p in answers])


@bp.put("/posts/<int:post_id>")
def update(post_id: int) -> Response:
    """PUT /posts/{id}: post[raw], post[edit_reason]; 409 when post[original_text] is stale."""
    require_login()
    sandbox: Sandbox = g.sandbox
    data = params()
    found = data.get("post")
    nested: dict[str, Any] = found if isinstance(found, dict) else {}
    raw = nested.get("raw")  # params.require(:post): a top-level raw is not read
    if raw in (None, ""):
        invalid_parameters("post")
    with sandbox.state.transaction() as state:
        post = find_post(state, post_id)
        if not (g.user.staff or g.user.id == post.user_id):
            invalid_access()
        if not g.user.staff and _edit_window_over(sandbox, post):
            fail(422, "That post was created too long ago. It can no longer be edited or deleted.")
        original = nested.get("original_text")
        if original is not None and original != post.raw:
            fail(409, "That post was edited by another user and your changes can no longer be saved.")
        try:
            _revise(sandbox, state, post, str(raw), data, nested)
        except PostRejected as exc:
            return rejected(exc)
        body = {"post": post_json(state, post, g.user, "update")}
    return json_reply(body)


def _edit_window_over(sandbox: Sandbox, post: Post) -> bool:
    """Post#edit_time_limit_expired?: post_edit_time_limit (TL0-1) or tl2_post_edit_time_limit, minutes."""
    settings, author = sandbox.settings, g.user
    minutes = settings.tl2_post_edit_time_limit if author.trust_level >= 2 else settings.post_edit_time_limit
    return minutes > 0 and sandbox.clock.now() - post.created_at > timedelta(minutes=minutes)


def _revise(sandbox: Sandbox, state: Any, post: Post, raw: str, data: dict[str, Any],
            nested: dict[str, Any]) -> None:
    """PostRevisor: raw, plus title/category for a first post; a topic change emits topic_edited only."""
    topic = state.topics[post.topic_id]
    errors = raw_errors(sandbox.settings, raw, post.post_number == 1,
                        topic.archetype == "private_message")
    if errors:
        raise PostRejected(errors, kind="plain")
    changes: dict[str, Any] = {}
    if post.post_number == 1:
        if data.get("title") not in (None, ""):
            changes["title"] = data["title"]
        if nested.get("category_id") not in (None, ""):
            changes["category_id"] = nested["category_id"]
    now = sandbox.clock.now()
    topic_events, post_events = Held(sandbox.events), Held(sandbox.events)
    topic_changed = update_topic(state, sandbox.settings, topic, g.user, changes, now, topic_events,
                                 bump_first_post=False) if changes else False
    post_changed = edit_post(state, sandbox.settings, post, raw, nested.get("edit_reason"), now,
                             post_events)
    if topic_changed and not post_changed:
        post.version += 1
        post.updated_at = now
    (topic_events if topic_changed else post_events).release()


@bp.delete("/posts/<int:post_id>")
def destroy(post_id: int) -> Response:
    """DELETE /posts/{id}: trash the post (the whole topic for a first post)."""
    require_login()
    sandbox: Sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        post = find_post(state, post_id)
        if g.user.staff:
            delete_post(state, post, sandbox.clock.now(), sandbox.events)
        elif g.user.id == post.user_id and post.post_number > 1 and not post.user_deleted:
            delete_own(sandbox, state, post)
        else:
            invalid_access()
    return Response(status=200)


def delete_own(sandbox: Sandbox, state: Any, post: Post) -> None:
    """PostDestroyer for an author: marked for deletion unless delete_removed_posts_after < 1."""
    if sandbox.settings.delete_removed_posts_after < 1:
        delete_post(state, post, sandbox.clock.now(), sandbox.events)
    else:
        mark_for_deletion(state, post, sandbox.clock.now(), sandbox.events)


@bp.get("/raw/<int:topic_id>")
@bp.get("/raw/<int:topic_id>/<int:post_number>")
def raw(topic_id: int, post_number: int = 1) -> Response:
    """GET /raw/{topic_id}/{post_number}: the Markdown as text/plain."""
    with g.sandbox.state.transaction() as state:
        topic = state.topics.get(topic_id)
        if topic is None or (topic.deleted_at is not None and not (g.user and g.user.staff)):
            not_found()
        if not can_see_topic(state, topic, g.user):
            invalid_access()
        post = next((p for p in state.posts_of_topic(topic_id) if p.post_number == post_number), None)
        if post is None:
            not_found()
        return Response(post.raw, 200, content_type="text/plain; charset=utf-8")
