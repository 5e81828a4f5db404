"""DistributedMemoizer's store: answers kept by key for a window of sandbox seconds."""

from __future__ import annotations

from typing import Any


class Memo:
    """Answers (status, body) stored with the sandbox second they were given at."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[float, int, Any]] = {}

    def recall(self, key: str, now: float, window: float) -> tuple[int, Any] | None:
        """The answer stored under `key` less than `window` seconds before `now`, if any."""
        hit = self._answers.get(key)
        if hit is None or now - hit[0] >= window:
            return None
        return hit[1], hit[2]

    def remember(self, key: str, now: float, window: float, status: int, body: Any) -> None:
        """Store an answer given at `now`, dropping those older than `window` first."""
        for stale in [k for k, (at, _s, _b) in self._answers.items() if now - at >= window]:
            del self._answers[stale]
        self._answers[key] = (now, status, body)
