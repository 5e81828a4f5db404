"""The worker on SQLite and PostgreSQL: leases, completion with the effect, retries, parking, takeover."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.inbox import delivery_row, insert_deliveries
from sync_service.adapters.db.inbox_queue import SqlInbox, aware
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery, RejectedDelivery
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.config import WorkerSettings
from sync_service.services.ports.forum import ForumUnavailable
from sync_service.services.ports.storage import Deferred, EntityRef
from sync_service.services.worker import BatchResult, Worker

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
SETTINGS = WorkerSettings(max_attempts=3, backoff_seconds=10.0, lease_seconds=60.0,
                          reconcile_interval_minutes=0)


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Effects:
    """The use case as a fake: records each refetch and leaves a row as its visible effect."""

    calls: list[EntityRef] = field(default_factory=list)
    failures: dict[str, Exception] = field(default_factory=dict)
    during: Callable[[EntityRef], None] | None = None

    def __call__(self, uow: Any, ref: EntityRef, now: datetime) -> str:
        self.calls.append(ref)
        if self.during is not None:
            self.during(ref)
        if ref.key in self.failures:
            raise self.failures[ref.key]
        # The effect: any write in the same transaction will do; a rejected-delivery row is at hand.
        uow.session.execute(insert(RejectedDelivery).values(
            received_at=now, status_code=200, reason=f"effect {ref.kind} {ref.key}", body_size=0))
        return "updated"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def _factory(engine: Engine, inbox: Callable[[Session], SqlInbox] = SqlInbox) -> Callable[[], SqlUnitOfWork]:
    """Units of work on the engine; `inbox` makes each one's inbox (a test's wrapper of the real one)."""

    class Unit(SqlUnitOfWork):
        def __enter__(self) -> SqlUnitOfWork:
            super().__enter__()
            self.inbox = inbox(self.session)
            return self

    return lambda: Unit(engine)


def _worker(engine: Engine, effects: Effects, clock: Clock, name: str = "w1",
            settings: WorkerSettings = SETTINGS) -> Worker:
    return Worker(_factory(engine), effects, settings, name, clock, rng=random.Random(7))


def _deliver(engine: Engine, kind: str, key: str | None, event: str = "user_updated",
             at: datetime = T0) -> None:
    with engine.begin() as conn:
        insert_deliveries(conn, [delivery_row(
            event=event, event_type=event.split("_")[0], discourse_event_id=None,
            body_sha256=uuid.uuid4().hex * 2, entity_kind=kind, entity_key=key, hint={}, received_at=at)])


def _rows(engine: Engine) -> dict[int, InboxDelivery]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return {r.id: r for r in session.scalars(select(InboxDelivery).order_by(InboxDelivery.id))}


def _effects_written(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(RejectedDelivery)) or 0)


def test_due_row_is_done_in_the_same_transaction_as_its_effect(engine: Engine) -> None:
    _deliver(engine, "person", "12")
    effects = Effects()

    result = _worker(engine, effects, Clock()).run_once()

    row = _rows(engine)[1]
    assert (result.claimed, result.done) == (1, 1)
    assert effects.calls == [EntityRef("person", "12", "user_updated")]
    assert (row.status, row.attempts, row.lease_until, row.last_error) == ("done", 1, None, None)
    assert aware(row.processed_at) == T0
    assert _effects_written(engine) == 1


def test_pending_rows_of_one_entity_are_served_by_one_refetch(engine: Engine) -> None:
    for event in ("user_updated", "user_logged_in", "user_updated"):
        _deliver(engine, "person", "12", event)
    _deliver(engine, "need", "40", "topic_edited")
    effects = Effects()

    result = _worker(engine, effects, Clock()).run_once()

    assert sorted((c.kind, c.key) for c in effects.calls) == [("need", "40"), ("person", "12")]
    assert result.claimed == 2
    assert {r.status for r in _rows(engine).values()} == {"done"}


def test_ping_and_unknown_events_are_marked_ignored_without_a_refetch(engine: Engine) -> None:
    _deliver(engine, "none", None, "ping")
    effects = Effects()

    result = _worker(engine, effects, Clock()).run_once()

    assert effects.calls == []
    assert result.ignored == 1 and _rows(engine)[1].status == "ignored"


def test_failing_row_backs_off_exponentially_then_is_parked_with_its_error(engine: Engine) -> None:
    _deliver(engine, "person", "12")
    clock = Clock()
    worker = _worker(engine, Effects(failures={"12": ValueError("availability is not a number")}), clock)
    delays = []

    for _ in range(SETTINGS.max_attempts - 1):
        worker.run_once()
        row = _rows(engine)[1]
        assert row.status == "pending" and "availability is not a number" in (row.last_error or "")
        delays.append((aware(row.available_at) - clock.now).total_seconds())
        assert worker.run_once().claimed == 0  # not due before its backoff
        clock.now = aware(row.available_at)
    result = worker.run_once()

    row = _rows(engine)[1]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20
    assert result.parked == 1
    assert (row.status, row.attempts) == ("parked", 3)
    assert row.last_error == "ValueError: availability is not a number"


def test_one_bad_row_does_not_stop_the_others(engine: Engine) -> None:
    for key in ("1", "2", "3"):
        _deliver(engine, "person", key)
    effects = Effects(failures={"2": KeyError("secteur")})

    result = _worker(engine, effects, Clock()).run_once()

    statuses = {r.entity_key: r.status for r in _rows(engine).values()}
    assert statuses == {"1": "done", "2": "pending", "3": "done"}
    assert (result.done, result.retried) == (2, 1)


def test_forum_outage_puts_rows_back_uncounted_and_pauses_for_retry_after(engine: Engine) -> None:
    for key in ("1", "2", "3"):
        _deliver(engine, "person", key)
    effects = Effects(failures={"1": ForumUnavailable("429 from forum", retry_after=45)})

    result = _worker(engine, effects, Clock()).run_once()

    rows = _rows(engine)
    assert result.pause >= 45 and result.released == 2
    assert [c.key for c in effects.calls] == ["1"]  # the rest were not tried against a down forum
    assert (rows[1].status, rows[1].attempts) == ("pending", 0)
    assert (aware(rows[1].available_at) - T0).total_seconds() >= 45
    assert all(rows[i].status == "pending" and rows[i].attempts == 0 for i in (2, 3))


def test_a_deferred_row_waits_uncounted_and_the_batch_goes_on(engine: Engine) -> None:
    for key in ("1", "2"):
        _deliver(engine, "person", key)
    effects = Effects(failures={"1": Deferred("a topic codev opened may not be known yet", retry_after=2)})

    result = _worker(engine, effects, Clock()).run_once()

    rows = _rows(engine)
    assert [c.key for c in effects.calls] == ["1", "2"] and result.pause == 0  # no outage: go on
    assert (rows[1].status, rows[1].attempts) == ("pending", 0)
    assert (aware(rows[1].available_at) - T0).total_seconds() == pytest.approx(2)
    assert rows[1].last_error is not None and "deferred" in rows[1].last_error
    assert rows[2].status == "done"


def _deliver_body(engine: Engine, body: str, event: str = "topic_edited", ignored: str | None = None) -> None:
    with engine.begin() as conn:
        insert_deliveries(conn, [delivery_row(
            event=event, event_type="topic", discourse_event_id=None, body_sha256=body,
            entity_kind="none" if ignored else "need", entity_key=None if ignored else "7", hint={},
            received_at=T0, ignored_because=ignored)])


def test_a_row_finished_as_ignored_may_share_its_body_with_one_the_intake_ignored(engine: Engine) -> None:
    # the fuzz found it: one signed body under its event and under a made-up name (the name is not
    # signed): the intake ignores the second; the worker then finds the first is no need either
    body = "b" * 64
    _deliver_body(engine, body)
    _deliver_body(engine, body, event="made_up_name", ignored="unknown event")

    def not_a_need(uow: Any, ref: EntityRef, now: datetime) -> str:
        return "ignored"

    result = Worker(_factory(engine), not_a_need, SETTINGS, "w1", Clock(), rng=random.Random(7)).run_once()

    assert result.error is None and sorted(r.status for r in _rows(engine).values()) == ["ignored", "ignored"]


def test_a_coalesced_row_finished_as_ignored_may_share_its_body_with_one_the_intake_ignored(
    engine: Engine
) -> None:
    first, second = "d" * 64, "e" * 64
    _deliver_body(engine, first)
    _deliver_body(engine, second)  # the same topic: served by the first row's refetch
    _deliver_body(engine, second, event="made_up_name", ignored="unknown event")

    def not_a_need(uow: Any, ref: EntityRef, now: datetime) -> str:
        return "ignored"

    result = Worker(_factory(engine), not_a_need, SETTINGS, "w1", Clock(), rng=random.Random(7)).run_once()

    assert result.error is None and {r.status for r in _rows(engine).values()} == {"ignored"}


def test_a_row_failing_while_its_body_came_again_ends_and_the_newer_row_reads_it(engine: Engine) -> None:
    body = "c" * 64
    _deliver_body(engine, body)

    def again_then_fail(ref: EntityRef) -> None:
        _deliver_body(engine, body)  # Discourse sends the same body again while the first row runs

    effects = Effects(failures={"7": RuntimeError("the forum said something odd")}, during=again_then_fail)
    _worker(engine, effects, Clock()).run_once(batch=1)

    rows = _rows(engine)
    assert [(r.id, r.status) for r in rows.values()] == [(1, "done"), (2, "pending")]
    assert rows[1].last_error is not None and "superseded" in rows[1].last_error


def test_a_killed_workers_rows_are_taken_over_when_its_lease_expires(engine: Engine) -> None:
    _deliver(engine, "person", "12")
    clock = Clock()
    uow_factory = _factory(engine)
    with uow_factory() as uow:  # worker "dead" claims, then dies without a word
        uow.inbox.claim("dead", clock(), 10, SETTINGS.lease_seconds)
        uow.commit()
    survivor = _worker(engine, Effects(), clock, "w2")

    before_expiry = survivor.run_once()
    clock.advance(SETTINGS.lease_seconds + 1)
    after_expiry = survivor.run_once()

    row = _rows(engine)[1]
    assert before_expiry.claimed == 0 and after_expiry.done == 1
    assert (row.status, row.attempts, row.leased_by) == ("done", 2, "w2")


def test_a_stale_worker_cannot_complete_nor_keep_its_effect(engine: Engine) -> None:
    _deliver(engine, "person", "12")
    clock = Clock()
    stale = _worker(engine, Effects(), clock, "stale")
    with stale.uow_factory() as uow:
        (claim,) = uow.inbox.claim("stale", clock(), 10, SETTINGS.lease_seconds)
        uow.commit()
    clock.advance(SETTINGS.lease_seconds + 1)
    _worker(engine, Effects(), clock, "fresh").run_once()

    result = BatchResult()
    stale.process(claim, result)

    row = _rows(engine)[1]
    assert result.lost == 1 and result.done == 0
    assert (row.status, row.leased_by, row.attempts) == ("done", "fresh", 2)
    assert _effects_written(engine) == 1  # the fresh worker's effect only


def test_two_rows_of_one_entity_are_never_leased_at_once(engine: Engine) -> None:
    _deliver(engine, "person", "12")
    _deliver(engine, "person", "12")
    _deliver(engine, "person", "13")
    uow_factory = _factory(engine)

    with uow_factory() as uow:
        first = uow.inbox.claim("a", T0, 10, 60)
        uow.commit()
    with uow_factory() as uow:
        second = uow.inbox.claim("b", T0, 10, 60)
        uow.commit()

    assert [(c.id, c.entity_key) for c in first] == [(1, "12"), (3, "13")]
    assert second == []


def test_stop_finishes_the_current_row_and_gives_back_the_rest(engine: Engine) -> None:
    for key in ("1", "2", "3"):
        _deliver(engine, "person", key)
    clock = Clock()
    effects = Effects()
    worker = _worker(engine, effects, clock)
    effects.during = lambda _ref: worker.stop.set()  # SIGTERM arrives while the first row runs

    result = worker.run_once()

    rows = _rows(engine)
    assert (result.done, result.released) == (1, 2)
    assert rows[1].status == "done"
    assert [(rows[i].status, rows[i].attempts, rows[i].leased_by) for i in (2, 3)] == [
        ("pending", 0, None), ("pending", 0, None)]


def test_run_forever_reconciles_on_schedule_and_stops_when_asked(engine: Engine) -> None:
    clock = Clock()
    settings = WorkerSettings(max_attempts=3, backoff_seconds=1, lease_seconds=60,
                              reconcile_interval_minutes=10)
    worker = _worker(engine, Effects(), clock, settings=settings)
    sweeps: list[datetime] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(60)
        if clock.now >= T0 + timedelta(minutes=35):
            worker.stop.set()

    worker.run_forever(reconcile=lambda _between: sweeps.append(clock.now), sleep=sleep,
                       idle_seconds=0.5)

    assert sweeps == [T0 + timedelta(minutes=m) for m in (10, 20, 30)]
    assert set(sleeps) == {0.5}


def test_webhook_rows_are_processed_between_the_entities_of_a_long_sweep(engine: Engine) -> None:
    clock = Clock()
    settings = WorkerSettings(max_attempts=3, backoff_seconds=1, lease_seconds=60,
                              reconcile_interval_minutes=1)
    effects = Effects()
    worker = _worker(engine, effects, clock, settings=settings)
    statuses_seen: list[str] = []

    def sweep(between: Callable[[], None]) -> None:
        _deliver(engine, "person", "12")  # a webhook lands while the sweep runs
        between()
        statuses_seen.append(_rows(engine)[1].status)
        worker.stop.set()

    worker.run_forever(reconcile=sweep, sleep=lambda _s: clock.advance(30))

    assert statuses_seen == ["done"]
    assert [c.key for c in effects.calls] == ["12"]


def test_a_database_failure_in_a_batch_pauses_the_worker_instead_of_ending_it(engine: Engine) -> None:
    from sqlalchemy.exc import OperationalError

    _deliver(engine, "person", "12")
    clock = Clock()

    failures = [1]

    class FlakyInbox(SqlInbox):
        def claim(self, *args: Any, **kwargs: Any) -> Any:
            if failures[0]:
                failures[0] -= 1
                raise OperationalError("UPDATE inbox_delivery", {}, Exception("database is locked"))
            return super().claim(*args, **kwargs)

    worker = Worker(_factory(engine, FlakyInbox), Effects(), SETTINGS, "w1", clock)
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            worker.stop.set()

    worker.run_forever(sleep=sleep, idle_seconds=0.5)

    assert pauses[0] >= SETTINGS.backoff_seconds and pauses[1] == 0.5
    assert _rows(engine)[1].status == "done"


def test_a_row_taken_over_while_waiting_in_a_batch_is_skipped_without_a_refetch(engine: Engine) -> None:
    _deliver(engine, "person", "12")
    clock = Clock()
    effects = Effects()
    slow = _worker(engine, effects, clock, "slow")
    uow_factory = _factory(engine)
    with uow_factory() as uow:
        (claim,) = uow.inbox.claim("slow", clock(), 10, SETTINGS.lease_seconds)
        uow.commit()
    clock.advance(SETTINGS.lease_seconds + 1)
    with uow_factory() as uow:
        uow.inbox.claim("other", clock(), 10, SETTINGS.lease_seconds)
        uow.commit()

    result = BatchResult()
    slow.process(claim, result)

    assert result.lost == 1 and effects.calls == []
    assert _rows(engine)[1].leased_by == "other"


@pytest.mark.postgres
def test_two_workers_in_parallel_never_process_a_row_twice(postgres_url: str) -> None:
    from tests.conftest import _reset_postgres

    _reset_postgres(postgres_url)
    upgrade(postgres_url)
    setup = make_engine(postgres_url)
    entities = [str(n) for n in range(20)]
    for n in range(80):
        _deliver(setup, "person", entities[n % len(entities)], at=T0 + timedelta(seconds=n))
    in_flight: set[str] = set()
    overlaps: list[str] = []
    claimed: list[tuple[str, int]] = []
    guard = threading.Lock()

    def during(ref: EntityRef) -> None:
        with guard:
            if ref.key in in_flight:
                overlaps.append(ref.key)
            in_flight.add(ref.key)
        time.sleep(0.001)
        with guard:
            in_flight.discard(ref.key)

    def run(name: str) -> None:
        engine = make_engine(postgres_url)
        def inbox(session: Session) -> SqlInbox:
            return _RecordingInbox(session, name, claimed, guard)

        worker = Worker(_factory(engine, inbox), Effects(during=during), SETTINGS, name,
                        lambda: T0 + timedelta(hours=1))
        while worker.run_once(batch=5).claimed:
            pass
        engine.dispose()

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    rows = _rows(setup)
    setup.dispose()
    assert overlaps == []
    ids = [row_id for _name, row_id in claimed]
    assert len(ids) == len(set(ids))
    assert {name for name, _id in claimed} == {"w0", "w1"}
    assert {r.status for r in rows.values()} == {"done"}


class _RecordingInbox(SqlInbox):
    """The real inbox, noting every row id it hands out."""

    def __init__(self, session: Session, name: str, claimed: list[tuple[str, int]], guard: Any) -> None:
        super().__init__(session)
        self.name, self.claimed, self.guard = name, claimed, guard

    def claim(self, *args: Any, **kwargs: Any) -> Any:
        claims = super().claim(*args, **kwargs)
        with self.guard:
            self.claimed.extend((self.name, c.id) for c in claims)
        return claims


def test_an_error_kept_on_a_row_does_not_keep_the_username_it_quotes(engine: Engine) -> None:
    _deliver(engine, "person", "lahcen.oubaha")
    error = ValueError("GET /u/lahcen.oubaha.json: unreadable JSON")

    _worker(engine, Effects(failures={"lahcen.oubaha": error}), Clock()).run_once()

    kept = _rows(engine)[1].last_error or ""
    assert kept.startswith("ValueError: GET /u/") and "lahcen" not in kept
