"""A fake of the outbox (ports.storage.OutboxRepository) on a FakeStore, as adapters/db/outbox.py:
one row per intent key, a newer edit of a target supersedes the pending one, a row is claimed only
once the intent it depends on was sent, and finishing a row needs the lease the claim took."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from sync_service.adapters.db.columns import kept_error
from sync_service.services.ports.storage import BLANKED_WHEN_SENT, Intent, OutboxRow
from tests.service.unit.fakes.records import OnStore, OutboxRecord

# What forgetting a person deletes outright: rows not on the forum (yet, or ever).
UNSENT = ("pending", "sending", "parked", "failed", "superseded")


def _due(row: OutboxRecord, now: datetime) -> bool:
    """Pending and due, or sending under a lease that has run out (its sender died)."""
    if row.status == "pending":
        return row.available_at <= now
    return row.status == "sending" and row.lease_until is not None and row.lease_until < now


class FakeOutbox(OnStore):
    """ports.storage.OutboxRepository."""

    def add(self, intent: Intent, target: str | None, now: datetime) -> bool:
        if self.data.intent(intent.key) is not None:
            return False
        if target is not None:
            for row in self.data.outbox:
                if row.target == target and row.kind == intent.kind and row.status == "pending":
                    row.status, row.lease_until = "superseded", None
        self.data.outbox.append(OutboxRecord(
            id=self.data.next_id("outbox"), key=intent.key, kind=intent.kind,
            payload=copy.deepcopy(dict(intent.payload)), depends_on=intent.depends_on, target=target,
            person_id=intent.person_id, created_at=now, available_at=now))
        return True

    def claim(self, worker_id: str, now: datetime, limit: int, lease_seconds: float) -> list[OutboxRow]:
        rows = sorted(self.data.outbox, key=lambda r: r.id)
        # as one SQL statement: every condition is read before any row changes
        chosen = [r for r in rows if _due(r, now) and not self._target_busy(r, now)
                  and (r.depends_on is None or self.data.sent(r.depends_on) is not None)][:limit]
        claimed = [self._row(r, worker_id) for r in chosen]
        for r in chosen:
            r.status, r.leased_by, r.attempts, r.maybe_sent = "sending", worker_id, r.attempts + 1, True
            r.lease_until = now + timedelta(seconds=lease_seconds)
        return claimed

    def mark_sent(self, row: OutboxRow, now: datetime, topic_id: int | None, post_id: int | None) -> bool:
        blank: dict[str, Any] = {"payload": {}} if row.kind in BLANKED_WHEN_SENT else {}
        return self._finish(row, status="sent", sent_at=now, topic_id=topic_id, post_id=post_id,
                            maybe_sent=False, last_error=None, **blank)

    def retry(self, row: OutboxRow, available_at: datetime, error: str, maybe_sent: bool) -> bool:
        return self._finish(row, status="pending", available_at=available_at, leased_by=None,
                            maybe_sent=maybe_sent, last_error=kept_error(error))

    def give_up(self, row: OutboxRow, status: str, error: str) -> bool:
        return self._finish(row, status=status, last_error=kept_error(error))

    def release(self, row: OutboxRow) -> bool:
        return self._finish(row, status="pending", attempts=row.attempts - 1, leased_by=None,
                            maybe_sent=row.maybe_sent)

    def find(self, key: str) -> OutboxRow | None:
        record = self.data.intent(key)
        return None if record is None else self._row(record, record.leased_by or "")

    def unsettled_topics(self) -> int:
        return sum(1 for r in self.data.outbox if r.kind in ("create_topic", "private_message")
                   and r.status in ("pending", "sending") and r.maybe_sent)

    def forget_person(self, user_id: int) -> int:
        deleted = {r.id for r in self.data.outbox if r.person_id == user_id and r.status in UNSENT}
        self.data.outbox[:] = [r for r in self.data.outbox if r.id not in deleted]
        # a sent row stays (its topic and post ids let the brokerage find its threads), without the text
        blanked = [r for r in self.data.outbox if r.person_id == user_id and r.status == "sent"]
        for row in blanked:
            row.payload, row.last_error = {}, None
        return len(deleted) + len(blanked)

    def _target_busy(self, row: OutboxRecord, now: datetime) -> bool:
        """Another row of the same target is being sent under a live lease."""
        return row.target is not None and any(
            o.target == row.target and o.id != row.id and o.status == "sending"
            and o.lease_until is not None and o.lease_until >= now for o in self.data.outbox)

    def _row(self, r: OutboxRecord, worker_id: str) -> OutboxRow:
        # read before the claim's update, as SQL does: one attempt more, status and maybe_sent as they were
        parent = self.data.intent(r.depends_on) if r.depends_on is not None else None
        return OutboxRow(id=r.id, key=r.key, kind=r.kind, payload=copy.deepcopy(r.payload),
                         attempts=r.attempts + 1, maybe_sent=r.maybe_sent, worker_id=worker_id,
                         depends_on=r.depends_on, parent_topic_id=parent.topic_id if parent else None,
                         parent_post_id=parent.post_id if parent else None, status=r.status,
                         topic_id=r.topic_id, post_id=r.post_id, last_error=r.last_error)

    def _finish(self, row: OutboxRow, **values: Any) -> bool:
        values.setdefault("lease_until", None)
        record = next((r for r in self.data.outbox if r.id == row.id and r.status == "sending"
                       and r.leased_by == row.worker_id and r.attempts == row.attempts), None)
        if record is None:
            return False
        for name, value in values.items():
            setattr(record, name, value)
        return True
