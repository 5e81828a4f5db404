"""Writing webhook deliveries: the inbox insert (duplicates dropped by the database) and refusals.

Claiming rows for processing lives with the worker. The functions taking a Connection never commit;
InboxWriter is the intake's writer: it commits, several deliveries at once (group commit).
"""

from __future__ import annotations

import fcntl
import json
import logging
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Insert, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from sync_service.adapters.db.engine import sqlite_file
from sync_service.adapters.db.tables import InboxDelivery, RejectedDelivery

log = logging.getLogger(__name__)

PENDING, IGNORED = "pending", "ignored"
_EVENT_LIMIT = 64  # String(64) columns
_REASON_LIMIT = 64
MAX_BATCH = 256
WRITERS_PER_PROCESS = 1


@cache
def _insert_ignoring_duplicates(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the key of each row inserted: a row whose body is
    already waiting (or already ignored) is a duplicate (the partial unique indexes of tables.py)."""
    table = InboxDelivery.__table__
    stmt: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(InboxDelivery).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(InboxDelivery).on_conflict_do_nothing()
    else:
        raise ValueError(f"unsupported database dialect {dialect!r}: use SQLite or PostgreSQL")
    # RETURNING, not rowcount, tells an insert from a skipped duplicate, one by one in a batch too
    return stmt.returning(table.c.event, table.c.body_sha256)


def delivery_row(
    *,
    event: str,
    event_type: str,
    discourse_event_id: str | None,
    body_sha256: str,
    entity_kind: str,
    entity_key: str | None,
    hint: Mapping[str, Any],
    received_at: datetime,
    ignored_because: str | None = None,
) -> dict[str, Any]:
    """The inbox row of one accepted delivery: pending, or ignored with the reason as last_error."""
    ignored = ignored_because is not None
    return {
        "event": event, "event_type": event_type, "discourse_event_id": discourse_event_id,
        "body_sha256": body_sha256, "entity_kind": entity_kind, "entity_key": entity_key,
        "hint": dict(hint), "received_at": received_at,
        "status": IGNORED if ignored else PENDING, "attempts": 0, "available_at": received_at,
        "lease_until": None, "leased_by": None,
        "processed_at": received_at if ignored else None, "last_error": ignored_because,
    }


def rejection_row(*, status_code: int, reason: str, event: str | None, body_size: int,
                  body_sha256: str | None, received_at: datetime) -> dict[str, Any]:
    """The trace of a refused delivery (never its body): what, when, how big, its hash."""
    return {
        "received_at": received_at, "status_code": status_code, "reason": reason[:_REASON_LIMIT],
        "event": _printable(event) if event is not None else None,
        "body_size": body_size, "body_sha256": body_sha256,
    }


# PostgreSQL: one array per column, so the statement's text is the same for a batch of any size (a
# VALUES list per size was re-parsed by psycopg at every batch and never stayed prepared).
_PG_ARRAY_TYPES = {
    "event": "varchar", "event_type": "varchar", "discourse_event_id": "varchar", "body_sha256": "varchar",
    "entity_kind": "varchar", "entity_key": "varchar", "hint": "json", "received_at": "timestamptz",
    "status": "varchar", "attempts": "int", "available_at": "timestamptz", "lease_until": "timestamptz",
    "leased_by": "varchar", "processed_at": "timestamptz", "last_error": "text",
}


@cache
def _pg_unnest_insert(table_name: str) -> str:
    """INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT DO NOTHING RETURNING the keys."""
    columns = ", ".join(_PG_ARRAY_TYPES)
    arrays = ", ".join(f"%({name})s::{kind}[]" for name, kind in _PG_ARRAY_TYPES.items())
    return (f"INSERT INTO {table_name} ({columns}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT DO NOTHING RETURNING event, body_sha256")


def insert_deliveries(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Insert rows, skipping duplicates (a body already waiting, or already ignored); for each row,
    whether it is new."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        arrays = {name: [row[name] for row in rows] for name in _PG_ARRAY_TYPES}
        arrays["hint"] = [json.dumps(hint) for hint in arrays["hint"]]
        table_name = conn.dialect.identifier_preparer.format_table(InboxDelivery.__table__)
        result = conn.exec_driver_sql(_pg_unnest_insert(table_name), arrays)
    else:
        result = conn.execute(_insert_ignoring_duplicates(conn.dialect.name), [dict(r) for r in rows])
    inserted = {(event, digest) for event, digest in result}
    flags = []
    for row in rows:
        key = (row["event"], row["body_sha256"])
        flags.append(key in inserted)
        inserted.discard(key)  # the same delivery twice in one batch: only the first is new
    return flags


def _printable(text: str) -> str:
    """A header as sent may hold anything latin-1; PostgreSQL refuses NUL, people reading it want text."""
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in text[:_EVENT_LIMIT])


class InboxWriter:
    """Group commit: request threads hand their rows to a writing thread, which writes every row
    waiting in one autocommitted statement, then answers each request.

    A commit waits for the disk (a few ms); one commit for many deliveries is what lets a small
    machine accept a thousand a second. Under light load a batch is one row: no added wait.
    """

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._max_batch = max_batch
        # One per process: a second one (tried on PostgreSQL) made smaller batches and fewer rows a
        # second; the processes of gunicorn already overlap their commits.
        self._writers = WRITERS_PER_PROCESS
        self._lock_path = _sqlite_lock_path(engine)
        self._queue: queue.SimpleQueue[tuple[str, dict[str, Any], Future[bool]] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._local = threading.local()  # each writing thread's connection, kept open between batches

    def store_delivery(self, row: dict[str, Any], timeout: float) -> bool:
        """Write one delivery row; True if new, False if a duplicate. Raises what the insert raised."""
        return self._submit("delivery", row).result(timeout)

    def store_rejection(self, row: dict[str, Any], timeout: float) -> None:
        """Write one rejection row."""
        self._submit("rejection", row).result(timeout)

    def close(self) -> None:
        """Stop the writing threads once the rows already handed over are written."""
        with self._start_lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout=10)

    def _submit(self, kind: str, row: dict[str, Any]) -> Future[bool]:
        if not self._threads:
            with self._start_lock:  # started on first use: in each gunicorn worker, after the fork
                if not self._threads:
                    self._threads = [threading.Thread(target=self._run, name=f"codev-inbox-writer-{i}",
                                                      daemon=True) for i in range(self._writers)]
                    for thread in self._threads:
                        thread.start()
        future: Future[bool] = Future()
        self._queue.put((kind, row, future))
        return future

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                conn.close()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(item)
            self._write(batch)

    def _write(self, batch: list[tuple[str, dict[str, Any], Future[bool]]]) -> None:
        try:
            try:
                self._write_batch(batch)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # the database restarted or dropped us since the last batch: once more, reconnected
                self._write_batch([item for item in batch if not item[2].done()])
        except Exception as exc:
            waiting = [item for item in batch if not item[2].done()]
            if len(waiting) == 1:
                waiting[0][2].set_exception(exc)
                return
            # one bad row must not fail the others
            log.warning("inbox batch of %d failed (%s); writing its rows one by one", len(waiting), exc)
            for item in waiting:
                self._write([item])

    def _write_batch(self, batch: list[tuple[str, dict[str, Any], Future[bool]]]) -> None:
        deliveries = [(row, future) for kind, row, future in batch if kind == "delivery"]
        rejections = [(row, future) for kind, row, future in batch if kind == "rejection"]
        conn = self._connection()
        try:
            with _exclusive(self._lock_path):
                self._insert(conn, deliveries, rejections)
        except BaseException:
            self._local.conn = None
            conn.close()
            raise

    @staticmethod
    def _insert(conn: Connection, deliveries: list[tuple[dict[str, Any], Future[bool]]],
                rejections: list[tuple[dict[str, Any], Future[bool]]]) -> None:
        if deliveries:
            flags = insert_deliveries(conn, [row for row, _ in deliveries])
            conn.commit()  # nothing to send in autocommit; ends SQLAlchemy's own transaction state
            for (_, future), flag in zip(deliveries, flags, strict=True):
                future.set_result(flag)
        if rejections:
            conn.execute(insert(RejectedDelivery), [row for row, _ in rejections])
            conn.commit()
            for _, future in rejections:
                future.set_result(True)

    def _connection(self) -> Connection:
        # Kept open: a checkout would cost a pre-ping round trip per batch, in the commit's path.
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._local.conn = self._engine.connect()
        return conn


def _sqlite_lock_path(engine: Engine) -> str | None:
    """A file beside a SQLite database, for the writers of several processes to take turns."""
    database = sqlite_file(engine)
    if database is None:
        return None
    return f"{database}.intake-lock"


@contextmanager
def _exclusive(path: str | None) -> Iterator[None]:
    """Hold an exclusive lock on `path` (nothing when None).

    SQLite's own busy handler sleeps up to 100 ms between tries; a process waiting on this lock
    wakes as soon as the other one is done instead.
    """
    if path is None:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
