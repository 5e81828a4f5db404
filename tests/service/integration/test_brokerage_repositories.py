"""Brokerage storage on SQLite and PostgreSQL: introductions, review threads, digests, the outbox rows
about a person, and forgetting a person or a need removing all of it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from sync_service.adapters.db import outbox as db_outbox
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork, uow_factory
from sync_service.domain.brokerage import (
    ACCEPTED,
    DECLINED,
    Delays,
    Introduction,
    ReviewThread,
    ShownCandidate,
    answered,
    intent_keys,
    open_introduction,
    review_key,
)
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.forget import forget_need, forget_person
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
DELAYS = Delays(reminder=timedelta(days=3), expiry=timedelta(days=4))
NEED, OTHER_NEED = 7, 8
LAHCEN, FATIMA = 42, 43
Make = Callable[[], SqlUnitOfWork]


@pytest.fixture
def make(database_url: str) -> Iterator[Callable[[], SqlUnitOfWork]]:
    upgrade(database_url)
    engine: Engine = make_engine(database_url)
    yield uow_factory(engine)
    engine.dispose()


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def intro(need: int, expert: int, minutes: int = 0, name: str = "lahcen.oubaha") -> Introduction:
    return open_introduction(need, expert, name, at(minutes), DELAYS, reviewed=True, approved_by="nadia")


def pm(need: int, expert: int) -> Intent:
    return Intent(intent_keys(need, expert)["pm"], "private_message",
                  {"title": "Mise en relation", "raw": "Bonjour", "target_recipients": "lahcen.oubaha"},
                  person_id=expert)


def send_all(uow: SqlUnitOfWork, ids: dict[str, tuple[int, int]]) -> None:
    """Mark every due row sent with the given (topic_id, post_id), as the sender would."""
    for row in uow.outbox.claim("test", at(1), 100, 60):
        topic_id, post_id = ids[row.key]
        assert uow.outbox.mark_sent(row, at(1), topic_id, post_id)


def test_an_introduction_is_stored_once_and_read_back_with_aware_dates(make: Make) -> None:
    first = intro(NEED, LAHCEN)
    with make() as uow:
        assert uow.introductions.add(first) is True
        assert uow.introductions.add(dataclasses.replace(first, expert_username="other")) is False
        uow.commit()

    with make() as uow:
        stored = uow.introductions.get(NEED, LAHCEN)
        assert stored == first
        assert stored is not None and stored.expire_at.tzinfo is not None and stored.pm_topic_id is None
        assert uow.introductions.get(NEED, FATIMA) is None


def test_save_updates_status_dates_and_read_position(make: Make) -> None:
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        uow.commit()
    with make() as uow:
        current = uow.introductions.get(NEED, LAHCEN, lock=True)
        assert current is not None
        later = dataclasses.replace(answered(current, True, at(30)), last_post_number=4, reminded_at=at(20))
        uow.introductions.save(later)
        uow.commit()

    with make() as uow:
        assert uow.introductions.get(NEED, LAHCEN) == later
        assert later.status == ACCEPTED and later.answered_at == at(30)


def test_of_need_pending_and_loads(make: Make) -> None:
    with make() as uow:
        uow.introductions.add(intro(NEED, FATIMA, 5, "fatima"))
        uow.introductions.add(intro(NEED, LAHCEN, 1))
        uow.introductions.add(intro(OTHER_NEED, LAHCEN, 2))
        declined = answered(intro(OTHER_NEED, FATIMA, 3, "fatima"), False, at(10))
        uow.introductions.add(declined)
        uow.introductions.save(answered(intro(NEED, LAHCEN, 1), True, at(11)))
        uow.commit()

    with make() as uow:
        assert [i.expert_user_id for i in uow.introductions.of_need(NEED)] == [LAHCEN, FATIMA]
        assert {(i.need_topic_id, i.expert_user_id) for i in uow.introductions.pending()} == {
            (NEED, FATIMA), (OTHER_NEED, LAHCEN)}
        assert uow.introductions.loads() == {LAHCEN: 2, FATIMA: 1}
        assert declined.status == DECLINED


def test_pm_topic_comes_from_the_sent_outbox_row_and_finds_the_introduction(
    make: Make,
) -> None:
    reminder = Intent(intent_keys(NEED, LAHCEN)["reminder"], "reply", {"raw": "Rappel"},
                      depends_on=intent_keys(NEED, LAHCEN)["pm"], person_id=LAHCEN)
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        uow.commit()
    with make() as uow:
        assert uow.introductions.get(NEED, LAHCEN).pm_topic_id is None  # type: ignore[union-attr]
        assert uow.introductions.by_pm_topic(900) is None
        send_all(uow, {intent_keys(NEED, LAHCEN)["pm"]: (900, 9001)})
        enqueue(uow, reminder, at(1))
        uow.commit()
    with make() as uow:
        send_all(uow, {reminder.key: (900, 9002)})  # the reminder lives in the same topic
        uow.commit()

    with make() as uow:
        assert uow.introductions.get(NEED, LAHCEN).pm_topic_id == 900  # type: ignore[union-attr]
        assert [i.pm_topic_id for i in uow.introductions.of_need(NEED)] == [900]
        found = uow.introductions.by_pm_topic(900)
        assert found is not None and (found.need_topic_id, found.expert_user_id) == (NEED, LAHCEN)
        assert uow.introductions.by_pm_topic(901) is None


def test_forget_expert_and_forget_need_delete_introductions(make: Make) -> None:
    with make() as uow:
        for need, expert in ((NEED, LAHCEN), (NEED, FATIMA), (OTHER_NEED, LAHCEN), (OTHER_NEED, FATIMA)):
            uow.introductions.add(intro(need, expert))
        uow.commit()
    with make() as uow:
        assert uow.introductions.forget_expert(LAHCEN) == 2
        assert uow.introductions.forget_need(OTHER_NEED) == 1
        uow.commit()

    with make() as uow:
        assert [(i.need_topic_id, i.expert_user_id) for i in uow.introductions.pending()] == [(NEED, FATIMA)]
        assert uow.introductions.add(intro(NEED, LAHCEN)) is True  # the pair is free again


SHOWN = (ShownCandidate(LAHCEN, "lahcen.oubaha"), ShownCandidate(FATIMA, "fatima"))


def test_review_thread_save_get_and_by_topic(make: Make) -> None:
    thread = ReviewThread(NEED, revision=0, content_hash="abc", shown=SHOWN, locale="ar")
    with make() as uow:
        uow.reviews.save(thread)
        enqueue(uow, Intent(review_key(NEED), "create_topic", {"title": "Revue", "raw": "..."}), at(0))
        uow.commit()
    with make() as uow:
        assert uow.reviews.get(NEED) == thread
        send_all(uow, {review_key(NEED): (500, 5001)})
        enqueue(uow, Intent(review_key(NEED, 1), "edit_post", {"raw": "v2"}, depends_on=review_key(NEED)),
                at(1))
        uow.reviews.save(dataclasses.replace(thread, revision=1, content_hash="def", last_post_number=3))
        uow.commit()
    with make() as uow:
        # the forum still shows revision 0: a rank in a reply would name the previous ranking's candidate
        assert uow.reviews.get(NEED).published is False  # type: ignore[union-attr]
        send_all(uow, {review_key(NEED, 1): (500, 5001)})
        uow.commit()

    with make() as uow:
        stored = uow.reviews.get(NEED, lock=True)
        assert stored == dataclasses.replace(thread, revision=1, content_hash="def", last_post_number=3,
                                             topic_id=500, post_id=5001, published=True)
        assert uow.reviews.by_topic(500) == stored
        assert uow.reviews.by_topic(501) is None
        assert uow.reviews.get(OTHER_NEED) is None


def test_review_handled_tags_round_trip(make: Make) -> None:
    with make() as uow:
        uow.reviews.save(ReviewThread(NEED, shown=SHOWN))
        uow.commit()
    with make() as uow:
        assert uow.reviews.get(NEED).handled_tags == ()  # type: ignore[union-attr]
        uow.reviews.save(ReviewThread(NEED, shown=SHOWN, handled_tags=("approuver-1", "approuver-2")))
        uow.commit()
    with make() as uow:
        assert uow.reviews.get(NEED, lock=True).handled_tags == ("approuver-1", "approuver-2")  # type: ignore[union-attr]
        uow.reviews.save(ReviewThread(NEED, shown=SHOWN, handled_tags=("approuver-2",)))
        uow.commit()
    with make() as uow:
        assert uow.reviews.get(NEED).handled_tags == ("approuver-2",)  # type: ignore[union-attr]


def test_review_forget_expert_and_delete(make: Make) -> None:
    with make() as uow:
        uow.reviews.save(ReviewThread(NEED, shown=SHOWN))
        uow.reviews.save(ReviewThread(OTHER_NEED, shown=SHOWN[1:]))
        uow.commit()
    with make() as uow:
        assert uow.reviews.forget_expert(LAHCEN) == 1
        uow.commit()
    with make() as uow:
        assert uow.reviews.get(NEED).shown == SHOWN[1:]  # type: ignore[union-attr]
        assert uow.reviews.delete(NEED) is True
        assert uow.reviews.delete(NEED) is False
        uow.commit()
    with make() as uow:
        assert uow.reviews.get(NEED) is None and uow.reviews.get(OTHER_NEED) is not None


def test_digests_record_listed_last_sent_and_forget(make: Make) -> None:
    with make() as uow:
        assert uow.digests.last_sent(LAHCEN) is None and uow.digests.listed(LAHCEN) == set()
        uow.digests.record(LAHCEN, [NEED, OTHER_NEED, NEED], at(0))
        uow.digests.record(FATIMA, [NEED], at(1))
        uow.commit()
    with make() as uow:
        uow.digests.record(LAHCEN, [9, NEED], at(60))
        uow.commit()

    with make() as uow:
        assert uow.digests.listed(LAHCEN) == {NEED, OTHER_NEED, 9}
        assert uow.digests.last_sent(LAHCEN) == at(60)
        assert uow.digests.forget_expert(LAHCEN) == 3
        assert uow.digests.listed(LAHCEN) == set() and uow.digests.last_sent(FATIMA) == at(1)


def test_outbox_forget_person_deletes_unsent_rows_and_blanks_sent_ones(make: Make) -> None:
    with make() as uow:
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        enqueue(uow, pm(NEED, FATIMA), at(0))
        uow.commit()
    with make() as uow:
        send_all(uow, {intent_keys(NEED, LAHCEN)["pm"]: (900, 9001),
                       intent_keys(NEED, FATIMA)["pm"]: (901, 9011)})
        enqueue(uow, pm(OTHER_NEED, LAHCEN), at(2))  # still pending
        uow.commit()

    with make() as uow:
        assert uow.outbox.forget_person(LAHCEN) == 2
        uow.commit()
    with make() as uow:
        sent = db_outbox.find(uow.session, intent_keys(NEED, LAHCEN)["pm"])
        assert sent is not None and sent.payload == {} and sent.topic_id == 900
        assert db_outbox.find(uow.session, intent_keys(OTHER_NEED, LAHCEN)["pm"]) is None
        kept = db_outbox.find(uow.session, intent_keys(NEED, FATIMA)["pm"])
        assert kept is not None and kept.payload["raw"] == "Bonjour"


def test_expert_digest_choice_is_stored(make: Make) -> None:
    with make() as uow:
        uow.experts.save(ExpertProfile(LAHCEN, "lahcen.oubaha", digest=True), at(0), at(0))
        uow.experts.save(ExpertProfile(FATIMA, "fatima"), at(0), at(0))
        uow.commit()
    with make() as uow:
        assert uow.experts.get(LAHCEN).profile.digest is True  # type: ignore[union-attr]
        assert uow.experts.get(FATIMA).profile.digest is False  # type: ignore[union-attr]


def test_forgetting_a_person_removes_their_brokerage_traces(make: Make) -> None:
    with make() as uow:
        uow.experts.save(ExpertProfile(LAHCEN, "lahcen.oubaha"), at(0), at(0))
        uow.introductions.add(intro(NEED, LAHCEN))
        uow.introductions.add(intro(NEED, FATIMA, name="fatima"))
        uow.reviews.save(ReviewThread(NEED, shown=SHOWN))
        uow.digests.record(LAHCEN, [NEED], at(0))
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        uow.commit()

    with make() as uow:
        assert forget_person(uow, LAHCEN, "lahcen.oubaha", at(5), gone=True) is True
        uow.commit()
    with make() as uow:
        assert [i.expert_user_id for i in uow.introductions.of_need(NEED)] == [FATIMA]
        assert uow.reviews.get(NEED).shown == SHOWN[1:]  # type: ignore[union-attr]
        assert uow.digests.listed(LAHCEN) == set()
        assert db_outbox.find(uow.session, intent_keys(NEED, LAHCEN)["pm"]) is None
        assert uow.experts.get(LAHCEN) is None


def test_forgetting_a_person_codev_only_introduced_still_purges(make: Make) -> None:
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        uow.commit()
    with make() as uow:
        assert forget_person(uow, LAHCEN, None, at(5), gone=False) is True
        uow.commit()
    with make() as uow:
        assert uow.introductions.of_need(NEED) == []


def test_forgetting_a_need_removes_its_introductions_and_review_state(make: Make) -> None:
    need = NeedDetails(NEED, "Eau potable à Anzi", 12, "rkia.ouali")
    with make() as uow:
        uow.needs.save(need, at(0), at(0))
        uow.introductions.add(intro(NEED, LAHCEN))
        uow.introductions.add(intro(OTHER_NEED, LAHCEN))
        uow.reviews.save(ReviewThread(NEED, shown=SHOWN))
        uow.commit()

    with make() as uow:
        assert forget_need(uow, NEED, at(5), gone=True) is True
        uow.commit()
    with make() as uow:
        assert uow.introductions.of_need(NEED) == [] and uow.reviews.get(NEED) is None
        assert len(uow.introductions.of_need(OTHER_NEED)) == 1
