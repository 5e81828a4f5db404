"""The status history as the real use cases write it (brokerage, answers, timers, forget), on the fakes:
one row per change, at the moment of the change, in the unit of work that made it; forgetting an expert
keeps their rows under the tombstone's keyed hash, so the report of a past period does not change."""

from __future__ import annotations

import dataclasses

from sync_service.domain.brokerage import answered, open_introduction
from sync_service.domain.impact import Period
from sync_service.domain.impact_tally import impact_report
from sync_service.domain.needs import NeedDetails
from sync_service.services.forget import forget_person, tombstone_key
from sync_service.services.report import ReportRequest, impact
from tests.service.unit.brokerage_world import (
    AUTHOR,
    AUTHOR_ID,
    FATIMA,
    LAHCEN,
    MANAGER,
    NEED,
    OTHER_NEED,
    USERNAMES,
    World,
    day,
)
from tests.service.unit.fakes import FakeUnitOfWork

TARGETS = {"migrants_involved": 40, "communes_engaged": 7, "actors_linked": 40, "communes_strengthened": 7}


def story() -> World:
    """Anzi posts a need; Lahcen is approved and accepts on day 2; the manager marks it served on day 5;
    Fatima, second in the list, is never asked."""
    world = World()
    for user_id in USERNAMES:
        world.add_expert(user_id)
    need = NeedDetails(NEED, "Eau potable pour six douars", AUTHOR_ID, AUTHOR, commune_group="commune-anzi",
                       commune="Anzi", organisation="commune-anzi", skills=("hydraulique",))
    with world.uow() as uow:  # as sync stores it, the commune read from the author's groups
        uow.needs.save(need, day(0), day(0))
        uow.commit()
    world.rank(NEED, LAHCEN, FATIMA)
    world.refresh(at=day(0))
    world.send(day(0))
    review = world.review_topic()
    world.forum.post(review.topic_id, MANAGER, "approuver lahcen.oubaha")
    world.read(review.topic_id, day(1))
    world.send(day(1))
    world.forum.post(world.pm(LAHCEN).topic_id, "lahcen.oubaha", "J'accepte")
    world.read(world.pm(LAHCEN).topic_id, day(2))
    world.forum.post(review.topic_id, MANAGER, "servi, merci")
    world.read(review.topic_id, day(5))
    return world


def test_every_status_change_of_the_story_is_one_row_at_its_moment() -> None:
    world = story()

    rows = [(r.kind, r.status, r.at, r.expert_user_id) for r in world.store.history if r.kind != "match"]
    matches = [(r.status, r.at) for r in world.store.history if r.kind == "match"]

    assert matches == [("strong", day(0))]  # the ranking's, once: a strong candidate while it looked
    assert rows == [
        ("need", "open", day(0), None),
        ("introduction", "pending", day(1), LAHCEN),
        ("need", "matched", day(1), None),
        ("introduction", "accepted", day(2), LAHCEN),
        ("need", "in_progress", day(2), None),
        ("need", "served", day(5), None),
    ]
    assert {r.commune_group for r in world.store.history if r.kind != "match"} == {"commune-anzi"}


def test_a_unit_that_does_not_commit_leaves_no_history() -> None:
    world = World()
    world.add_need()
    before = list(world.store.history)
    with world.uow() as uow:
        stored = uow.needs.get(NEED)
        assert stored is not None
        uow.needs.save(dataclasses.replace(stored.details, status="closed"), day(1), day(1))

    assert world.store.history == before


def test_forgetting_the_expert_keeps_the_report_of_the_past_period() -> None:
    world = story()
    with world.uow() as uow:
        before = impact_report(uow.history.changes(), Period(), TARGETS)

    uow = FakeUnitOfWork(world.store)
    with uow:
        forget_person(uow, LAHCEN, "lahcen.oubaha", day(30), gone=True)
        uow.commit()

    with world.uow() as uow:
        after = impact_report(uow.history.changes(), Period(), TARGETS)
    assert before.kpis["migrants_involved"].members == ("lahcen.oubaha",)
    assert after.kpis["migrants_involved"].value == 1 and after.kpis["migrants_involved"].members == ()
    assert dataclasses.replace(after, kpis={}) == dataclasses.replace(before, kpis={})
    assert all(r.expert_user_id is None and r.expert_username is None for r in world.store.history)
    assert {r.expert_key for r in world.store.history if r.kind == "introduction"} == {
        tombstone_key("person", LAHCEN)}


def test_an_expert_forgotten_who_comes_back_is_one_migrant() -> None:
    world = story()
    with world.uow() as uow:  # Lahcen withdraws consent: forgotten, not gone from the forum
        forget_person(uow, LAHCEN, "lahcen.oubaha", day(6), gone=False)
        uow.commit()
    with world.uow() as uow:  # ... then consents again and accepts another need
        again = open_introduction(OTHER_NEED, LAHCEN, "lahcen.oubaha", day(8), world.rules.delays, True)
        uow.introductions.add(again)
        uow.introductions.save(answered(again, True, day(9)))
        uow.commit()

    result = impact(world.uow, ReportRequest(), TARGETS)

    assert result.kpis["migrants_involved"].value == 1
    assert result.kpis["migrants_involved"].members == ("lahcen.oubaha",)
