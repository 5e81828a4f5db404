"""The pass whose cost follows the changes: an idle pass re-ranks and queues nothing; a change re-ranks
the needs it touches and edits their review topics; one worker of a deployment ranks; a restart starts
with the full pass."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sync_service.domain.brokerage import PENDING, open_introduction
from sync_service.services.brokerage_loop import BrokerageLoop
from tests.service.unit.brokerage_world import FATIMA, HASSAN, LAHCEN, NEED, OTHER_NEED, World, day
from tests.service.unit.fakes import FakeRanker, FakeUnitOfWork


def _world() -> World:
    world = World()
    world.add_need(NEED)
    world.add_need(OTHER_NEED, title="Pompage solaire du douar")
    for expert in (LAHCEN, FATIMA, HASSAN):
        world.add_expert(expert)
    world.rank(NEED, LAHCEN, FATIMA)
    world.rank(OTHER_NEED, HASSAN)
    return world


def _loop(world: World, name: str = "w1", ranker: FakeRanker | None = None) -> BrokerageLoop:
    return BrokerageLoop(lambda: FakeUnitOfWork(world.store), ranker or world.ranker, world.rules,
                         world.forum,
                         world.writer, name, lambda: day(0), next_sweep=day(3650))


def _pass(loop: BrokerageLoop, at: datetime) -> dict[str, object]:
    report = loop.run_pass(at)
    assert "error" not in report, report
    return report


def _edits(world: World, topic_id: int) -> int:
    return len([r for r in world.store.intents("edit_post") if r.key.startswith(f"review:{topic_id}:")])


def test_the_first_pass_is_full_and_an_idle_pass_ranks_and_queues_nothing() -> None:
    world = _world()
    loop = _loop(world)
    first = _pass(loop, day(0))
    assert first["rematch"] == {"review": 2, "full": 1}
    outbox = len(world.store.outbox)
    ranked, shortlisted = len(world.ranker.ranked), len(world.ranker.shortlisted)

    idle = _pass(loop, day(0.01))

    assert idle["rematch"] == {}
    assert len(world.store.outbox) == outbox
    assert (len(world.ranker.ranked), len(world.ranker.shortlisted)) == (ranked, shortlisted)
    assert world.ranker.updates == []


def test_a_changed_need_is_re_ranked_alone_and_its_review_topic_edited() -> None:
    world = _world()
    loop = _loop(world)
    _pass(loop, day(0))
    world.ranker.ranked.clear()
    with world.uow() as uow:
        stored = uow.needs.get(NEED)
        assert stored is not None
        uow.needs.save(dataclasses.replace(stored.details, body="Forage et pompage."), day(0), day(0))
        uow.commit()
    world.rank(NEED, FATIMA, LAHCEN)

    report = _pass(loop, day(0.01))

    assert report["rematch"] == {"review": 1, "reranked": 1}
    assert {need for need, *_ in world.ranker.ranked} == {NEED}
    assert (_edits(world, NEED), _edits(world, OTHER_NEED)) == (1, 0)


def test_a_changed_expert_re_ranks_the_needs_that_show_them() -> None:
    world = _world()
    loop = _loop(world)
    _pass(loop, day(0))
    world.ranker.ranked.clear()
    world.add_expert(HASSAN, languages=("fr", "ar"))
    world.rank(OTHER_NEED, HASSAN, FATIMA)

    report = _pass(loop, day(0.01))

    assert world.ranker.updates[-1][0] == [HASSAN]
    assert {need for need, *_ in world.ranker.ranked} == {OTHER_NEED}
    assert report["rematch"] == {"review": 1, "reranked": 1}
    assert (_edits(world, NEED), _edits(world, OTHER_NEED)) == (0, 1)


def test_a_closed_introduction_re_ranks_its_need() -> None:
    world = _world()
    loop = _loop(world)
    _pass(loop, day(0))
    with world.uow() as uow:
        intro = open_introduction(NEED, LAHCEN, "lahcen.oubaha", day(0), world.rules.delays, True, "nadia")
        uow.introductions.add(intro)
        uow.commit()
    _pass(loop, day(0.01))
    world.ranker.ranked.clear()
    with world.uow() as uow:
        held = uow.introductions.get(NEED, LAHCEN)
        assert held is not None and held.status == PENDING
        uow.introductions.save(dataclasses.replace(held, status="declined", closed_at=day(0.02)))
        uow.commit()

    report = _pass(loop, day(0.03))

    assert {need for need, *_ in world.ranker.ranked} == {NEED}
    assert report["rematch"]["reranked"] == 1  # type: ignore[index]


def test_of_two_workers_one_ranks() -> None:
    world = _world()
    other = FakeRanker()
    first, second = _loop(world, "w1"), _loop(world, "w2", other)

    reports = [_pass(first, day(0)), _pass(second, day(0))]

    assert reports[0]["rematch"] == {"review": 2, "full": 1}
    assert reports[1]["rematch"] == "another worker ranks"
    assert other.shortlisted == [] and other.ranked == []
    assert len(other.refreshes) == 1  # its index only, for the reasons it writes


def test_the_lease_of_a_worker_gone_passes_to_another_which_starts_with_the_full_pass() -> None:
    world = _world()
    first, second = _loop(world, "w1"), _loop(world, "w2")
    _pass(first, day(0))
    _pass(second, day(0))

    report = _pass(second, day(0) + first.lease_for + timedelta(seconds=1))

    assert report["rematch"] == {"unchanged": 2, "full": 1}


def test_a_restarted_worker_starts_with_the_full_pass() -> None:
    world = _world()
    _pass(_loop(world), day(0))

    restarted = _pass(_loop(world), day(0.01))

    assert restarted["rematch"] == {"unchanged": 2, "full": 1}
