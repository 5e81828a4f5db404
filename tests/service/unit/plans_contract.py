"""The plan repository's contract, run on the fakes (unit/test_plans_contract.py) and on SQL, SQLite and
PostgreSQL (integration/test_plans_contract.py): records by organisation, the draft's topic read from the
sent `plan:<key>` intent, a confirmation noted once, and the outbox's `find`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sync_service.services.outbox import enqueue
from sync_service.services.ports.records import PlanRecord
from sync_service.services.ports.storage import Intent, UnitOfWork

Make = Callable[[], UnitOfWork]
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def record(key: str, row: int, organisation: str = "commune-anzi", fingerprint: str = "f1") -> PlanRecord:
    return PlanRecord(key, organisation, row, f"Projet {key}", fingerprint)


def test_contract_records_by_organisation_get_their_topic_once_the_draft_is_sent(make: Make) -> None:
    with make() as uow:
        for r in (record("k2", 7), record("k1", 5), record("t1", 5, "commune-tanalt")):
            uow.plans.save(r, T0)
            enqueue(uow, Intent(f"plan:{r.key}", "create_topic", {"title": r.title, "raw": "x" * 30}), T0)
        uow.commit()
    with make() as uow:
        [row, *_] = uow.outbox.claim("w", T0, 10, 60)
        assert uow.outbox.mark_sent(row, T0, 901, 9001)
        uow.commit()

    with make() as uow:
        anzi = uow.plans.of_organisation("commune-anzi")
        by_topic = uow.plans.by_topic(901)
        found = uow.outbox.find(f"plan:{row.key.removeprefix('plan:')}")

    assert [(r.key, r.row) for r in anzi] == [("k1", 5), ("k2", 7)]
    sent_key = row.key.removeprefix("plan:")
    assert [r.topic_id for r in anzi] == [901 if r.key == sent_key else None for r in anzi]
    assert by_topic is not None and by_topic.key == sent_key and by_topic.topic_id == 901
    assert found is not None and found.status == "sent" and found.topic_id == 901


def test_contract_a_confirmation_is_noted_once_and_kept_when_the_record_is_saved_again(make: Make) -> None:
    with make() as uow:
        uow.plans.save(record("k1", 5), T0)
        uow.commit()
    with make() as uow:
        first = uow.plans.confirm("k1", T0 + timedelta(hours=1))
        again = uow.plans.confirm("k1", T0 + timedelta(hours=2))
        unknown = uow.plans.confirm("nope", T0)
        uow.plans.save(record("k1", 6, fingerprint="f2"), T0 + timedelta(hours=3))
        uow.commit()
    with make() as uow:
        [stored] = uow.plans.of_organisation("commune-anzi")
        missing = uow.outbox.find("plan:k1")

    assert (first, again, unknown) == (True, False, False)
    assert stored.confirmed_at == T0 + timedelta(hours=1) and (stored.row, stored.fingerprint) == (6, "f2")
    assert missing is None and stored.topic_id is None
