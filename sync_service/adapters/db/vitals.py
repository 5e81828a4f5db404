"""The database's side of codev's health: the queues' depths and ages, the workers' heartbeats, the
schema's revision. Read by /readyz, /metrics and `codev doctor`; heartbeats written by each worker."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import aware, utc
from sync_service.adapters.db.migrate import current_revision, newest_revision
from sync_service.adapters.db.tables import InboxDelivery, OutboxIntent, RejectedDelivery, WorkerHeartbeat
from sync_service.services.ports.health import Heartbeat, Queue, Vitals

log = logging.getLogger(__name__)

INBOX_WAITING = ("pending", "running")
OUTBOX_WAITING = ("pending", "sending")
FORGET_AFTER = timedelta(days=7)  # heartbeats of workers gone this long are dropped


def read_vitals(engine: Engine, now: datetime) -> Vitals:
    """Queues, heartbeats and the schema, in one transaction (DatabaseUnusable/SQLAlchemyError up)."""
    schema, newest = current_revision(engine), newest_revision()
    if schema != newest:  # the tables may not be there, or not be these
        return Vitals(schema=schema, newest_schema=newest, inbox=Queue({}, None, None),
                      outbox=Queue({}, None, None), read_at=now)
    with Session(engine) as session:
        return Vitals(
            schema=schema, newest_schema=newest,
            inbox=_queue(session, InboxDelivery, InboxDelivery.received_at, INBOX_WAITING, now),
            outbox=_queue(session, OutboxIntent, OutboxIntent.created_at, OUTBOX_WAITING, now),
            heartbeats=tuple(_heartbeat(h) for h in session.scalars(
                select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_pass_at.desc()))),
            rejected_last_hour=session.scalar(select(func.count()).select_from(RejectedDelivery).where(
                RejectedDelivery.received_at >= now - timedelta(hours=1))) or 0,
            read_at=now)


def _queue(session: Session, table: type[InboxDelivery] | type[OutboxIntent], decided: Any,
           waiting: tuple[str, ...], now: datetime) -> Queue:
    per_status = {s: n for s, n in session.execute(select(table.status, func.count()).group_by(table.status))}
    oldest = session.scalar(select(func.min(decided)).where(table.status.in_(waiting)))
    due = or_(and_(table.status == "pending", table.available_at <= now),
              and_(table.status.in_(waiting[1:]), table.lease_until < now))
    oldest_due = session.scalar(select(func.min(decided)).where(due))
    return Queue(per_status, aware(oldest), aware(oldest_due))


def _heartbeat(row: WorkerHeartbeat) -> Heartbeat:
    return Heartbeat(row.worker_id, utc(row.started_at), utc(row.last_pass_at), row.pass_seconds, row.passes,
                     aware(row.last_reconcile_at), row.rate_limited)


class HeartbeatRecorder:
    """A worker's heartbeat row, written at most every `every` seconds (and at once when asked)."""

    def __init__(self, engine: Engine, worker_id: str, now: Callable[[], datetime],
                 rate_limited: Callable[[], int], every: float = 10.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine, self.worker_id, self.now = engine, worker_id[:64], now
        self.rate_limited, self.every, self.monotonic = rate_limited, every, monotonic
        self.started_at = now()
        self.passes = 0
        self.last_reconcile_at: datetime | None = None
        self._written_at: float | None = None

    def passed(self, seconds: float) -> None:
        """A pass ended after `seconds`."""
        self.passes += 1
        self._write(seconds, force=False)

    def alive(self) -> None:
        """Still working (inside a long reconciliation): the row says so, the last duration stays."""
        self._write(None, force=False)

    def reconciled(self) -> None:
        """A reconciliation ended now."""
        self.last_reconcile_at = self.now()
        self._write(None, force=True)

    def _write(self, seconds: float | None, force: bool) -> None:
        clock = self.monotonic()
        if not force and self._written_at is not None and clock - self._written_at < self.every:
            return
        now = self.now()
        try:
            with Session(self.engine) as session, session.begin():
                row = session.get(WorkerHeartbeat, self.worker_id)
                if row is None:
                    session.execute(delete(WorkerHeartbeat).where(
                        WorkerHeartbeat.last_pass_at < now - FORGET_AFTER))
                    row = WorkerHeartbeat(worker_id=self.worker_id, started_at=self.started_at,
                                          last_pass_at=now, pass_seconds=seconds or 0.0)
                    session.add(row)
                row.last_pass_at, row.passes = now, self.passes
                if seconds is not None:
                    row.pass_seconds = seconds
                row.last_reconcile_at, row.rate_limited = self.last_reconcile_at, self.rate_limited()
            self._written_at = clock
        except SQLAlchemyError as exc:  # the heartbeat must never stop the work; its absence shows
            log.warning("worker heartbeat not written: %s", type(exc).__name__)
