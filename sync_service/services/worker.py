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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync_service.config.settings import WorkerSettings
from sync_service.services.ports.forum import ForumUnavailable
from sync_service.services.ports.storage import Claim, Deferred, EntityRef, UnitOfWork

log = logging.getLogger("codev.worker")

MAX_BACKOFF_SECONDS = 3600.0   # a failing row is retried at least once an hour
PRUNE_EVERY = timedelta(hours=1)  # finished inbox rows older than the retention go this often
MAX_PAUSE_SECONDS = 300.0      # a forum outage is probed at least every five minutes
IDLE_SECONDS = 1.0             # how long run_forever sleeps when nothing is due

# Brings codev in line with one entity a delivery named: "created", "updated", "ignored"...
ApplyRef = Callable[[UnitOfWork, EntityRef, datetime], str]
UowFactory = Callable[[], UnitOfWork]
# A whole reconciliation; it calls the function it is given between entities (the worker's batches).
Sweep = Callable[[Callable[[], None]], object]


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
    error: str | None = None  # the last failure of the batch, in words (the forum's, or a row's)


@dataclass
class Worker:
    """Everything a worker needs; time, randomness and the stop signal are injected for tests."""

    uow_factory: UowFactory
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
            claims = uow.inbox.claim(self.worker_id, self.clock(), batch,
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
                if not start.inbox.renew(claim, now + timedelta(seconds=self.settings.lease_seconds)):
                    result.lost += 1
                    log.warning("inbox row %s: taken over by another worker before it started", claim.id)
                    return
                coalesced = start.inbox.pending_of_entity(claim)
                start.commit()
            uow = self.uow_factory()
            with uow:
                outcome = "ignored" if claim.entity_kind == "none" else self.apply(uow, _ref(claim), now)
                status = "ignored" if outcome == "ignored" else "done"
                if not uow.inbox.complete(claim, now, status, coalesced):
                    uow.rollback()
                    result.lost += 1
                    log.warning("inbox row %s: lease lost before completion; effect dropped", claim.id)
                    return
                uow.commit()
        except Deferred as exc:
            self._retry(claim, result, f"deferred: {exc}", exc.retry_after, count_attempt=False)
            log.info("inbox row %s (%s, %s): deferred, %s", claim.id, claim.event, claim.entity_kind, exc)
            return
        except ForumUnavailable as exc:
            self.outages += 1
            result.pause = self._pause(exc.retry_after)
            result.error = str(exc)
            self._retry(claim, result, f"forum unavailable: {exc}", result.pause, count_attempt=False)
            log.warning("inbox row %s: forum unavailable; pausing %.0f s", claim.id, result.pause)
            return
        except Exception as exc:  # bad data in one row must not stop the worker: record it on the row
            result.error = f"inbox row {claim.id}: {type(exc).__name__}: {exc}"
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
                held = uow.inbox.park(claim, self.clock(), error)
                uow.commit()
            result.parked += 1 if held else 0
            result.lost += 0 if held else 1
            return
        self._retry(claim, result, error, self.backoff(claim.attempts))

    def _retry(self, claim: Claim, result: BatchResult, error: str, delay: float,
               count_attempt: bool = True) -> None:
        uow = self.uow_factory()
        with uow:
            held = uow.inbox.retry(claim, self.clock() + timedelta(seconds=delay), error,
                                    count_attempt)
            uow.commit()
        result.retried += 1 if held else 0
        result.lost += 0 if held else 1

    def _release(self, claims: list[Claim], result: BatchResult) -> None:
        """Give back rows claimed but not started, due at once, their attempt not counted."""
        uow = self.uow_factory()
        with uow:
            for claim in claims:
                if uow.inbox.retry(claim, self.clock(), "", count_attempt=False):
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
        next_prune = self.clock()
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
            if self.clock() >= next_prune:
                self.prune()
                next_prune = self.clock() + PRUNE_EVERY
            if result.pause > 0:
                wait(result.pause)
            elif result.claimed == 0:
                wait(idle_seconds)
        log.info("worker %s stopped", self.worker_id)

    def prune(self) -> int:
        """Delete the finished inbox rows older than worker.inbox_retention_days; how many."""
        before = self.clock() - timedelta(days=self.settings.inbox_retention_days)
        try:
            with self.uow_factory() as uow:
                pruned = uow.inbox.prune(before)
                uow.commit()
        except Exception as exc:  # the next hour tries again; the queue is unaffected
            log.warning("inbox pruning failed: %s", type(exc).__name__)
            return 0
        if pruned:
            log.info("inbox: %d finished rows older than %s deleted", pruned, f"{before:%Y-%m-%d}")
        return pruned

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


def routing(handlers: Mapping[str, ApplyRef]) -> ApplyRef:
    """One ApplyRef from a table of entity kind -> use case; a kind not in the table is ignored."""

    def apply(uow: UnitOfWork, ref: EntityRef, now: datetime) -> str:
        handler = handlers.get(ref.kind)
        return handler(uow, ref, now) if handler is not None else "ignored"

    return apply


def first_of(*handlers: ApplyRef) -> ApplyRef:
    """The outcome of the first handler that does not answer "ignored" (in the order given)."""

    def apply(uow: UnitOfWork, ref: EntityRef, now: datetime) -> str:
        for handler in handlers:
            outcome = handler(uow, ref, now)
            if outcome != "ignored":
                return outcome
        return "ignored"

    return apply
