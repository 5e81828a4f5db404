"""What every implementation of ports.storage.UnitOfWork must do, on the points the use cases rely on.

Written against the port only, and run twice: on the fakes (unit/test_fakes.py, milliseconds) and on
SQLite and PostgreSQL (integration/test_storage_contract.py), so that the fakes the use-case tests run
on are held to the behaviour of the SQL repositories. A module that imports these tests provides two
fixtures: `make` (a factory of units of work on one fresh store) and `deliver` (an inbox row, as the
webhook intake writes one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sync_service.domain.brokerage import (
    Delays,
    Introduction,
    ReviewThread,
    ShownCandidate,
    Volunteer,
    answered,
    intent_keys,
    open_introduction,
    review_key,
)
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent, NeedTitle, OutboxRow, UnitOfWork

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
DELAYS = Delays(reminder=timedelta(days=3), expiry=timedelta(days=4))
NEED, OTHER_NEED = 7, 8
LAHCEN, FATIMA = 42, 43
Make = Callable[[], UnitOfWork]


class Deliver(Protocol):
    def __call__(self, entity_kind: str, entity_key: str, at: datetime, event: str = ...) -> None: ...


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def intro(need: int, expert: int, minutes: float = 0, name: str = "lahcen.oubaha") -> Introduction:
    return open_introduction(need, expert, name, at(minutes), DELAYS, reviewed=True, approved_by="nadia")


def pm(need: int, expert: int) -> Intent:
    return Intent(intent_keys(need, expert)["pm"], "private_message",
                  {"title": "Mise en relation", "raw": "Bonjour", "target_recipients": ["lahcen.oubaha"]},
                  person_id=expert)


def reply(key: str, depends_on: str, person_id: int | None = None) -> Intent:
    return Intent(key, "reply", {"raw": "Rappel"}, depends_on=depends_on, person_id=person_id)


def send(make: Make, sent: dict[str, tuple[int | None, int | None]], minutes: float = 1) -> list[str]:
    """Claim what is due and mark it sent where the forum would put it; the keys claimed."""
    with make() as uow:
        rows = uow.outbox.claim("sender", at(minutes), 100, 60)
        for row in rows:
            assert uow.outbox.mark_sent(row, at(minutes), *sent.get(row.key, (None, None)))
        uow.commit()
    return [row.key for row in rows]


def claim(make: Make, minutes: float = 1, worker: str = "sender", lease: float = 60) -> list[OutboxRow]:
    with make() as uow:
        rows = uow.outbox.claim(worker, at(minutes), 100, lease)
        uow.commit()
    return rows


# --- the unit of work ------------------------------------------------------------------------------

def test_contract_what_a_unit_does_not_commit_is_gone(make: Make) -> None:
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
    with make() as uow:
        uow.introductions.add(intro(NEED, FATIMA, name="fatima"))
        uow.rollback()
        uow.introductions.add(intro(OTHER_NEED, FATIMA, name="fatima"))
        uow.commit()

    with make() as uow:
        assert uow.introductions.get(NEED, LAHCEN) is None and uow.introductions.get(NEED, FATIMA) is None
        assert uow.introductions.get(OTHER_NEED, FATIMA) is not None


# --- introductions ---------------------------------------------------------------------------------

def test_contract_an_introduction_is_added_once_and_saved_in_place(make: Make) -> None:
    first = intro(NEED, LAHCEN)
    with make() as uow:
        assert uow.introductions.add(first) is True
        assert uow.introductions.add(dataclasses.replace(first, expert_username="other")) is False
        uow.commit()
    later = dataclasses.replace(answered(first, True, at(30)), last_post_number=4, reminded_at=at(20))
    with make() as uow:
        uow.introductions.save(later)
        uow.commit()

    with make() as uow:
        assert uow.introductions.get(NEED, LAHCEN) == later


def test_contract_of_need_pending_and_loads(make: Make) -> None:
    with make() as uow:
        uow.introductions.add(intro(NEED, FATIMA, 5, "fatima"))
        uow.introductions.add(intro(NEED, LAHCEN, 1))
        uow.introductions.add(intro(OTHER_NEED, LAHCEN, 2))
        uow.introductions.add(answered(intro(OTHER_NEED, FATIMA, 3, "fatima"), False, at(10)))
        uow.introductions.save(answered(intro(NEED, LAHCEN, 1), True, at(11)))
        uow.commit()

    with make() as uow:
        assert [i.expert_user_id for i in uow.introductions.of_need(NEED)] == [LAHCEN, FATIMA]
        assert [(i.need_topic_id, i.expert_user_id) for i in uow.introductions.pending()] == [
            (OTHER_NEED, LAHCEN), (NEED, FATIMA)]  # by expiry date
        assert uow.introductions.loads() == {LAHCEN: 2, FATIMA: 1}  # pending or accepted


def test_contract_the_pm_topic_is_known_once_its_outbox_row_is_sent(make: Make) -> None:
    keys = intent_keys(NEED, LAHCEN)
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        uow.commit()
    with make() as uow:
        introduction = uow.introductions.get(NEED, LAHCEN)
        assert introduction is not None and introduction.pm_topic_id is None
    claimed = claim(make)
    with make() as uow:
        assert uow.introductions.by_pm_topic(900) is None  # claimed is not sent
        assert uow.outbox.mark_sent(claimed[0], at(1), 900, 9001)
        enqueue(uow, reply(keys["reminder"], keys["pm"], LAHCEN), at(1))
        uow.commit()
    send(make, {keys["reminder"]: (900, 9002)}, 2)  # the reminder lives in the same topic

    with make() as uow:
        assert [i.pm_topic_id for i in uow.introductions.of_need(NEED)] == [900]
        assert [i.pm_topic_id for i in uow.introductions.pending()] == [900]
        found = uow.introductions.by_pm_topic(900)
        assert found is not None and (found.need_topic_id, found.expert_user_id) == (NEED, LAHCEN)
        assert uow.introductions.by_pm_topic(901) is None


def test_contract_forgetting_an_expert_or_a_need_deletes_their_introductions(make: Make) -> None:
    with make() as uow:
        for need, expert in ((NEED, LAHCEN), (NEED, FATIMA), (OTHER_NEED, LAHCEN), (OTHER_NEED, FATIMA)):
            uow.introductions.add(intro(need, expert))
        uow.commit()

    with make() as uow:
        assert uow.introductions.forget_expert(LAHCEN) == 2
        assert uow.introductions.forget_need(OTHER_NEED) == 1
        assert [(i.need_topic_id, i.expert_user_id) for i in uow.introductions.pending()] == [(NEED, FATIMA)]


# --- review threads --------------------------------------------------------------------------------

def test_contract_a_review_thread_takes_its_topic_from_the_first_row_and_is_published_with_the_latest(
    make: Make,
) -> None:
    create = Intent(review_key(NEED), "create_topic", {"title": "Revue", "raw": "v0", "category": 5})
    edit = Intent(review_key(NEED, 1), "edit_post", {"raw": "v1"}, depends_on=review_key(NEED))
    answer = Intent(f"{review_key(NEED)}:p2", "reply", {"raw": "?", "topic_id": 900})
    shown = (ShownCandidate(LAHCEN, "lahcen.oubaha"), ShownCandidate(FATIMA, "fatima"))
    with make() as uow:
        uow.reviews.save(ReviewThread(NEED, content_hash="h0", shown=shown, locale="ar"))
        enqueue(uow, create, at(0))
        uow.commit()
    with make() as uow:
        thread = uow.reviews.get(NEED)
        assert thread is not None
        assert (thread.topic_id, thread.post_id, thread.published) == (None, None, False)
    send(make, {create.key: (900, 9001)})
    with make() as uow:
        thread = uow.reviews.get(NEED)
        assert thread is not None and (thread.topic_id, thread.post_id, thread.published) == (900, 9001, True)
        uow.reviews.save(dataclasses.replace(thread, revision=1, content_hash="h1", last_post_number=3))
        enqueue(uow, edit, at(1))
        enqueue(uow, answer, at(1))
        uow.commit()
    with make() as uow:
        thread = uow.reviews.get(NEED)
        assert thread is not None and thread.published is False  # the forum still shows v0
    send(make, {edit.key: (900, 9001), answer.key: (900, 9003)}, 2)

    with make() as uow:
        thread = uow.reviews.get(NEED)
        assert thread is not None and thread.published is True and thread.shown == shown
        assert (thread.revision, thread.content_hash, thread.last_post_number, thread.locale) == (
            1, "h1", 3, "ar")
        assert uow.reviews.by_topic(900) == thread and uow.reviews.by_topic(901) is None


def test_contract_forgetting_an_expert_drops_them_from_every_review_listing(make: Make) -> None:
    with make() as uow:
        uow.reviews.save(ReviewThread(NEED, shown=(ShownCandidate(LAHCEN, "l"), ShownCandidate(FATIMA, "f"))))
        uow.reviews.save(ReviewThread(OTHER_NEED, shown=(ShownCandidate(FATIMA, "f"),)))
        uow.commit()

    with make() as uow:
        assert uow.reviews.forget_expert(LAHCEN) == 1
        assert uow.reviews.delete(OTHER_NEED) is True and uow.reviews.delete(OTHER_NEED) is False
        thread = uow.reviews.get(NEED)
        assert thread is not None and thread.shown == (ShownCandidate(FATIMA, "f"),)


# --- digests ---------------------------------------------------------------------------------------

def test_contract_digests_note_what_they_listed_and_when(make: Make) -> None:
    with make() as uow:
        assert uow.digests.last_sent(LAHCEN) is None
        uow.digests.record(LAHCEN, [NEED, NEED, OTHER_NEED], at(0))
        uow.digests.record(LAHCEN, [NEED], at(10))
        uow.digests.record(FATIMA, [NEED], at(5))
        uow.commit()

    with make() as uow:
        assert uow.digests.last_sent(LAHCEN) == at(10) and uow.digests.listed(LAHCEN) == {NEED, OTHER_NEED}
        assert uow.digests.forget_expert(LAHCEN) == 2
        assert uow.digests.listed(LAHCEN) == set() and uow.digests.listed(FATIMA) == {NEED}


# --- the outbox ------------------------------------------------------------------------------------

def test_contract_a_needs_volunteers_are_replaced_whole_and_forgotten_with_the_person(make: Make) -> None:
    lahcen = Volunteer(NEED, LAHCEN, "lahcen.oubaha", at(2))
    fatima = Volunteer(NEED, FATIMA, "fatima.z", at(1))
    with make() as uow:
        assert uow.offers.replace(NEED, [lahcen, fatima]) is True
        assert uow.offers.replace(OTHER_NEED, [dataclasses.replace(lahcen, need_topic_id=OTHER_NEED)])
        uow.commit()
    with make() as uow:
        assert uow.offers.of_need(NEED) == [fatima, lahcen]  # first offer first
        assert uow.offers.replace(NEED, [fatima, lahcen]) is False
        assert uow.offers.replace(NEED, [fatima]) is True  # Lahcen withdrew
        uow.commit()
    with make() as uow:
        assert uow.offers.of_need(NEED) == [fatima]
        assert uow.offers.forget_expert(LAHCEN) == 1 and uow.offers.forget_need(NEED) == 1
        uow.commit()
    with make() as uow:
        assert uow.offers.of_need(NEED) == [] and uow.offers.of_need(OTHER_NEED) == []


def test_contract_an_intent_key_is_added_once(make: Make) -> None:
    with make() as uow:
        assert enqueue(uow, pm(NEED, LAHCEN), at(0)) is True
        assert enqueue(uow, pm(NEED, LAHCEN), at(1)) is False
        uow.commit()

    assert [row.key for row in claim(make)] == [intent_keys(NEED, LAHCEN)["pm"]]


def test_contract_a_row_is_claimed_only_once_the_row_it_depends_on_was_sent(make: Make) -> None:
    keys = intent_keys(NEED, LAHCEN)
    with make() as uow:
        enqueue(uow, reply(keys["reminder"], keys["pm"]), at(0))
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        uow.commit()

    assert [row.key for row in claim(make, 1)] == [keys["pm"]]
    with make() as uow:
        assert uow.outbox.claim("other", at(1), 100, 60) == []  # the PM is being sent, not sent
    send(make, {keys["pm"]: (900, 9001)}, 3)  # its lease ran out: claimed again, then sent
    [row] = claim(make, 4)
    assert (row.key, row.parent_topic_id, row.parent_post_id) == (keys["reminder"], 900, 9001)


def test_contract_a_newer_edit_supersedes_the_pending_one_and_waits_for_the_one_being_sent(
    make: Make,
) -> None:
    def edit(revision: int) -> Intent:
        return Intent(review_key(NEED, revision), "edit_post", {"raw": f"v{revision}", "post_id": 9001})

    with make() as uow:
        enqueue(uow, edit(1), at(0))
        enqueue(uow, edit(2), at(0))
        uow.commit()
    [row] = claim(make, 1, lease=600)
    with make() as uow:
        enqueue(uow, edit(3), at(2))
        uow.commit()

    assert row.key == review_key(NEED, 2)
    assert claim(make, 3) == []  # one write per target in flight
    with make() as uow:
        assert uow.outbox.mark_sent(row, at(4), 900, 9001)
        uow.commit()
    assert [r.key for r in claim(make, 5)] == [review_key(NEED, 3)]


def test_contract_a_sender_that_lost_its_lease_cannot_finish_the_row(make: Make) -> None:
    with make() as uow:
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        uow.commit()
    [first] = claim(make, 1, "slow", lease=60)
    [second] = claim(make, 3, "fast", lease=60)  # the first lease ran out

    with make() as uow:
        assert second.attempts == 2 and second.maybe_sent is True
        assert uow.outbox.mark_sent(first, at(3), 900, 9001) is False
        assert uow.outbox.retry(first, at(4), "late", maybe_sent=True) is False
        assert uow.outbox.release(second) is True
        uow.commit()
    [again] = claim(make, 4)
    assert again.attempts == 2  # released: the untried claim is not counted


def test_contract_forgetting_a_person_deletes_their_unsent_writes_and_blanks_the_sent_ones(
    make: Make,
) -> None:
    keys = intent_keys(NEED, LAHCEN)
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        enqueue(uow, pm(NEED, LAHCEN), at(0))
        enqueue(uow, pm(NEED, FATIMA), at(0))
        uow.commit()
    send(make, {keys["pm"]: (900, 9001)})
    with make() as uow:
        enqueue(uow, reply(keys["reminder"], keys["pm"], LAHCEN), at(2))
        uow.commit()

    with make() as uow:
        assert uow.outbox.forget_person(LAHCEN) == 2  # the reminder deleted, the PM blanked
        uow.commit()
    with make() as uow:
        assert uow.outbox.claim("sender", at(3), 100, 60) == []
        found = uow.introductions.by_pm_topic(900)  # the sent row stays: its ids still find the PM
        assert found is not None and found.pm_topic_id == 900


# --- the inbox -------------------------------------------------------------------------------------

def test_contract_the_inbox_leases_one_row_per_entity_oldest_first(make: Make, deliver: Deliver) -> None:
    deliver("person", "42", at(0))
    deliver("person", "42", at(1), "user_created")
    deliver("need", "7", at(1), "topic_edited")
    deliver("none", "", at(1), "ping")
    deliver("none", "", at(1), "ping")

    with make() as uow:
        claims = uow.inbox.claim("w1", at(2), 10, 60)
        assert [(c.entity_kind, c.entity_key, c.attempts) for c in claims] == [
            ("person", "42", 1), ("need", "7", 1), ("none", "", 1), ("none", "", 1)]
        assert len(uow.inbox.pending_of_entity(claims[0])) == 1
        assert uow.inbox.claim("w2", at(2), 10, 60) == []  # the second person row waits for the first
        assert uow.inbox.complete(claims[0], at(2), "done", uow.inbox.pending_of_entity(claims[0]))
        assert uow.inbox.retry(claims[1], at(5), "forum down", count_attempt=False)
        assert uow.inbox.park(claims[2], at(2), "broken")
        uow.commit()

    with make() as uow:
        assert uow.inbox.claim("w2", at(3), 10, 60) == []  # done, coalesced, retried later, parked, leased
        retried, taken_over = uow.inbox.claim("w2", at(5), 10, 60)  # the ping's lease ran out at 3
        assert (retried.entity_key, retried.attempts) == ("7", 1)
        assert (taken_over.entity_kind, taken_over.attempts) == ("none", 2)
        assert uow.inbox.complete(claims[1], at(5), "done", []) is False  # w2 holds it now
        assert uow.inbox.renew(claims[3], at(20)) is False


def test_contract_forgetting_a_person_keys_their_deliveries_by_id(make: Make, deliver: Deliver) -> None:
    deliver("person", "lahcen.oubaha", at(0))
    deliver("person", "43", at(0))

    with make() as uow:
        assert uow.inbox.forget_person(LAHCEN, "lahcen.oubaha") == 1
        uow.commit()

    with make() as uow:
        assert sorted(c.entity_key or "" for c in uow.inbox.claim("w1", at(1), 10, 60)) == ["42", "43"]


def test_contract_pruning_deletes_only_finished_rows_older_than_the_retention(make: Make,
                                                                               deliver: Deliver) -> None:
    for key in ("1", "2", "3", "4"):
        deliver("person", key, at(0))
    with make() as uow:
        done, parked, _running = uow.inbox.claim("w1", at(0), 3, 600)
        uow.inbox.complete(done, at(1), "done", [])
        uow.inbox.park(parked, at(1), "broken")
        uow.commit()

    with make() as uow:
        assert uow.inbox.prune(at(1)) == 0  # processed at 1: not before 1
        assert uow.inbox.prune(at(2)) == 1  # the done row; parked, running and waiting rows stay
        uow.commit()
    with make() as uow:
        assert [c.entity_key for c in uow.inbox.claim("w2", at(700), 10, 60)] == ["3", "4"]


# --- the status history ----------------------------------------------------------------------------

def test_contract_a_status_change_appends_one_history_row_at_its_moment(make: Make) -> None:
    need = NeedDetails(NEED, "Eau potable", 12, "rkia", commune_group="commune-anzi", commune="Anzi",
                       organisation="commune-anzi", skills=("hydraulique",))
    first = intro(NEED, LAHCEN, minutes=10)
    with make() as uow:
        uow.needs.save(need, at(0), at(0))
        uow.needs.save(dataclasses.replace(need, title="Eau potable pour Anzi"), at(5), at(5))  # same status
        uow.introductions.add(first)
        uow.needs.save(dataclasses.replace(need, status="matched"), at(10), at(10))
        uow.commit()
    with make() as uow:
        uow.introductions.save(dataclasses.replace(first, last_post_number=3))  # same status: no row
        uow.introductions.save(answered(first, True, at(30)))
        uow.commit()

    with make() as uow:
        rows = uow.history.changes()
        assert [(r.kind, r.status, r.at, r.expert, r.expert_username) for r in rows] == [
            ("need", "open", at(0), None, None),
            ("introduction", "pending", at(10), f"user:{LAHCEN}", "lahcen.oubaha"),
            ("need", "matched", at(10), None, None),
            ("introduction", "accepted", at(30), f"user:{LAHCEN}", "lahcen.oubaha"),
        ]
        assert {(r.commune, r.organisation, r.skills) for r in rows} == {
            ("commune-anzi", "commune-anzi", ("hydraulique",))}
        assert [r.status for r in uow.history.changes(until=at(30))] == ["open", "pending", "matched"]
        assert uow.needs.get(NEED).details.organisation == "commune-anzi"  # type: ignore[union-attr]


def test_contract_forgetting_an_expert_keeps_their_history_under_a_key(make: Make) -> None:
    with make() as uow:
        uow.introductions.add(intro(NEED, LAHCEN))
        uow.introductions.add(intro(NEED, FATIMA, name="fatima"))
        uow.commit()
    with make() as uow:
        assert uow.history.forget_expert(LAHCEN, "k" * 64) == 1
        uow.introductions.forget_expert(LAHCEN)
        uow.commit()

    with make() as uow:
        assert [(r.expert, r.expert_username) for r in uow.history.changes()] == [
            ("forgotten:" + "k" * 64, None), (f"user:{FATIMA}", "fatima")]


# --- what the codev plugin was given ---------------------------------------------------------------

def test_contract_a_profile_is_unpushed_until_marked_and_again_once_it_changes(make: Make) -> None:
    lahcen, fatima = ExpertProfile(LAHCEN, "lahcen.oubaha"), ExpertProfile(FATIMA, "fatima.z")
    with make() as uow:
        uow.experts.save(lahcen, at(0), at(0))
        uow.experts.save(fatima, at(0), at(0))
        uow.commit()
    with make() as uow:
        assert [s.profile.user_id for s in uow.experts.unpushed(10)] == [LAHCEN, FATIMA]
        assert [s.profile.user_id for s in uow.experts.unpushed(1)] == [LAHCEN]
        uow.experts.mark_pushed(LAHCEN, at(0))
        uow.experts.mark_pushed(FATIMA, at(0))
        uow.commit()
    with make() as uow:
        assert uow.experts.unpushed(10) == []
        uow.experts.touch(LAHCEN, at(1))  # a fetch that found nothing new pushes nothing
        uow.experts.save(dataclasses.replace(fatima, skills=("irrigation",)), at(2), at(2))
        uow.commit()
    with make() as uow:
        [changed] = uow.experts.unpushed(10)
        stored = uow.experts.get(LAHCEN)
        assert stored is not None and stored.pushed_at == at(0)
    assert (changed.profile.user_id, changed.pushed_at, changed.updated_at) == (FATIMA, at(0), at(2))


def test_contract_the_history_s_version_changes_with_a_row_or_a_forgetting(make: Make) -> None:
    with make() as uow:
        assert uow.history.version() == (0, 0)
        uow.needs.save(NeedDetails(NEED, "Eau potable", 12, "rkia", sector="drinking_water"), at(0), at(0))
        uow.introductions.add(intro(NEED, LAHCEN))
        uow.commit()
    with make() as uow:
        before = uow.history.version()
        assert before[0] > 0 and before[1] == 0
        assert uow.needs.titles([NEED, OTHER_NEED]) == {NEED: NeedTitle("Eau potable", "drinking_water")}
        assert uow.needs.titles([]) == {}
        uow.history.forget_expert(LAHCEN, "k" * 64)
        uow.commit()
    with make() as uow:
        assert uow.history.version() == (before[0], 1)


def test_contract_the_change_feed_is_read_in_order_and_one_lease_holder_at_a_time(make: Make) -> None:
    with make() as uow:
        start = uow.changes.last_id()
        uow.changes.note(need_topic_id=7)
        uow.changes.note(need_topic_id=7, expert_user_id=42)
        uow.commit()
    with make() as uow:
        rows = uow.changes.since(start)
        first = uow.changes.lease("rematch", "w1", T0, T0 + timedelta(minutes=5))
        uow.commit()
    with make() as uow:
        refused = uow.changes.lease("rematch", "w2", T0 + timedelta(minutes=1), T0 + timedelta(minutes=6))
        renewed = uow.changes.lease("rematch", "w1", T0 + timedelta(minutes=1), T0 + timedelta(minutes=6))
        taken = uow.changes.lease("rematch", "w2", T0 + timedelta(minutes=7), T0 + timedelta(minutes=12))
        uow.commit()
    with make() as uow:
        pruned = uow.changes.prune(rows[0].id)
        left = uow.changes.since(start, also=(rows[0].id,))
        uow.commit()
    assert [(c.need_topic_id, c.expert_user_id) for c in rows] == [(7, None), (7, 42)]
    assert (first, refused, renewed, taken) == (True, False, True, True)
    assert pruned == 1 and [c.id for c in left] == [rows[1].id]
