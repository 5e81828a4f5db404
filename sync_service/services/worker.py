"""The worker: take due inbox rows with a lease, refetch their entity, record the outcome.

Each row is one transaction: the effect (`apply_ref`) and the row's completion commit together, and
only while this worker still holds the lease. A transient forum failure puts the row back without
counting it and pauses the worker; any other error is recorded on the row, retried with backoff, then
parked for a person to see. One bad row never stops the others.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sync_service.config import WorkerSettings
from sync_service.services.ports import EntityRef, ForumGateway, ForumUnavailable, SyncUnitOfWork

if TYPE_CHECKING:
    from sync_service.services.sync import SyncRules

log = logging.getLogger("codev.worker")

MAX_BACKOFF_SECONDS = 3600.0   # a failing row is retried at least once an hour
MAX_PAUSE_SECONDS = 300.0      # a forum outage is probed at least every five minutes
IDLE_SECONDS = 1.0             # how long run_forever sleeps when nothing is due

ApplyRef = Callable[[SyncUnitOfWork, EntityRef, datetime], str]
UowFactory = Callable[[], SyncUnitOfWork]
# A whole reconciliation; it calls the function it is given between entities (the worker's batches).
Sweep = Callable[[Callable[[], None]], object]


@dataclass(frozen=True)
class Claim:
    """One inbox row leased to a worker: the lease holds while (worker_id, attempts) match the row."""

    id: int
    event: str
    entity_kind: str
    entity_key: str | None
    attempts: int
    worker_id: str


@dataclass(frozen=True)
class InboxRow:
    """One inbox row as people see it in `codev inbox`."""

    id: int
    event: str
    status: str
    entity_kind: str
    entity_key: str | None
    attempts: int
    received_at: datetime | None
    available_at: datetime | None
    last_error: str | None


class Inbox(Protocol):
    """The inbox queue inside a unit of work (adapters.db.inbox_claims.SqlInbox); never commits."""

    def claim(self, uow: SyncUnitOfWork, worker_id: str, now: datetime, limit: int,
              lease_seconds: float) -> list[Claim]: ...

    def renew(self, uow: SyncUnitOfWork, claim: Claim, lease_until: datetime) -> bool: ...

    def pending_of_entity(self, uow: SyncUnitOfWork, claim: Claim) -> list[int]: ...

    def complete(self, uow: SyncUnitOfWork, claim: Claim, now: datetime, status: str,
                 coalesced: list[int]) -> bool: ...

    def retry(self, uow: SyncUnitOfWork, claim: Claim, available_at: datetime, error: str,
              count_attempt: bool = True) -> bool: ...

    def park(self, uow: SyncUnitOfWork, claim: Claim, now: datetime, error: str) -> bool: ...


@dataclass
class BatchResult:
    """What one run_once did; `pause` > 0 asks the caller to wait (the forum is unavailable)."""

    claimed: int = 0
    done: int = 0
    ignored: int = 0
    retried: int = 0
    parked: int = 0
    lost: int = 0
    released: int = 0
    pause: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass
class Worker:
    """Everything a worker needs; time, randomness and the stop signal are injected for tests."""

    uow_factory: UowFactory
    inbox: Inbox
    apply: ApplyRef
    settings: WorkerSettings
    worker_id: str
    clock: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)
    stop: threading.Event = field(default_factory=threading.Event)
    outages: int = 0  # consecutive batches that met an unavailable forum
    # Run after each batch with its outcomes (the brokerage: re-rank, timers, send the outbox).
    after_batch: Callable[[dict[str, int]], object] | None = None

    def run_once(self, batch: int = 20) -> BatchResult:
        """Claim up to `batch` due rows and process each; stops early on SIGTERM or a forum outage."""
        result = BatchResult()
        uow = self.uow_factory()
        with uow:
            claims = self.inbox.claim(uow, self.worker_id, self.clock(), batch,
                                      self.settings.lease_seconds)
            uow.commit()
        result.claimed = len(claims)
        for index, claim in enumerate(claims):
            if self.stop.is_set() or result.pause > 0:
                self._release(claims[index:], result)
                break
            self.process(claim, result)
        if result.pause == 0 and result.claimed:
            self.outages = 0
        return result

    def process(self, claim: Claim, result: BatchResult) -> None:
        """Apply one claimed row and record its outcome on it, in the effect's own transaction."""
        now = self.clock()
        try:
            # A unit of its own, before the refetch (the effect's unit must not hold SQLite's write lock
            # during HTTP calls): renew the lease, which ran from the batch's claim, and note the rows
            # of this entity stored before the refetch starts: it serves them all.
            start = self.uow_factory()
            with start:
                if not self.inbox.renew(start, claim, now + timedelta(seconds=self.settings.lease_seconds)):
                    result.lost += 1
                    log.warning("inbox row %s: taken over by another worker before it started", claim.id)
                    return
                coalesced = self.inbox.pending_of_entity(start, claim)
                start.commit()
            uow = self.uow_factory()
            with uow:
                outcome = "ignored" if claim.entity_kind == "none" else self.apply(uow, _ref(claim), now)
                status = "ignored" if outcome == "ignored" else "done"
                if not self.inbox.complete(uow, claim, now, status, coalesced):
                    uow.rollback()
                    result.lost += 1
                    log.warning("inbox row %s: lease lost before completion; effect dropped", claim.id)
                    return
                uow.commit()
        except ForumUnavailable as exc:
            self.outages += 1
            result.pause = self._pause(exc.retry_after)
            self._retry(claim, result, f"forum unavailable: {exc}", result.pause, count_attempt=False)
            log.warning("inbox row %s: forum unavailable; pausing %.0f s", claim.id, result.pause)
            return
        except Exception as exc:  # bad data in one row must not stop the worker: record it on the row
            self._fail(claim, result, f"{type(exc).__name__}: {exc}")
            log.warning("inbox row %s (%s, %s) failed at attempt %s: %s", claim.id, claim.event,
                        claim.entity_kind, claim.attempts, type(exc).__name__)
            return
        setattr(result, status, getattr(result, status) + 1)
        result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
        log.info("inbox row %s (%s, %s): %s%s", claim.id, claim.event, claim.entity_kind, outcome,
                 f" (+{len(coalesced)} coalesced)" if coalesced else "")

    def _fail(self, claim: Claim, result: BatchResult, error: str) -> None:
        if claim.attempts >= self.settings.max_attempts:
            uow = self.uow_factory()
            with uow:
                held = self.inbox.park(uow, claim, self.clock(), error)
                uow.commit()
            result.parked += 1 if held else 0
            result.lost += 0 if held else 1
            return
        self._retry(claim, result, error, self.backoff(claim.attempts))

    def _retry(self, claim: Claim, result: BatchResult, error: str, delay: float,
               count_attempt: bool = True) -> None:
        uow = self.uow_factory()
        with uow:
            held = self.inbox.retry(uow, claim, self.clock() + timedelta(seconds=delay), error,
                                    count_attempt)
            uow.commit()
        result.retried += 1 if held else 0
        result.lost += 0 if held else 1

    def _release(self, claims: list[Claim], result: BatchResult) -> None:
        """Give back rows claimed but not started, due at once, their attempt not counted."""
        uow = self.uow_factory()
        with uow:
            for claim in claims:
                if self.inbox.retry(uow, claim, self.clock(), "", count_attempt=False):
                    result.released += 1
            uow.commit()

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts`: exponential, capped, with equal jitter."""
        base = min(self.settings.backoff_seconds * 2.0 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
        return base / 2 + self.rng.uniform(0, base / 2)

    def _pause(self, retry_after: float | None) -> float:
        exponential = min(self.settings.backoff_seconds * 2.0 ** (self.outages - 1), MAX_PAUSE_SECONDS)
        return max(retry_after or 0.0, exponential / 2 + self.rng.uniform(0, exponential / 2))

    def run_forever(self, batch: int = 20, reconcile: Sweep | None = None,
                    sleep: Callable[[float], object] | None = None,
                    idle_seconds: float = IDLE_SECONDS) -> None:
        """Process until `stop` is set; run `reconcile` every reconcile_interval_minutes (0: never)."""
        wait = sleep or self.stop.wait
        interval = timedelta(minutes=self.settings.reconcile_interval_minutes)
        next_reconcile = self.clock() + interval
        failures = 0
        while not self.stop.is_set():
            try:
                result = self.run_once(batch)
                if self.after_batch is not None and not self.stop.is_set():
                    self.after_batch(result.outcomes)
                failures = 0
            except Exception as exc:  # the database itself failed (restart, lock timeout): wait, go on
                failures += 1
                result = BatchResult(pause=min(self.settings.backoff_seconds * 2.0 ** failures,
                                               MAX_PAUSE_SECONDS))
                log.error("worker batch failed (%s); next try in %.0f s", type(exc).__name__,
                          result.pause)
            if self.stop.is_set():
                break
            if reconcile is not None and interval and self.clock() >= next_reconcile:
                self._sweep(reconcile, batch)
                next_reconcile = self.clock() + interval
            if result.pause > 0:
                wait(result.pause)
            elif result.claimed == 0:
                wait(idle_seconds)
        log.info("worker %s stopped", self.worker_id)

    def _sweep(self, reconcile: Sweep, batch: int) -> None:
        """Reconcile, taking inbox batches between entities so webhooks wait no longer than one."""
        def between() -> None:
            if not self.stop.is_set():
                self.run_once(batch)

        log.info("reconciliation starts")
        try:
            log.info("reconciliation done: %s", reconcile(between))
        except Exception as exc:  # the loop must outlive a failed sweep; the next one repairs
            log.warning("reconciliation failed: %s", type(exc).__name__)


def _ref(claim: Claim) -> EntityRef:
    return EntityRef(kind=claim.entity_kind, key=claim.entity_key or "", event=claim.event)


# Reads a reply in one of codev's own topics (services.answers.read_thread, bound).
ReadThread = Callable[[SyncUnitOfWork, int, datetime], str]


def applying(forum: ForumGateway, rules: SyncRules, read_thread: ReadThread | None = None) -> ApplyRef:
    """The use cases as the worker calls them: sync for people and needs, the brokerage for replies."""
    from sync_service.services import sync

    def apply(uow: SyncUnitOfWork, ref: EntityRef, now: datetime) -> str:
        key = ref.key.strip()
        if ref.kind == "thread":
            return read_thread(uow, int(key), now) if read_thread and key.isdigit() else "ignored"
        if ref.kind == "need" and read_thread and key.isdigit():
            # a topic event may be a tag added to one of codev's review topics. read_thread runs first,
            # while the unit holds nothing (it ends the transaction before reading the forum), and
            # answers "ignored" for topics codev did not open, without asking the forum
            outcome = read_thread(uow, int(key), now)
            if outcome != "ignored":
                return outcome
        return sync.apply_ref(uow, forum, rules, ref, now)

    return apply
