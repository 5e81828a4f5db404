"""Discourse's RateLimiter: a rolling window of timestamps per bucket."""

from __future__ import annotations

import math
import threading
from collections import deque

from discourse_sandbox.core.clock import Clock


def time_left(seconds: int) -> str:
    """RateLimiter.time_left: "a few seconds", then seconds, minutes or hours, singular when one."""
    if seconds <= 3:
        return "a few seconds"
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    if seconds < 3600:
        minutes = seconds // 60
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = seconds // 3600
    return "1 hour" if hours == 1 else f"{hours} hours"


class RateLimiter:
    """At most `limit` hits per `window` sandbox seconds; one bucket per key.

    As lib/rate_limiter.rb's Lua script: hits are stamped in whole seconds (Time.now.to_i), one more is
    allowed while fewer than `limit` are kept or the oldest kept is `window` or more seconds old, and a
    refusal says window - (now - oldest) seconds, counted in whole seconds too.
    """

    def __init__(self, clock: Clock, limit: int, window: float = 60.0) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self._hits: dict[str, deque[int]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str) -> int | None:
        """Record a hit; None if allowed, else the whole seconds to wait (Retry-After)."""
        if self.limit <= 0:
            return None
        now = math.floor(self.clock.seconds())
        with self._lock:
            hits = self._hits.setdefault(bucket, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(self.window - (now - hits[0])))
            hits.append(now)
            return None

    def reset(self) -> None:
        """Forget every hit."""
        with self._lock:
            self._hits.clear()
