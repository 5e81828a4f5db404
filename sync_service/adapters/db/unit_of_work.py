"""The unit of work: one transaction over every repository (SQLite: BEGIN IMMEDIATE)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from sync_service.adapters.db.brokerage import (
    SqlDigestRepository,
    SqlIntroductionRepository,
    SqlOfferRepository,
    SqlReviewRepository,
)
from sync_service.adapters.db.campaigns import SqlCampaignRepository
from sync_service.adapters.db.changes import SqlChangeRepository
from sync_service.adapters.db.engine import sqlite_file
from sync_service.adapters.db.entity_locks import EntityLocks
from sync_service.adapters.db.followup import SqlFollowupRepository
from sync_service.adapters.db.history import SqlHistoryRepository
from sync_service.adapters.db.inbox_queue import SqlInbox
from sync_service.adapters.db.outbox import SqlOutbox
from sync_service.adapters.db.plans import SqlPlanRepository
from sync_service.adapters.db.repositories import (
    SqlExpertRepository,
    SqlNeedRepository,
    SqlTombstoneRepository,
)


def _begin_immediate(connection: Connection) -> None:
    # A deferred SQLite transaction that reads then writes can fail at once with SQLITE_BUSY, without
    # waiting for busy_timeout; taking the write lock first makes writers queue.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class SqlUnitOfWork:
    """Implements ports.storage.UnitOfWork on one connection. A transaction begins at the unit's first
    statement (and again after each commit); on SQLite it is BEGIN IMMEDIATE, so a refetch that
    apply_ref makes before touching the database does not hold the write lock during an HTTP call.
    What was not committed when the block ends is rolled back."""

    session: Session

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._connection: Connection | None = None
        self._saved_isolation: Any = None
        database = sqlite_file(engine)
        self._entity_locks = EntityLocks(database) if database is not None else None
        self._held: dict[int, IO[bytes]] = {}  # SQLite: entity lock stripes held until the transaction ends

    def __enter__(self) -> SqlUnitOfWork:
        connection = self.engine.connect()
        if self.is_sqlite:
            # pysqlite must not open transactions on its own: this unit says when and how (IMMEDIATE).
            dbapi = connection.connection.dbapi_connection
            self._saved_isolation = getattr(dbapi, "isolation_level", None)
            if dbapi is not None:
                dbapi.isolation_level = None
            event.listen(connection, "begin", _begin_immediate)
        self._connection = connection
        self.session = Session(bind=connection, expire_on_commit=False, autoflush=True)
        self.experts = SqlExpertRepository(self.session)
        self.needs = SqlNeedRepository(self.session)
        self.tombstones = SqlTombstoneRepository(self.session)
        self.inbox = SqlInbox(self.session)
        self.introductions = SqlIntroductionRepository(self.session)
        self.reviews = SqlReviewRepository(self.session)
        self.history = SqlHistoryRepository(self.session)
        self.digests = SqlDigestRepository(self.session)
        self.outbox = SqlOutbox(self.session)
        self.offers = SqlOfferRepository(self.session)
        self.followups = SqlFollowupRepository(self.session)
        self.campaigns = SqlCampaignRepository(self.session)
        self.plans = SqlPlanRepository(self.session)
        self.changes = SqlChangeRepository(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        connection = self._connection
        self._connection = None
        try:
            self.session.rollback()
            self.session.close()
        finally:
            self._release_entities()
            if connection is not None:
                if self.is_sqlite and not connection.invalidated:
                    if connection.in_transaction():
                        connection.rollback()
                    dbapi = connection.connection.dbapi_connection
                    if dbapi is not None:
                        dbapi.isolation_level = self._saved_isolation
                connection.close()

    def commit(self) -> None:
        """Make every change of this unit durable; the next statement opens a new transaction."""
        try:
            self.session.commit()
        finally:
            self._release_entities()

    def rollback(self) -> None:
        """Drop every change of this unit."""
        try:
            self.session.rollback()
        finally:
            self._release_entities()

    def lock_entity(self, kind: str, key: int) -> None:
        """Serialise work on one entity until the transaction ends: a PostgreSQL advisory transaction
        lock; on SQLite a stripe lock (entity_locks.py) taken before the transaction begins, since
        waiting for it while holding SQLite's write lock could wait for ever."""
        if self._entity_locks is not None:
            if self.session.in_transaction():
                raise RuntimeError(f"lock {kind} {key} before the unit's first statement (SQLite)")
            stripe = self._entity_locks.stripe(kind, key)
            if stripe not in self._held:
                self._held[stripe] = self._entity_locks.acquire(stripe)
            return
        digest = hashlib.sha256(f"codev:{kind}:{key}".encode()).digest()
        self.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": int.from_bytes(digest[:8], "big", signed=True)},
        )


    def _release_entities(self) -> None:
        held, self._held = self._held, {}
        if self._entity_locks is not None:
            for stripe, handle in held.items():
                self._entity_locks.release(stripe, handle)


def uow_factory(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    """A maker of units of work on this engine (one per inbox row, per reconciliation step...)."""

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    return make
