"""Per-user limits on new posts for non-staff posters: rate limits, duplicates, new users' replies."""

# Discourse checks these in PostCreator (RateLimiter "create_topic"/"create_post", one hit per
# rate_limit_create_* seconds), UniquePostValidator (unique_posts_mins) and
# User#posted_too_much_in_topic? (newuser_max_replies_per_topic). Staff are exempt from all of them.

from __future__ import annotations

import math
import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from discourse_sandbox.core.http import json_reply
from discourse_sandbox.core.ratelimit import time_left
from discourse_sandbox.models.posting import NewPost, PostRejected

if TYPE_CHECKING:
    from flask import Response

    from discourse_sandbox.core.records import User
    from discourse_sandbox.core.state import State
    from discourse_sandbox.sandbox import Sandbox

# Per sandbox: (user id, limiter) -> sandbox seconds of the last counted post.
_LAST: weakref.WeakKeyDictionary[Any, dict[tuple[int, str], float]] = weakref.WeakKeyDictionary()
# Per sandbox: user id -> ids of the user's posts waiting for an approval that never comes.
_PENDING: weakref.WeakKeyDictionary[Any, dict[int, list[int]]] = weakref.WeakKeyDictionary()
_BY_TYPE = {
    "create_topic": "You’re creating topics a bit too quickly. Please wait {} before trying again.",
    "create_post": "You’re replying a bit too quickly. Please wait {} before trying again.",
}


def _limiter(req: NewPost) -> tuple[str, str]:
    return ("create_post", "rate_limit_create_post") if req.topic_id is not None \
        else ("create_topic", "rate_limit_create_topic")


def rate_limited(sandbox: Sandbox, user: User, req: NewPost) -> Response | None:
    """The 429 Discourse gives when this user posted too recently, else None."""
    if user.staff:
        return None
    kind, setting = _limiter(req)
    window = float(getattr(sandbox.settings, setting))
    last = _LAST.get(sandbox, {}).get((user.id, kind))
    if window <= 0 or last is None or sandbox.clock.seconds() - last >= window:
        return None
    wait = max(1, math.ceil(window - (sandbox.clock.seconds() - last)))
    left = time_left(wait)
    return json_reply({"errors": [_BY_TYPE[kind].format(left)], "error_type": "rate_limit",
                       "extras": {"wait_seconds": wait, "time_left": left}}, 429)


def count_post(sandbox: Sandbox, user: User, req: NewPost) -> None:
    """A post was created: its rate limiter starts over."""
    if not user.staff:
        _LAST.setdefault(sandbox, {})[(user.id, _limiter(req)[0])] = sandbox.clock.seconds()


def check_content(sandbox: Sandbox, state: State, user: User, req: NewPost) -> None:
    """UniquePostValidator and the new user's reply cap; raises PostRejected (422 create_post)."""
    if user.staff:
        return
    settings = sandbox.settings
    now = sandbox.clock.now()
    if settings.unique_posts_mins > 0:
        since = now - timedelta(minutes=settings.unique_posts_mins)
        body = req.raw.strip()
        if any(p.user_id == user.id and p.deleted_at is None and p.created_at >= since
               and p.raw.strip() == body for p in state.posts.values()):
            raise PostRejected(["Body is too similar to what you recently posted"])
    cap = settings.newuser_max_replies_per_topic
    topic = state.topics.get(req.topic_id or 0)
    if req.topic_id is None or topic is None or user.trust_level != 0 or topic.user_id == user.id:
        return
    posts = state.posts_of_topic(topic.id)
    mine = {p.post_number for p in posts if p.user_id == user.id}
    # UserAction.last_action_in_topic: the last time someone answered this user here
    answered = max((p.id for p in posts if p.user_id != user.id and p.reply_to_post_number in mine),
                   default=0)
    if sum(1 for p in posts if p.user_id == user.id and p.id > answered) >= cap:
        unit = "reply" if cap == 1 else "replies"
        raise PostRejected([f"We're sorry, but new users are temporarily limited to {cap} {unit} "
                            "in the same topic."])


def enqueued(sandbox: Sandbox, user: User, req: NewPost) -> dict[str, Any] | None:
    """NewPostManager with approve_unless_trust_level: a pending post instead of a post, or None."""
    if user.staff or user.trust_level >= sandbox.settings.approve_unless_trust_level:
        return None
    from discourse_sandbox.core.clock import iso

    pending = _PENDING.setdefault(sandbox, {})
    number = sum(len(ids) for ids in pending.values()) + 1
    pending.setdefault(user.id, []).append(number)
    # nothing approves it: the sandbox has no review queue, so the post never appears
    return {"action": "enqueued",
            "pending_post": {"id": number, "raw": req.raw, "created_at": iso(sandbox.clock.now())},
            "success": True, "pending_count": len(pending[user.id])}
