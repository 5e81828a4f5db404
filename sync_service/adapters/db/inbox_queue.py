"""The inbox as a work queue: claim due deliveries with a lease, then complete, retry or park them.

Everything works inside the caller's transaction (the unit of work's session) and never commits:
completion is written in the same transaction as the effect, so a crash loses both or neither.

Per-entity serialisation: a claim takes only the OLDEST due row of each entity (kind, key), and none
of an entity that already has a running row under a live lease. Two rows of one entity therefore
never run at once, on SQLite (one writer, BEGIN IMMEDIATE) as on PostgreSQL (FOR UPDATE SKIP LOCKED:
a worker that meets a row locked by another skips it, and the younger rows of that entity are not the
oldest in its snapshot). This needs no advisory lock and reads the same on both databases.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from sync_service.adapters.db.columns import aware, kept_error, rowcount
from sync_service.adapters.db.tables import InboxDelivery, RejectedDelivery
from sync_service.services.ports.storage import Claim, InboxRow


def _due(row: Any, now: datetime) -> Any:
    """Pending and due, or running under a lease that has run out (its worker died)."""
    return or_(
        and_(row.status == "pending", row.available_at <= now),
        and_(row.status == "running", row.lease_until < now),
    )


class SqlInbox:
    """The inbox queue on the session of a unit of work (implements ports.storage.InboxRepository)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, worker_id: str, now: datetime, limit: int,
              lease_seconds: float) -> list[Claim]:
        """Lease up to `limit` due rows, at most one per entity, oldest first."""
        d = InboxDelivery
        older = aliased(InboxDelivery)
        live = aliased(InboxDelivery)
        same_entity_older_due = exists().where(
            older.entity_kind == d.entity_kind, older.entity_key == d.entity_key,
            older.id < d.id, _due(older, now),
        )
        same_entity_running = exists().where(
            live.entity_kind == d.entity_kind, live.entity_key == d.entity_key,
            live.status == "running", live.lease_until >= now,
        )
        candidates = (
            select(d.id)
            .where(_due(d, now))
            .where(or_(d.entity_kind == "none", and_(~same_entity_older_due, ~same_entity_running)))
            .order_by(d.id)
            .limit(limit)
            # PostgreSQL: rows another worker holds are skipped; SQLite ignores it (one writer).
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(d)
            .where(d.id.in_(candidates))
            .values(status="running", leased_by=worker_id, attempts=d.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds))
            .returning(d.id, d.event, d.entity_kind, d.entity_key, d.attempts)
            .execution_options(synchronize_session=False)
        )
        rows = self.session.execute(statement).all()
        claims = [Claim(id=r.id, event=r.event, entity_kind=r.entity_kind, entity_key=r.entity_key,
                        attempts=r.attempts, worker_id=worker_id) for r in rows]
        return sorted(claims, key=lambda c: c.id)

    def renew(self, claim: Claim, lease_until: datetime) -> bool:
        """Extend the claim's lease from now; False if another worker has taken the row over."""
        d = InboxDelivery
        result = self.session.execute(
            update(d).where(*_held(claim)).values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    def pending_of_entity(self, claim: Claim) -> list[int]:
        """Ids of the other pending rows of the claim's entity, visible now (one refetch serves them)."""
        if claim.entity_kind == "none":
            return []
        d = InboxDelivery
        statement = select(d.id).where(
            d.entity_kind == claim.entity_kind, d.entity_key == claim.entity_key,
            d.status == "pending", d.id != claim.id,
        ).order_by(d.id)
        return list(self.session.scalars(statement))

    def complete(self, claim: Claim, now: datetime, status: str,
                 coalesced: list[int]) -> bool:
        """Mark the claim (and the coalesced rows) finished; False if this worker lost the lease."""
        d = InboxDelivery
        done = self.session.execute(
            update(d).where(*_held(claim))
            .values(status=status, processed_at=now, lease_until=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
        if rowcount(done) != 1:
            return False
        if coalesced:
            # served by the claim's refetch: one attempt each, so that a row finished as ignored is never
            # taken for one the intake ignored (those alone are unique by body)
            self.session.execute(
                update(d).where(d.id.in_(coalesced), d.status == "pending")
                .values(status=status, processed_at=now, last_error=None, attempts=d.attempts + 1)
                .execution_options(synchronize_session=False)
            )
        return True

    def retry(self, claim: Claim, available_at: datetime, error: str,
              count_attempt: bool = True) -> bool:
        """Put the claim back to pending until `available_at`; False if the lease was lost. When the same
        body arrived again while the claim ran, that newer row reads the entity again: the claim ends
        `done` instead (two rows of one body never wait together)."""
        d = InboxDelivery
        again = aliased(InboxDelivery)
        body = select(d.body_sha256).where(d.id == claim.id).scalar_subquery()
        if self.session.scalar(select(exists().where(again.body_sha256 == body, again.status == "pending",
                                                     again.id != claim.id))):
            result = self.session.execute(
                update(d).where(*_held(claim))
                .values(status="done", processed_at=func.now(), lease_until=None,
                        last_error="superseded: the same delivery arrived again, that row reads it")
                .execution_options(synchronize_session=False))
            return rowcount(result) == 1
        values: dict[str, Any] = {"status": "pending", "available_at": available_at,
                                  "lease_until": None, "leased_by": None,
                                  "last_error": kept_error(error) if error else None}
        if not count_attempt:
            values["attempts"] = d.attempts - 1
        if not error:
            del values["last_error"]
        result = self.session.execute(
            update(d).where(*_held(claim)).values(**values).execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    def park(self, claim: Claim, now: datetime, error: str) -> bool:
        """Set the claim aside for a person (`codev inbox --failed`); False if the lease was lost."""
        d = InboxDelivery
        result = self.session.execute(
            update(d).where(*_held(claim))
            .values(status="parked", processed_at=now, lease_until=None, last_error=kept_error(error))
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1


    def forget_person(self, user_id: int, username: str | None) -> int:
        """Blank the hints of deliveries about that person and key them by id, not by name."""
        d = InboxDelivery
        keys = [str(user_id)] + ([username] if username else [])
        about = (d.entity_kind == "person") & d.entity_key.in_(keys)
        result = self.session.execute(update(d).where(about).values(hint={}),
                                      execution_options={"synchronize_session": False})
        if username:
            # A pending row keyed by the username is refetched by id instead (same outcome, no name).
            self.session.execute(
                update(d).where(d.entity_kind == "person", d.entity_key == username)
                .values(entity_key=str(user_id)), execution_options={"synchronize_session": False})
        return rowcount(result)

    def prune(self, before: datetime) -> int:
        """Delete done and ignored rows processed before `before`, and refusals received before it."""
        d, r = InboxDelivery, RejectedDelivery
        finished = self.session.execute(
            delete(d).where(d.status.in_(("done", "ignored")), d.processed_at < before),
            execution_options={"synchronize_session": False})
        refused = self.session.execute(delete(r).where(r.received_at < before),
                                       execution_options={"synchronize_session": False})
        return rowcount(finished) + rowcount(refused)


def _held(claim: Claim) -> tuple[Any, ...]:
    """The row is still ours: running, leased by this worker, at this attempt (no takeover since)."""
    d = InboxDelivery
    return (d.id == claim.id, d.status == "running", d.leased_by == claim.worker_id,
            d.attempts == claim.attempts)


# --- what people see and do (codev inbox) -------------------------------------------------------

def list_rows(session: Session, statuses: tuple[str, ...], with_error: bool = False,
              limit: int = 100) -> list[InboxRow]:
    """Rows in these statuses (and, with_error, pending rows that failed before), oldest first."""
    d = InboxDelivery
    condition: ColumnElement[bool] = d.status.in_(statuses)
    if with_error:
        condition = or_(condition, and_(d.status == "pending", d.last_error.is_not(None)))
    statement = select(d).where(condition).order_by(d.id).limit(limit)
    return [_row(r) for r in session.scalars(statement)]


def requeue(session: Session, delivery_id: int, now: datetime) -> str | None:
    """Make a parked (or waiting) row due now with its attempts reset; the row's old status, or None."""
    d = InboxDelivery
    status = session.scalar(select(d.status).where(d.id == delivery_id))
    if status is None or status not in ("parked", "pending"):
        return status if status is not None else None
    session.execute(
        update(d).where(d.id == delivery_id, d.status == status)
        .values(status="pending", attempts=0, available_at=now, lease_until=None, leased_by=None,
                processed_at=None)
        .execution_options(synchronize_session=False)
    )
    return str(status)


def stats(session: Session, now: datetime) -> dict[str, Any]:
    """Rows per status, how many are due now, and the oldest pending row's receipt time."""
    d = InboxDelivery
    per_status = {s: n for s, n in session.execute(select(d.status, func.count()).group_by(d.status))}
    due = session.scalar(select(func.count()).select_from(d).where(_due(d, now))) or 0
    oldest = session.scalar(select(func.min(d.received_at)).where(d.status == "pending"))
    return {"per_status": per_status, "due": due, "oldest_pending": aware(oldest)}


def _row(r: InboxDelivery) -> InboxRow:
    return InboxRow(id=r.id, event=r.event, status=r.status, entity_kind=r.entity_kind,
                    entity_key=r.entity_key, attempts=r.attempts, received_at=aware(r.received_at),
                    available_at=aware(r.available_at), last_error=r.last_error)
