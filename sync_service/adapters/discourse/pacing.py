"""Client-side pacing under Discourse's admin API limit, and the back-off of retries."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# Discourse counts every admin-key request in one site-wide bucket over a rolling minute.
WINDOW_SECONDS = 60.0


class Pacer:
    """At most `per_minute` requests in any rolling minute (0 = no pacing), plus holds after a 429.

    A request is counted from the moment its answer came back: Discourse stamped it when it arrived,
    which is earlier, so the next window never opens before Discourse's own does.
    """

    def __init__(self, per_minute: int, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.per_minute = per_minute
        self._clock, self._sleep = clock, sleep
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._held_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait until one more request may start, then count it as in flight."""
        while True:
            with self._lock:
                wait = self._wait_locked(self._clock())
                if wait <= 0:
                    self._in_flight += 1
                    return
            self._sleep(wait)

    def release(self) -> None:
        """The request started by the last acquire() has its answer (or failed)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if self.per_minute > 0:
                self._done.append(self._clock())

    def hold(self, seconds: float) -> None:
        """Start no request for `seconds` (Discourse said so with a 429, or we back off)."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + max(0.0, seconds))

    def _wait_locked(self, now: float) -> float:
        if now < self._held_until:
            return self._held_until - now
        if self.per_minute <= 0:
            return 0.0
        while self._done and now - self._done[0] >= WINDOW_SECONDS:
            self._done.popleft()
        if len(self._done) + self._in_flight < self.per_minute:
            return 0.0
        if not self._done:  # every slot is in flight: look again shortly
            return 0.05
        return WINDOW_SECONDS - (now - self._done[0])


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential back-off with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return rng.uniform(0.0, min(cap, base * (2 ** attempt)))
