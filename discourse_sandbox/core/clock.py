"""Sandbox time: real time multiplied by a scale, so minute-long windows can pass in a second."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """A monotonic, scalable clock; `offset` lets tests jump forward."""

    def __init__(self, scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._real_start = time.monotonic()
        self._wall_start = datetime.now(UTC)
        self._scale = scale
        self._offset = 0.0

    def seconds(self) -> float:
        """Sandbox seconds since the clock started."""
        with self._lock:
            return (time.monotonic() - self._real_start) * self._scale + self._offset

    def now(self) -> datetime:
        """Sandbox wall time (UTC)."""
        return self._wall_start + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> None:
        """Jump forward without waiting."""
        with self._lock:
            self._offset += seconds

    def set_scale(self, scale: float) -> None:
        """Change the scale without jumping."""
        with self._lock:
            now_real = time.monotonic()
            self._offset += (now_real - self._real_start) * self._scale
            self._real_start = now_real
            self._scale = scale

    @property
    def scale(self) -> float:
        """Sandbox seconds per real second."""
        return self._scale

    def sleep(self, sandbox_seconds: float) -> None:
        """Sleep for a span of sandbox time."""
        time.sleep(max(0.0, sandbox_seconds) / self._scale)


def iso(moment: datetime) -> str:
    """Discourse's timestamp format: ISO 8601 with milliseconds and Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def optional_iso(moment: datetime | None) -> str | None:
    """iso(moment), or None (JSON null) when there is no moment."""
    return iso(moment) if moment is not None else None
