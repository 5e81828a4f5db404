"""What the use cases need from the outbox: intents recorded in the caller's transaction, claimed,
sent once and finished by the sender (re-exported by ports/storage.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sync_service.services.ports.records import Intent, OutboxRow


class OutboxRepository(Protocol):
    """The writes codev decided to make, sent once each by the sender."""

    def add(self, intent: Intent, target: str | None, now: datetime) -> bool:
        """Insert the intent unless its key exists (a newer edit supersedes a pending one); True if new."""
        ...

    def claim(self, worker_id: str, now: datetime, limit: int, lease_seconds: float) -> list[OutboxRow]:
        """Lease up to `limit` due rows whose dependency was sent, one per target in flight."""
        ...

    def mark_sent(self, row: OutboxRow, now: datetime, topic_id: int | None, post_id: int | None) -> bool:
        """Record where the forum put it; False if this sender lost the lease."""
        ...

    def retry(self, row: OutboxRow, available_at: datetime, error: str, maybe_sent: bool) -> bool:
        """Back to pending until `available_at`; False if the lease was lost."""
        ...

    def give_up(self, row: OutboxRow, status: str, error: str) -> bool:
        """failed (unclear too often) or parked (refused); False if the lease was lost."""
        ...

    def release(self, row: OutboxRow) -> bool:
        """Put back a claimed row that was not tried."""
        ...

    def find(self, key: str) -> OutboxRow | None:
        """The row of one intent key, whatever its status, or None."""
        ...

    def unsettled_topics(self) -> int:
        """Topics codev may have opened on the forum without knowing it yet: writes that open one
        (a review topic, an introduction PM), tried, neither known sent nor given up."""
        ...

    def forget_person(self, user_id: int) -> int:
        """Delete that person's writes not sent and blank the payload of those sent; how many rows."""
        ...
