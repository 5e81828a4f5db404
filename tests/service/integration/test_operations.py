"""What an operator watches: /healthz, /readyz, /metrics and the workers' heartbeats, on both databases."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from sync_service import create_app
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery, OutboxIntent
from sync_service.adapters.db.vitals import HeartbeatRecorder, read_vitals
from sync_service.config import Settings

SECRET = "operations-test-secret-0123"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _app(database_url: str) -> Flask:
    return create_app(dataclasses.replace(Settings(), database_url=database_url, webhook_secrets=(SECRET,)))


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    upgrade(database_url)
    app = _app(database_url)
    yield app
    app.extensions["codev.webhooks"].writer.close()
    app.extensions["codev"].lazy_engine.dispose()


def _inbox(status: str, received: datetime, available: datetime | None = None) -> InboxDelivery:
    body = f"{status}{received.isoformat()}".encode().hex()[:64].ljust(64, "0")
    return InboxDelivery(event="user_updated", event_type="user", body_sha256=body, entity_kind="person",
                         entity_key="7", hint={}, received_at=received, status=status, attempts=0,
                         available_at=available or received)


def _outbox(key: str, status: str, created: datetime) -> OutboxIntent:
    return OutboxIntent(intent_key=key, kind="reply", payload={}, status=status, attempts=0,
                        created_at=created, available_at=created)


def _metrics(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True))
            for s in family.samples}


def test_healthz_answers_while_readyz_waits_for_a_migrated_database(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/later.db"
    make_engine(url, create=True).dispose()  # a file, but no schema yet
    app = _app(url)
    client = app.test_client()

    assert client.get("/healthz").status_code == 200
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503 and "codev db upgrade" in not_ready.json["reason"]  # type: ignore[index]

    upgrade(url)
    assert client.get("/readyz").json == {"status": "ready"}
    app.extensions["codev.webhooks"].writer.close()


def test_readyz_refuses_a_database_behind_the_newest_schema(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0007")

    answer = _app(url).test_client().get("/readyz")

    assert answer.status_code == 503 and "schema 0007" in answer.json["reason"]  # type: ignore[index]


def test_metrics_give_queue_depths_ages_parked_rows_and_worker_vitals(app: Flask) -> None:
    engine = app.extensions["codev"].lazy_engine
    with Session(engine) as session, session.begin():
        session.add_all([
            _inbox("pending", NOW - timedelta(minutes=30)), _inbox("pending", NOW - timedelta(minutes=1)),
            _inbox("parked", NOW - timedelta(days=1)), _inbox("done", NOW - timedelta(days=2)),
            _outbox("review:1", "pending", NOW - timedelta(minutes=5)), _outbox("review:2", "parked", NOW),
            _outbox("intro:2:3", "failed", NOW), _outbox("review:3", "sent", NOW),
        ])
    clock = [NOW - timedelta(minutes=2)]
    beat = HeartbeatRecorder(engine, "host:42", lambda: clock[0], rate_limited=lambda: 3, every=0)
    beat.passed(1.5)
    clock[0] = NOW - timedelta(seconds=20)
    beat.reconciled()

    values = _metrics(app)

    assert values[("codev_database_up", ())] == 1 and values[("codev_schema_current", ())] == 1
    assert values[("codev_inbox_depth", ())] == 2 and values[("codev_inbox_parked", ())] == 1
    assert values[("codev_inbox_rows", (("status", "done"),))] == 1
    assert values[("codev_inbox_oldest_waiting_age_seconds", ())] >= 30 * 60
    assert values[("codev_outbox_pending", ())] == 1 and values[("codev_outbox_parked", ())] == 2
    worker = (("worker", "host:42"),)
    assert values[("codev_worker_pass_duration_seconds", worker)] == 1.5
    assert values[("codev_worker_passes_total", worker)] == 1
    assert values[("codev_forum_rate_limited_total", worker)] == 3
    last = (NOW - timedelta(seconds=20)).timestamp()
    assert values[("codev_worker_last_pass_timestamp_seconds", worker)] == last
    assert values[("codev_last_reconciliation_timestamp_seconds", ())] == last


def test_metrics_say_the_database_is_down_instead_of_failing(tmp_path: object) -> None:
    app = _app(f"sqlite:///{tmp_path}/missing/codev.db")

    assert _metrics(app) == {("codev_database_up", ()): 0.0}


def test_a_heartbeat_is_written_at_most_every_few_seconds_and_old_workers_are_forgotten(
        database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    clock, ticks = [NOW - timedelta(days=8)], [0.0]
    gone = HeartbeatRecorder(engine, "gone:1", lambda: clock[0], lambda: 0, every=10,
                             monotonic=lambda: ticks[0])
    gone.passed(0.1)
    clock[0] = NOW
    beat = HeartbeatRecorder(engine, "host:1", lambda: clock[0], lambda: 0, every=10,
                             monotonic=lambda: ticks[0])
    beat.passed(0.2)
    ticks[0] = 5.0
    beat.passed(0.3)  # too soon: not written

    vitals = read_vitals(engine, NOW)

    assert [(b.worker_id, b.passes, b.pass_seconds) for b in vitals.heartbeats] == [("host:1", 1, 0.2)]
    engine.dispose()
