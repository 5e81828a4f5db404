"""What the clock decides (services/timers.py), on the fakes: reminders, expiry, withdrawal when the
need ended, and the experts' opt-in digests. Time is a parameter: the tests move it, never wait."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync_service.domain import posts
from sync_service.domain.brokerage import EXPIRED, MATCHED, WITHDRAWN, answered, open_introduction
from sync_service.services import timers
from tests.service.unit.brokerage_world import (
    FATIMA,
    HASSAN,
    LAHCEN,
    NEED,
    OTHER_NEED,
    T0,
    THIRD_NEED,
    World,
    day,
)
from tests.service.unit.fakes import FakeUnitOfWork


def introduced() -> World:
    """Lahcen introduced to the need at T0 (direct setting), the PM on the forum at once: reminder after
    7 days, expiry 7 later."""
    world = World().with_rules(direct=True)
    world.add_need()
    world.add_expert(LAHCEN)
    world.rank(NEED, LAHCEN)
    world.refresh()
    world.send(T0)
    assert world.need().status == MATCHED
    return world


# --- reminders and expiry --------------------------------------------------------------------------

def test_nothing_is_due_before_the_reminder_date() -> None:
    world = introduced()

    assert world.tick(day(6.9)) == {}
    assert world.keys() == ["intro:7:42"]


def test_the_reminder_goes_when_due_then_expiry_after_the_second_delay() -> None:
    world = introduced()

    assert world.tick(day(7)) == {"reminded": 1}
    assert world.tick(day(13)) == {}
    assert world.tick(day(14)) == {"expired": 1}

    reminder, expiry = world.intents("reply")
    assert (reminder.key, reminder.depends_on, reminder.person_id) == ("intro:7:42:reminder", "intro:7:42",
                                                                       LAHCEN)
    assert "J'accepte cette mise en relation" in reminder.payload["raw"]
    assert (expiry.key, expiry.depends_on) == ("intro:7:42:expiry", "intro:7:42")
    intro = world.intro(LAHCEN)
    assert (intro.status, intro.reminded_at, intro.closed_at) == (EXPIRED, day(7), day(14))
    assert world.need().status == "open"  # free for the next candidate


def test_the_reminder_clock_starts_when_the_pm_is_on_the_forum() -> None:
    world = World().with_rules(direct=True)
    world.add_need()
    world.add_expert(LAHCEN)
    world.rank(NEED, LAHCEN)
    world.refresh()  # approved at T0; the forum takes the PM only two days later

    assert world.tick(day(8)) == {}
    world.send(day(2))
    assert world.tick(day(8.9)) == {}
    assert world.tick(day(9)) == {"reminded": 1}


def test_a_late_reminder_still_leaves_the_expert_the_whole_second_delay() -> None:
    world = introduced()

    assert world.tick(day(13)) == {"reminded": 1}
    assert world.tick(day(19.9)) == {}
    assert world.tick(day(20)) == {"expired": 1}


def test_a_worker_down_past_the_expiry_date_reminds_before_it_expires() -> None:
    world = introduced()

    assert world.tick(day(30)) == {"reminded": 1}
    assert world.intro(LAHCEN).expire_at == day(37)


def test_each_step_is_taken_once() -> None:
    world = introduced()
    world.tick(day(7))

    assert world.tick(day(7.5)) == {}
    assert world.keys("reply") == ["intro:7:42:reminder"]


def test_an_answered_introduction_gets_no_reminder() -> None:
    world = introduced()
    with world.uow() as uow:
        uow.introductions.save(answered(world.intro(LAHCEN), True, day(1)))
        uow.commit()

    assert world.tick(day(8)) == {}
    assert world.keys("reply") == []


def test_expiry_leaves_the_need_matched_while_another_introduction_waits() -> None:
    world = introduced().with_rules(per_need=2)
    world.add_expert(FATIMA)
    world.rank(NEED, LAHCEN, FATIMA)
    world.refresh(at=day(6))  # Fatima introduced six days later
    world.send(day(6))

    assert world.tick(day(7)) == {"reminded": 1}
    assert world.tick(day(14)) == {"expired": 1, "reminded": 1}
    assert world.need().status == MATCHED


@pytest.mark.parametrize("status", ["served", "funded", "closed"])
def test_an_introduction_of_a_need_that_ended_is_withdrawn_with_a_word_to_the_expert(status: str) -> None:
    world = introduced()
    world.add_need(status=status, at=day(2))

    assert world.tick(day(3)) == {"withdrawn": 1}

    assert world.intro(LAHCEN).status == WITHDRAWN
    assert world.keys("reply") == ["intro:7:42:withdrawn"]


def test_an_introduction_of_a_need_gone_from_codev_is_withdrawn_silently() -> None:
    world = introduced()
    with world.uow() as uow:
        uow.needs.delete(NEED)
        uow.commit()

    assert world.tick(day(3)) == {"withdrawn": 1}
    assert world.intro(LAHCEN).status == WITHDRAWN and world.keys("reply") == []


# --- digests ---------------------------------------------------------------------------------------

def digest_world() -> World:
    """Lahcen and Hassan opted in to digests, Fatima did not; needs 7 and 8 are open, 9 is served."""
    world = World()
    world.add_need(NEED, title="Eau potable")
    world.add_need(OTHER_NEED, title="Piste rurale")
    world.add_need(THIRD_NEED, title="Dispensaire", status="served")
    world.add_expert(LAHCEN, digest=True)
    world.add_expert(FATIMA)
    world.add_expert(HASSAN, digest=True, languages=("ar", "en"))
    world.rank(NEED, LAHCEN, FATIMA)
    world.rank(OTHER_NEED, LAHCEN, HASSAN)
    world.rank(THIRD_NEED, LAHCEN, FATIMA, HASSAN)
    return world


def test_a_digest_lists_the_open_needs_that_fit_each_expert_who_opted_in() -> None:
    world = digest_world()

    assert world.digests(T0) == 2

    lahcen, hassan = world.intents("private_message")
    assert (lahcen.key, lahcen.person_id) == ("digest:42:20261201T090000", LAHCEN)
    assert lahcen.payload["target_recipients"] == ["lahcen.oubaha"]
    assert "Eau potable" in lahcen.payload["raw"] and "Piste rurale" in lahcen.payload["raw"]
    assert "Dispensaire" not in lahcen.payload["raw"]  # served: looks for nobody
    assert hassan.payload["title"] == posts.digest_title(world.rules.translator, 1, "ar")
    digests = world.uow().digests
    assert (digests.listed(LAHCEN), digests.listed(HASSAN), digests.listed(FATIMA)) == (
        {NEED, OTHER_NEED}, {OTHER_NEED}, set())


def test_a_digest_goes_at_most_once_per_interval_and_never_lists_a_need_twice() -> None:
    world = digest_world()
    world.digests(T0)
    world.add_need(10, title="Irrigation goutte à goutte", at=day(3))
    world.rank(10, LAHCEN)

    assert world.digests(day(3)) == 0  # within the interval
    assert world.digests(day(7)) == 1  # Lahcen: need 10 only; Hassan: nothing new

    latest = world.intents("private_message")[-1]
    assert latest.key == "digest:42:20261208T090000"
    assert "Irrigation" in latest.payload["raw"] and "Eau potable" not in latest.payload["raw"]
    assert world.uow().digests.last_sent(HASSAN) == T0


def test_a_digest_lists_at_most_digest_size_needs() -> None:
    world = digest_world().with_rules(digest_size=1)

    world.digests(T0)

    assert world.uow().digests.listed(LAHCEN) == {NEED}


def test_nothing_is_ranked_when_no_digest_is_due() -> None:
    world = digest_world()
    world.digests(T0)
    ranked_before = len(world.ranker.ranked)

    assert world.digests(day(1)) == 0
    assert len(world.ranker.ranked) == ranked_before


def test_no_digest_when_no_expert_opted_in() -> None:
    world = World()
    world.add_need()
    world.add_expert(FATIMA)
    world.rank(NEED, FATIMA)

    assert world.digests(T0) == 0
    assert world.ranker.ranked == [] and world.intents() == []


def test_a_digest_does_not_offer_a_need_the_expert_already_declined() -> None:
    world = digest_world()
    with world.uow() as uow:
        intro = open_introduction(NEED, LAHCEN, "lahcen.oubaha", T0, world.rules.delays, reviewed=True)
        uow.introductions.add(answered(intro, False, day(1)))
        uow.commit()

    world.digests(day(2))

    assert world.uow().digests.listed(LAHCEN) == {OTHER_NEED}


# --- another worker at once ------------------------------------------------------------------------

def meanwhile(world: World, other_worker: Callable[[], object]) -> Callable[[], FakeUnitOfWork]:
    """Units of work on the world's store; another worker does its work just before the second one."""
    made = 0

    def make() -> FakeUnitOfWork:
        nonlocal made
        made += 1
        if made == 2:
            other_worker()
        return world.uow()

    return make


def test_an_introduction_answered_while_the_clock_ran_gets_no_reminder() -> None:
    world = introduced()

    def answer() -> None:
        with world.uow() as uow:
            uow.introductions.save(answered(world.intro(LAHCEN), True, day(8)))
            uow.commit()

    assert timers.tick(meanwhile(world, answer), world.rules, day(8)) == {}
    assert world.keys("reply") == []


def test_a_digest_another_worker_sent_meanwhile_is_not_sent_again() -> None:
    world = digest_world()

    sent = timers.send_digests(meanwhile(world, lambda: world.digests(T0)), world.ranker, world.rules, T0)

    assert sent == 0  # the other worker sent both before this one locked its first expert
    assert [r.key for r in world.intents("private_message")] == ["digest:42:20261201T090000",
                                                                 "digest:44:20261201T090000"]
