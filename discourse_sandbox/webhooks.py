"""The webhook emitter: one delivery per (event, web hook), signed, asynchronous, unordered.

Interface used by the routes: `sandbox.emitter.emit(event, payload, category_id=, tag_names=,
group_ids=)` after a change is committed to the state. Implementation: see the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox


class Emitter:
    """Queues and delivers webhook events for the sandbox's web hooks."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def emit(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        category_id: int | None = None,
        tag_names: Sequence[str] = (),
        group_ids: Sequence[int] = (),
    ) -> None:
        """Queue `event` (e.g. "topic_created") with its serialized payload for every matching hook."""

    def start(self) -> None:
        """Start the delivery threads."""

    def stop(self) -> None:
        """Stop delivering; undelivered events are dropped, as when Sidekiq dies."""

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or in flight; False on timeout."""
        return True
