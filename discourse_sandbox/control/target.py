"""What the control API works on: the parts of a running sandbox (the Sandbox is one)."""

from __future__ import annotations

from typing import Any, Protocol

from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.faults import FaultInjector
from discourse_sandbox.core.ratelimit import RateLimiter
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.backend import Backend
from discourse_sandbox.webhooks.emitter import Emitter


class Controlled(Protocol):
    """A sandbox as its switches, clock, limiter, fault injector, emitter, backend and address."""

    settings: SandboxSettings
    clock: Clock
    state: State
    admin_limiter: RateLimiter
    faults: FaultInjector
    emitter: Emitter
    backend: Backend
    base_url: str

    def apply(self, changes: dict[str, Any]) -> None:
        """Change switches, all or nothing (ValueError on a bad one)."""
        ...
