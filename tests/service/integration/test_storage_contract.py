"""The storage contract the fakes are held to (tests/service/unit/storage_contract.py), run on the SQL
unit of work, on SQLite and PostgreSQL: what the fakes do, the database does."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.inbox import delivery_row, insert_deliveries
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.outbox import find
from sync_service.adapters.db.unit_of_work import uow_factory
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent, UnitOfWork
from tests.service.unit.campaign_contract import *  # noqa: F403 (the campaigns' contract, on SQL)
from tests.service.unit.followup_contract import *  # noqa: F403 (the follow-up's contract, on SQL)
from tests.service.unit.history_contract import *  # noqa: F403 (the report's facts, on SQL)
from tests.service.unit.storage_contract import *  # noqa: F403 (the contract's tests run here, on SQL)
from tests.service.unit.storage_contract import Deliver


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def make(engine: Engine) -> Callable[[], UnitOfWork]:
    return uow_factory(engine)


@pytest.fixture
def deliver(engine: Engine) -> Deliver:
    def deliver(entity_kind: str, entity_key: str, at: datetime, event: str = "user_updated") -> None:
        with engine.begin() as conn:
            insert_deliveries(conn, [delivery_row(
                event=event, event_type=event.split("_")[0], discourse_event_id=None,
                body_sha256=uuid.uuid4().hex * 2, entity_kind=entity_kind, entity_key=entity_key, hint={},
                received_at=at)])

    return deliver


def test_a_request_about_a_forgotten_person_keeps_no_payload_once_sent(
    engine: Engine, make: Callable[[], UnitOfWork],
) -> None:
    forget = Intent("profile-forget:42:1", "forget_user_profile", {"user_id": 42, "username": "lahcen"})
    answer = Intent("intro:7:43", "private_message", {"title": "t", "raw": "r", "target_recipients": ["f"]})
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with make() as uow:
        enqueue(uow, forget, now)
        enqueue(uow, answer, now)
        uow.commit()
    with make() as uow:
        rows = uow.outbox.claim("sender", now, 10, 60)
        for row in rows:
            assert uow.outbox.mark_sent(row, now, None, None)
        uow.commit()

    with Session(engine) as session:
        sent_forget, sent_answer = find(session, forget.key), find(session, answer.key)
    assert sent_forget is not None and sent_forget.status == "sent" and sent_forget.payload == {}
    assert sent_answer is not None and sent_answer.payload["raw"] == "r"  # other kinds keep theirs
