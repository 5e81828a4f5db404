"""Seeded fault injection for the HTTP API (webhook faults live in the emitter)."""

from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING

from flask import Response

from discourse_sandbox.core.http import rate_limited

if TYPE_CHECKING:
    from flask import Request

    from discourse_sandbox.core.settings import Faults


class FaultInjector:
    """Decides, from one seeded generator, which API requests fail and how."""

    def __init__(self, faults: Faults) -> None:
        self.configure(faults)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {"429": 0, "5xx": 0, "after_write": 0, "slow": 0}

    def configure(self, faults: Faults) -> None:
        """Take new rates and restart the generator from the seed."""
        self.faults = faults
        self.rng = random.Random(faults.seed)

    def _roll(self, rate: float, kind: str) -> bool:
        """One draw from the seeded generator; counts the fault when it fires."""
        if rate <= 0:
            return False
        with self._lock:
            fired = self.rng.random() < rate
            if fired:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return fired

    def _pick_status(self) -> int:
        with self._lock:
            return self.rng.choice((500, 502, 503))

    def before_request(self, request: Request) -> Response | None:
        """Maybe answer 429 or 5xx before the route runs, or be slow."""
        if request.path.startswith("/_sandbox"):
            return None
        f = self.faults
        if self._roll(f.api_slow_rate, "slow"):
            time.sleep(f.slow_seconds)
        if self._roll(f.api_429_rate, "429"):
            return rate_limited(f.api_429_wait_seconds)
        if self._roll(f.api_5xx_rate, "5xx"):
            return _server_error(self._pick_status())
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        """Maybe replace a successful write's answer with a 500: the write stays done."""
        if (
            request.method in ("POST", "PUT", "DELETE")
            and not request.path.startswith("/_sandbox")
            and 200 <= response.status_code < 300
            and self._roll(self.faults.api_fail_after_write_rate, "after_write")
        ):
            return _server_error(500)
        return response


def _server_error(status: int) -> Response:
    if status == 500:
        # Rails' JSON answer to an unhandled exception.
        return Response('{"status":500,"error":"Internal Server Error"}', 500,
                        content_type="application/json; charset=utf-8")
    # 502/503 come from the proxy in front of Discourse, as HTML.
    return Response(
        f"<html><body><h1>{status} Bad Gateway</h1></body></html>", status,
        content_type="text/html",
    )
