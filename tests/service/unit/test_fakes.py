"""The fakes of the ports behave as what they stand for: the storage contract (shared with the SQL
repositories' run in integration/test_storage_contract.py), and the forum, writer and ranker fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.domain.posts import marker
from sync_service.services.outbox import enqueue, send_due
from sync_service.services.ports.forum import ForumUnavailable, UnclearOutcome, WriteRefused
from sync_service.services.ports.storage import Intent, UnitOfWork
from tests.service.unit.campaign_contract import *  # noqa: F403 (the campaigns' contract, on the fakes)
from tests.service.unit.fakes import (
    ConcurrentWrite,
    FakeForum,
    FakeRanker,
    FakeStore,
    FakeUnitOfWork,
    FakeWriter,
    ranked,
)
from tests.service.unit.fakes.forum import FIRST_THREAD_ID
from tests.service.unit.followup_contract import *  # noqa: F403 (the follow-up's contract, on the fakes)
from tests.service.unit.history_contract import *  # noqa: F403 (the report's facts, on the fakes)
from tests.service.unit.storage_contract import *  # noqa: F403 (the contract's tests run here, on the fakes)
from tests.service.unit.storage_contract import FATIMA, LAHCEN, NEED, OTHER_NEED, Deliver, at, intro


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def make(store: FakeStore) -> Callable[[], UnitOfWork]:
    return lambda: FakeUnitOfWork(store)


@pytest.fixture
def deliver(store: FakeStore) -> Deliver:
    def deliver(entity_kind: str, entity_key: str, at: datetime, event: str = "user_updated") -> None:
        store.deliver(event, entity_kind, entity_key, at)

    return deliver


# --- the fake unit of work: isolation -------------------------------------------------------------

def test_a_unit_sees_another_units_changes_only_once_they_are_committed(store: FakeStore) -> None:
    writer, reader = FakeUnitOfWork(store), FakeUnitOfWork(store)
    writer.digests.record(LAHCEN, [NEED], at(0))

    assert reader.digests.listed(LAHCEN) == set()
    writer.commit()
    assert reader.digests.listed(LAHCEN) == set()  # its snapshot is the one it began with
    with reader:
        assert reader.digests.listed(LAHCEN) == {NEED}


def test_two_units_writing_at_once_fail_loudly_instead_of_losing_a_write(store: FakeStore) -> None:
    first, second = FakeUnitOfWork(store), FakeUnitOfWork(store)
    first.digests.record(LAHCEN, [NEED], at(0))
    second.digests.record(FATIMA, [NEED], at(0))
    first.commit()

    with pytest.raises(ConcurrentWrite):
        second.commit()
    assert FakeUnitOfWork(store).digests.listed(LAHCEN) == {NEED}


# --- the forum, its writer and the sender ----------------------------------------------------------

def pm_intent(key: str = "intro:7:42") -> Intent:
    return Intent(key, "private_message", {"title": "Mise en relation", "raw": "Bonjour",
                                           "target_recipients": ["lahcen.oubaha", "animateurs"]},
                  person_id=LAHCEN)


def test_what_the_sender_writes_lands_in_the_forum_with_its_marker_and_ids_in_the_outbox(
    store: FakeStore,
) -> None:
    forum = FakeForum()
    writer = FakeWriter(forum)
    with FakeUnitOfWork(store) as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        enqueue(uow, pm_intent(), at(0))
        reminder = Intent("intro:7:42:reminder", "reply", {"raw": "Rappel"}, depends_on="intro:7:42")
        enqueue(uow, reminder, at(0))
        uow.commit()

    first = send_due(lambda: FakeUnitOfWork(store), writer, "w", lambda: at(1))
    second = send_due(lambda: FakeUnitOfWork(store), writer, "w", lambda: at(2))

    assert (first.sent, second.sent) == (1, 1)
    [thread] = forum.threads.values()
    assert thread.recipients == ("lahcen.oubaha", "animateurs")
    assert [marker("intro:7:42") in thread.first.raw, marker("intro:7:42:reminder") in thread.posts[1].raw] \
        == [True, True]
    found = FakeUnitOfWork(store).introductions.by_pm_topic(thread.topic_id)
    assert found is not None and found.pm_topic_id == thread.topic_id


def test_an_unclear_write_that_reached_the_forum_is_found_by_its_marker_not_sent_twice(
    store: FakeStore,
) -> None:
    forum = FakeForum()
    writer = FakeWriter(forum)
    writer.fail_next(UnclearOutcome("timeout"), written=True)
    with FakeUnitOfWork(store) as uow:
        enqueue(uow, pm_intent(), at(0))
        uow.commit()

    first = send_due(lambda: FakeUnitOfWork(store), writer, "w", lambda: at(1))
    later = send_due(lambda: FakeUnitOfWork(store), writer, "w", lambda: at(5))

    assert (first.retried, later.found, len(forum.threads)) == (1, 1, 1)
    assert writer.located == ["intro:7:42"]
    row = store.intent("intro:7:42")
    assert row is not None and row.status == "sent" and row.topic_id == FIRST_THREAD_ID


def test_the_writer_refuses_a_second_topic_for_one_intent_and_a_reply_to_no_topic() -> None:
    writer = FakeWriter(FakeForum())
    writer.send("private_message", pm_intent().payload, "intro:7:42")

    with pytest.raises(WriteRefused) as taken:
        writer.send("private_message", pm_intent().payload, "intro:7:42")
    with pytest.raises(WriteRefused):
        writer.send("reply", {"topic_id": 5, "raw": "?"}, "intro:7:42:late")
    assert taken.value.status == 422


def test_the_writer_edits_posts_closes_topics_and_fails_as_told() -> None:
    forum = FakeForum()
    writer = FakeWriter(forum)
    posted = writer.send("create_topic", {"title": "Revue", "raw": "v0", "category": 5}, "review:7")
    assert posted.post_id is not None and posted.topic_id is not None
    writer.fail_next(ForumUnavailable("503"), key_prefix="review:7:r")

    with pytest.raises(ForumUnavailable):
        writer.send("edit_post", {"raw": "v1", "post_id": posted.post_id}, "review:7:r1")
    writer.send("edit_post", {"raw": "v1", "post_id": posted.post_id, "edit_reason": "new"}, "review:7:r1")
    writer.send("close_topic", {"topic_id": posted.topic_id}, "review:7:close")

    thread = forum.threads[posted.topic_id]
    assert (thread.first.raw, thread.first.edit_reasons, thread.closed, thread.category) == (
        "v1", ["new"], True, 5)
    assert writer.keys() == ["review:7", "review:7:r1", "review:7:close"]


def test_the_thread_reader_shows_the_posts_after_a_number_with_who_wrote_them() -> None:
    forum = FakeForum()
    forum.add_user(3, "nadia", groups=("animateurs",))
    forum.add_user(1, "admin", staff=True)
    thread = forum.open_thread("Revue", "v0", "codev", category=5)
    forum.post(thread.topic_id, "nadia", "approuver 1")
    forum.post(thread.topic_id, "admin", "servi")
    forum.tag(thread.topic_id, "approuver-2")

    snapshot = forum.thread(thread.topic_id, 2)

    assert snapshot is not None and snapshot.tags == ("approuver-2",) and not snapshot.closed
    assert [(p.post_number, p.username, p.user_id, p.staff) for p in snapshot.posts] == [
        (3, "admin", 1, True)]
    assert forum.groups_of("Nadia") == ("animateurs",) and forum.groups_of("nobody") is None
    thread.deleted = True
    assert forum.thread(thread.topic_id, 0) is None


def test_the_ranker_ranks_by_its_table_without_the_excluded_and_only_what_it_indexed() -> None:
    ranker = FakeRanker()
    ranker.put(NEED, ranked(LAHCEN, "lahcen", 0.9, "hydraulique"), ranked(FATIMA, "fatima"),
               ranked(44, "omar"))
    ranker.put(OTHER_NEED, ranked(LAHCEN, "lahcen"))

    assert [c.user_id for c in ranker.rank(NEED, 2, {LAHCEN}, "fr")] == [FATIMA, 44]
    assert ranker.reasons(NEED, LAHCEN, "fr") == ("hydraulique",)
    ranker.refresh([ExpertProfile(LAHCEN, "lahcen"), ExpertProfile(44, "omar")],
                   [NeedDetails(NEED, "Eau", 1, "elu")], {})
    assert [c.user_id for c in ranker.rank(NEED, 5, set(), "fr")] == [LAHCEN, 44]
    assert ranker.rank(OTHER_NEED, 5, set(), "fr") == [] and ranker.reasons(NEED, FATIMA, "fr") == ()


def test_a_transaction_begins_at_the_first_statement_after_a_rollback(store: FakeStore) -> None:
    reader = FakeUnitOfWork(store)
    assert reader.digests.listed(LAHCEN) == set()
    reader.rollback()
    with FakeUnitOfWork(store) as writer:
        writer.digests.record(LAHCEN, [NEED], at(0))
        writer.commit()

    assert reader.digests.listed(LAHCEN) == {NEED}
