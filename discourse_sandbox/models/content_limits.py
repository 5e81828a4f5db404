"""Per-user limits on new posts for non-staff posters: rate limits, duplicates, new users' replies."""

# Discourse checks these in PostCreator (RateLimiter "create_topic"/"create_post", one hit per
# rate_limit_create_* seconds), UniquePostValidator (unique_posts_mins) and
# User#posted_too_much_in_topic? (newuser_max_replies_per_topic). Staff are exempt from all of them.

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from discourse_sandbox.core.ratelimit import time_left
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.posting import NewPost, PostRejected
from discourse_sandbox.models.site import Site

_BY_TYPE = {
    "create_topic": "You’re creating topics a bit too quickly. Please wait {} before trying again.",
    "create_post": "You’re replying a bit too quickly. Please wait {} before trying again.",
}


@dataclass(frozen=True)
class Throttled:
    """A post refused by the per-user rate limit: Discourse's 429 message and wait."""

    message: str
    wait_seconds: int
    time_left: str


@dataclass(frozen=True)
class PendingPost:
    """NewPostManager's enqueued result: the pending post, and how many the user has waiting."""

    id: int
    raw: str
    created_at: datetime
    pending_count: int


def _limiter(req: NewPost) -> tuple[str, str]:
    return ("create_post", "rate_limit_create_post") if req.topic_id is not None \
        else ("create_topic", "rate_limit_create_topic")


class ContentLimits:
    """The limits' memory for one site: when each user last posted, and posts waiting for approval."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._last: dict[tuple[int, str], float] = {}  # (user id, limiter) -> sandbox seconds
        self._pending: dict[int, list[int]] = {}  # user id -> their posts that no one will approve

    def throttled(self, user: User, req: NewPost) -> Throttled | None:
        """The 429 Discourse gives when this user posted too recently, else None."""
        if user.staff:
            return None
        kind, setting = _limiter(req)
        window = float(getattr(self.site.settings, setting))
        clock = self.site.clock
        last = self._last.get((user.id, kind))
        if window <= 0 or last is None or clock.seconds() - last >= window:
            return None
        wait = max(1, math.ceil(window - (clock.seconds() - last)))
        left = time_left(wait)
        return Throttled(_BY_TYPE[kind].format(left), wait, left)

    def count_post(self, user: User, req: NewPost) -> None:
        """A post was created: its rate limiter starts over."""
        if not user.staff:
            self._last[(user.id, _limiter(req)[0])] = self.site.clock.seconds()

    def check_content(self, state: State, user: User, req: NewPost) -> None:
        """UniquePostValidator and the new user's reply cap; raises PostRejected (422 create_post)."""
        if user.staff:
            return
        settings = self.site.settings
        now = self.site.clock.now()
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

    def enqueue(self, user: User, req: NewPost) -> PendingPost | None:
        """NewPostManager with approve_unless_trust_level: a pending post instead of a post, or None."""
        if user.staff or user.trust_level >= self.site.settings.approve_unless_trust_level:
            return None
        number = sum(len(ids) for ids in self._pending.values()) + 1
        self._pending.setdefault(user.id, []).append(number)
        # nothing approves it: the sandbox has no review queue, so the post never appears
        return PendingPost(number, req.raw, self.site.clock.now(), len(self._pending[user.id]))
