"""The outbox: one row per intended write to Discourse, claimed under a lease like the inbox.

Every function works inside the caller's transaction (`session`) and never commits. A row goes
pending -> sending (leased) -> sent | failed (too many unclear tries) | parked (Discourse refused it);
an edit of a post that a newer pending edit replaces becomes superseded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from sync_service.adapters.db.columns import aware, kept_error, rowcount
from sync_service.adapters.db.tables import OutboxIntent
from sync_service.services.ports.storage import BLANKED_WHEN_SENT, Intent, OutboxRow

# What forgetting a person deletes outright: rows not on the forum (yet, or ever).
UNSENT = ("pending", "sending", "parked", "failed", "superseded")
# The writes whose success makes a topic codev must know as its own (its replies are commands).
OPENS_TOPIC = ("create_topic", "private_message")


def _due(row: Any, now: datetime) -> Any:
    """Pending and due, or sending under a lease that has run out (its sender died)."""
    return or_(
        and_(row.status == "pending", row.available_at <= now),
        and_(row.status == "sending", row.lease_until < now),
    )


class SqlOutbox:
    """The outbox on the session of a unit of work (implements ports.storage.OutboxRepository)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, intent: Intent, target: str | None, now: datetime) -> bool:
        """Insert the intent unless its key exists; a newer edit supersedes the pending one. True if new."""
        o = OutboxIntent
        if self.session.scalar(select(o.id).where(o.intent_key == intent.key)) is not None:
            return False
        if target is not None:
            self.session.execute(
                update(o).where(o.target == target, o.kind == intent.kind, o.status == "pending")
                .values(status="superseded", lease_until=None).execution_options(synchronize_session=False))
        try:
            # a savepoint: a concurrent insert of the same key loses only this row, not the caller's work
            with self.session.begin_nested():
                self.session.add(OutboxIntent(
                    intent_key=intent.key, kind=intent.kind, payload=dict(intent.payload),
                    depends_on=intent.depends_on, target=target, status="pending", attempts=0,
                    maybe_sent=False, created_at=now, available_at=now, person_id=intent.person_id))
        except IntegrityError:
            return False
        return True

    def claim(self, worker_id: str, now: datetime, limit: int, lease_seconds: float) -> list[OutboxRow]:
        """Lease up to `limit` due rows, oldest first: dependencies sent, one row per target in flight."""
        o = OutboxIntent
        live = aliased(OutboxIntent)
        parent = aliased(OutboxIntent)
        target_busy = exists().where(live.target == o.target, live.id != o.id, live.status == "sending",
                                     live.lease_until >= now)
        parent_sent = exists().where(parent.intent_key == o.depends_on, parent.status == "sent")
        candidates = (
            select(o.id).where(_due(o, now))
            .where(or_(o.target.is_(None), ~target_busy))
            .where(or_(o.depends_on.is_(None), parent_sent))
            .order_by(o.id).limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(self.session.scalars(candidates))
        if not ids:
            return []
        before = {r.id: r for r in self.session.scalars(select(o).where(o.id.in_(ids)))}
        self.session.execute(
            update(o).where(o.id.in_(ids))
            .values(status="sending", leased_by=worker_id, attempts=o.attempts + 1, maybe_sent=True,
                    lease_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False))
        rows = []
        for row_id in sorted(ids):
            r = before[row_id]
            self.session.expunge(r)
            rows.append(_row(r, worker_id, self._parent_ids(r.depends_on), claimed=True))
        return rows

    def _parent_ids(self, key: str | None) -> tuple[int | None, int | None]:
        if key is None:
            return None, None
        o = OutboxIntent
        found = self.session.execute(select(o.topic_id, o.post_id).where(o.intent_key == key)).first()
        return (found.topic_id, found.post_id) if found else (None, None)

    def mark_sent(self, row: OutboxRow, now: datetime, topic_id: int | None, post_id: int | None) -> bool:
        """Record Discourse's ids and mark the row sent; False if this sender lost the lease."""
        blank: dict[str, Any] = {"payload": {}} if row.kind in BLANKED_WHEN_SENT else {}
        return self._finish(row, status="sent", sent_at=now, topic_id=topic_id, post_id=post_id,
                            maybe_sent=False, last_error=None, **blank)

    def retry(self, row: OutboxRow, available_at: datetime, error: str, maybe_sent: bool) -> bool:
        """Back to pending until `available_at`; False if the lease was lost."""
        return self._finish(row, status="pending", available_at=available_at, leased_by=None,
                            maybe_sent=maybe_sent, last_error=kept_error(error))

    def give_up(self, row: OutboxRow, status: str, error: str) -> bool:
        """failed (unclear too often) or parked (refused): set aside for a person; False if lease lost."""
        return self._finish(row, status=status, last_error=kept_error(error))

    def release(self, row: OutboxRow) -> bool:
        """Put back a claimed row that was not tried (no attempt counted, nothing sent by this claim)."""
        return self._finish(row, status="pending", attempts=row.attempts - 1, leased_by=None,
                            maybe_sent=row.maybe_sent)

    def find(self, key: str) -> OutboxRow | None:
        """The row of one intent key, whatever its status, or None."""
        return find(self.session, key)

    def unsettled_topics(self) -> int:
        """Writes that open a topic, tried, outcome not yet known (ports.storage.OutboxRepository)."""
        o = OutboxIntent
        return int(self.session.scalar(select(func.count()).select_from(o).where(
            o.kind.in_(OPENS_TOPIC), o.status.in_(("pending", "sending")), o.maybe_sent.is_(True))) or 0)

    def forget_person(self, user_id: int) -> int:
        """Delete the person's writes not on the forum; blank the payload of those sent. How many rows."""
        o = OutboxIntent
        deleted = self.session.execute(
            delete(o).where(o.person_id == user_id, o.status.in_(UNSENT))
            .execution_options(synchronize_session=False))
        # a sent row stays (its topic and post ids let the brokerage find its threads), without the text
        blanked = self.session.execute(
            update(o).where(o.person_id == user_id, o.status == "sent")
            .values(payload={}, last_error=None).execution_options(synchronize_session=False))
        return rowcount(deleted) + rowcount(blanked)

    def _finish(self, row: OutboxRow, **values: Any) -> bool:
        o = OutboxIntent
        values.setdefault("lease_until", None)
        result = self.session.execute(
            update(o).where(o.id == row.id, o.status == "sending", o.leased_by == row.worker_id,
                            o.attempts == row.attempts)
            .values(**values).execution_options(synchronize_session=False))
        return rowcount(result) == 1


def _row(r: OutboxIntent, worker_id: str, parent: tuple[int | None, int | None],
         claimed: bool = False) -> OutboxRow:
    # a claimed row was read before the claim's update: one attempt more, maybe_sent as it was
    return OutboxRow(id=r.id, key=r.intent_key, kind=r.kind, payload=dict(r.payload),
                     attempts=r.attempts + (1 if claimed else 0), maybe_sent=bool(r.maybe_sent),
                     worker_id=worker_id,
                     depends_on=r.depends_on, parent_topic_id=parent[0], parent_post_id=parent[1],
                     status=r.status, topic_id=r.topic_id, post_id=r.post_id, last_error=r.last_error)


# --- what people see (codev outbox) ----------------------------------------------------------

def list_rows(session: Session, statuses: tuple[str, ...], limit: int = 100) -> list[OutboxRow]:
    """Rows in these statuses and pending rows that failed before, oldest first."""
    o = OutboxIntent
    condition = or_(o.status.in_(statuses), and_(o.status == "pending", o.last_error.is_not(None)))
    statement = select(o).where(condition).order_by(o.id).limit(limit)
    return [_row(r, r.leased_by or "", (None, None)) for r in session.scalars(statement)]


def find(session: Session, key: str) -> OutboxRow | None:
    """The row of one intent key, or None."""
    r = session.scalar(select(OutboxIntent).where(OutboxIntent.intent_key == key))
    return None if r is None else _row(r, r.leased_by or "", (None, None))


def stats(session: Session, now: datetime) -> dict[str, Any]:
    """Rows per status, how many are due now, and when the oldest pending row was decided."""
    o = OutboxIntent
    per_status = {s: n for s, n in session.execute(select(o.status, func.count()).group_by(o.status))}
    due = session.scalar(select(func.count()).select_from(o).where(_due(o, now))) or 0
    oldest = session.scalar(select(func.min(o.created_at)).where(o.status == "pending"))
    return {"per_status": per_status, "due": due, "oldest_pending": aware(oldest)}
