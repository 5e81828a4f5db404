"""Who is proposed first for which need (domain/proposals.py) and how the brokerage pass shows it
(services/brokerage.py) on the fakes: each expert's max_open_introductions across needs, counting the
introductions already open; no commune left without a proposal while a candidate exists; the review
topic lists the plan's choice first and marks the others asked elsewhere; nothing is rewritten when
nothing changed."""

from __future__ import annotations

import dataclasses

from sync_service.domain import proposals
from sync_service.domain.brokerage import PENDING, ShownCandidate, answered
from sync_service.domain.proposals import Opening, Proposals
from sync_service.services import brokerage, incremental
from sync_service.services.ports.matching import Ranked
from tests.service.unit.brokerage_world import (
    FATIMA,
    HASSAN,
    LAHCEN,
    NEED,
    OTHER_NEED,
    T0,
    THIRD_NEED,
    USERNAMES,
    World,
    day,
)
from tests.service.unit.fakes import ExactFlowSolver, FakeRanker, ranked

# --- the plan (pure) -------------------------------------------------------------------------------


def test_an_expert_is_proposed_first_for_no_more_needs_than_their_limit_minus_open_introductions() -> None:
    openings = [Opening(1, "anzi", 1, ((10, 0.9), (11, 0.5))), Opening(2, "anzi", 1, ((10, 0.8), (11, 0.7))),
                Opening(3, "anzi", 1, ((10, 0.85),))]

    plan = proposals.plan(openings, loads={10: 1}, limit=2)

    assert sum(10 in plan.chosen(n) for n in (1, 2, 3)) == 1  # 2 - 1 open introduction
    assert plan.first == {1: (11,), 2: (11,), 3: (10,)}  # every need served, then the best total


def test_no_commune_is_left_without_a_first_proposal_while_a_candidate_fits() -> None:
    # Expert 10 scores best for Tafraout's need, but is Anzi's only candidate.
    openings = [Opening(1, "anzi", 1, ((10, 0.4),)), Opening(2, "tafraout", 1, ((10, 0.9), (11, 0.5)))]

    plan = proposals.plan(openings, loads={}, limit=1)

    assert (plan.chosen(1), plan.chosen(2), plan.uncovered_communes) == ((10,), (11,), ())


def test_a_need_that_wants_no_introduction_now_takes_no_share_of_anyone() -> None:
    openings = [Opening(1, "anzi", 0, ((10, 0.9),)), Opening(2, "anzi", 1, ((10, 0.5),))]

    assert proposals.plan(openings, loads={}, limit=1).first == {2: (10,)}


def test_the_plan_uses_the_solver_it_is_given_and_is_the_same_for_the_same_input() -> None:
    solver = ExactFlowSolver()
    openings = [Opening(n, f"c{n % 3}", 1, tuple((e, 0.5 + ((n * e) % 7) / 20) for e in range(10, 15)))
                for n in range(1, 9)]

    first = proposals.plan(openings, loads={11: 1}, limit=2, solver=solver)

    assert solver.networks and first == proposals.plan(list(reversed(openings)), {11: 1}, 2, solver)
    counts = [sum(e in first.chosen(n) for n in range(1, 9)) for e in range(10, 15)]
    assert counts[1] <= 1 and max(counts) <= 2


def test_the_choice_a_topic_shows_stays_unless_another_plan_is_clearly_better() -> None:
    def openings(current: tuple[tuple[int, ...], tuple[int, ...]], second: float) -> list[Opening]:
        return [Opening(1, "anzi", 1, ((10, 0.80), (11, 0.70)), current[0]),
                Opening(2, "anzi", 1, ((10, second), (11, 0.70)), current[1])]

    # 10 -> 2 and 11 -> 1 would total 0.01 more: not enough to move what the topics show
    assert proposals.plan(openings(((), ()), 0.81), {}, 1).first == {1: (11,), 2: (10,)}
    assert proposals.plan(openings(((10,), (11,)), 0.81), {}, 1).first == {1: (10,), 2: (11,)}
    # clearly better (by more than STEADY a need): it moves
    assert proposals.plan(openings(((10,), (11,)), 0.90), {}, 1).first == {1: (11,), 2: (10,)}


def test_an_expert_chosen_elsewhere_or_at_their_limit_is_said_so() -> None:
    plan = Proposals({1: (10,), 2: (11,)}, limit=1, loads={12: 1})

    assert (plan.elsewhere(10, 2), plan.at_limit(10, 2)) == (1, True)
    assert (plan.elsewhere(10, 1), plan.at_limit(10, 1)) == (0, False)  # chosen here
    assert (plan.elsewhere(12, 2), plan.at_limit(12, 2)) == (0, True)   # an open introduction
    assert (plan.elsewhere(13, 2), plan.at_limit(13, 2)) == (0, False)


def test_the_list_shows_the_plans_choice_first_then_the_ranking() -> None:
    ranking = [10, 11, 12, 13]

    assert proposals.arrange(ranking, (12,), 3, int) == [12, 10, 11]
    assert proposals.arrange(ranking, (), 3, int) == [10, 11, 12]
    assert proposals.arrange(ranking, (13, 11), 3, int) == [11, 13, 10]


# --- the pass on the fakes ---------------------------------------------------------------------------


def add_need(world: World, topic_id: int, commune: str = "Anzi") -> None:
    world.add_need(topic_id)
    with world.uow() as uow:
        stored = uow.needs.get(topic_id)
        assert stored is not None
        uow.needs.save(dataclasses.replace(stored.details, commune=commune), T0, T0)
        uow.commit()


def two_needs_one_expert(limit: int = 1, **rules: object) -> World:
    """Lahcen is the best for both needs (more so for the first), Fatima second, limit 1."""
    world = World().with_rules(max_open=limit, **rules)
    add_need(world, NEED)
    add_need(world, OTHER_NEED)
    for user_id in (LAHCEN, FATIMA, HASSAN):
        world.add_expert(user_id)
    world.ranker.put(NEED, cand(LAHCEN, 0.9), cand(FATIMA, 0.5), cand(HASSAN, 0.3))
    world.ranker.put(OTHER_NEED, cand(LAHCEN, 0.8), cand(FATIMA, 0.7), cand(HASSAN, 0.3))
    return world


def cand(user_id: int, score: float) -> Ranked:
    return ranked(user_id, USERNAMES[user_id], score, f"compétences de {USERNAMES[user_id]}")


def shown(world: World, topic_id: int) -> list[int]:
    return [c.user_id for c in world.review(topic_id).shown]


def first_post(world: World, topic_id: int) -> str:
    return str(world.review_topic(topic_id).first.raw)


def test_two_needs_competing_for_one_expert_at_limit_one_the_second_gets_another_candidate() -> None:
    world = two_needs_one_expert()

    world.rematch()
    world.send()

    assert shown(world, NEED) == [LAHCEN, FATIMA, HASSAN]
    assert shown(world, OTHER_NEED) == [FATIMA, LAHCEN, HASSAN]
    other = first_post(world, OTHER_NEED)
    lahcen = other[other.index("/u/lahcen.oubaha"):]
    assert lahcen.index("**Déjà sollicité·e ailleurs :** codev le (la) propose en premier pour un autre "
                        "besoin.") < lahcen.index("approuver lahcen.oubaha")
    assert "**Limite atteinte :** une mise en relation à la fois au plus" in lahcen
    assert "Déjà sollicité·e" not in other[:other.index("/u/lahcen.oubaha")]  # Fatima: chosen here only
    first = first_post(world, NEED)
    assert "Déjà sollicité·e" not in first[:first.index("/u/fatima.z")]  # Lahcen: chosen there only
    assert "propose en premier pour un autre besoin" in first[first.index("/u/fatima.z"):]


def test_a_pass_that_changes_nothing_writes_nothing() -> None:
    world = two_needs_one_expert()
    world.rematch()
    world.send()
    before = world.keys()

    assert world.rematch(at=day(1)) == {"unchanged": 2}
    assert world.rematch(at=day(2)) == {"unchanged": 2}
    assert world.keys() == before == ["review:7", "review:8"]


def test_a_second_worker_plans_the_same_and_rewrites_nothing() -> None:
    world = two_needs_one_expert()
    world.rematch()
    world.send()
    other = FakeRanker()  # another worker's index, built from the same forum
    other.table = dict(world.ranker.table)
    outcomes = incremental.rematch(world.uow, other, world.rules, day(1), solver=ExactFlowSolver())

    assert outcomes == {"unchanged": 2}
    assert world.keys() == ["review:7", "review:8"]


def test_a_slightly_better_plan_elsewhere_does_not_reshuffle_the_topics() -> None:
    world = two_needs_one_expert()
    world.ranker.put(NEED, cand(LAHCEN, 0.80), cand(FATIMA, 0.70))
    world.ranker.put(OTHER_NEED, cand(LAHCEN, 0.79), cand(FATIMA, 0.70))
    world.rematch()
    world.send()
    assert (shown(world, NEED)[0], shown(world, OTHER_NEED)[0]) == (LAHCEN, FATIMA)
    # Lahcen now fits the second need a little better: swapping would gain 0.01 in total
    world.ranker.put(OTHER_NEED, cand(LAHCEN, 0.81), cand(FATIMA, 0.70))

    assert world.rematch(at=day(1)) == {"unchanged": 2}
    assert (shown(world, NEED)[0], shown(world, OTHER_NEED)[0]) == (LAHCEN, FATIMA)


def test_once_the_expert_is_introduced_the_other_need_keeps_its_choice_and_says_the_limit_is_reached(
) -> None:
    world = two_needs_one_expert()
    world.rematch()
    world.send()
    with world.uow() as uow:
        brokerage.open_introduction(uow, world.rules, world.need(NEED), LAHCEN, "lahcen.oubaha", (), T0,
                                    reviewed=True, by="nadia.animatrice")
        uow.commit()

    world.rematch(at=day(1))
    world.send(day(1))
    world.rematch(at=day(2))

    assert shown(world, NEED) == [FATIMA, HASSAN]  # matched: still listed, nobody chosen
    assert shown(world, OTHER_NEED) == [FATIMA, LAHCEN, HASSAN]
    keys = world.keys()
    assert "review:8:r1" in keys and "review:8:r2" not in keys
    other = first_post(world, OTHER_NEED)
    assert "**Limite atteinte :**" in other and "propose en premier pour un autre" not in other
    assert "déjà 1 mise en relation en cours" not in other  # the fake ranker gives no load reason


def test_an_expert_at_the_limit_through_accepted_introductions_is_chosen_nowhere() -> None:
    world = two_needs_one_expert(limit=1)
    add_need(world, THIRD_NEED)
    with world.uow() as uow:
        intro = brokerage.open_introduction(uow, world.rules, world.need(THIRD_NEED), LAHCEN, "lahcen.oubaha",
                                            (), T0, reviewed=True, by="nadia.animatrice")
        uow.introductions.save(answered(intro, True, T0))
        uow.commit()

    world.rematch()

    # Fatima serves the need where she scores more, Hassan the other; Lahcen stays listed, marked
    assert shown(world, NEED) == [HASSAN, LAHCEN, FATIMA]
    assert shown(world, OTHER_NEED) == [FATIMA, LAHCEN, HASSAN]


def test_the_choice_is_listed_even_below_the_candidates_shown() -> None:
    world = two_needs_one_expert(review_candidates=1)

    world.rematch()

    assert world.review(NEED).shown == (ShownCandidate(LAHCEN, "lahcen.oubaha"),)
    assert world.review(OTHER_NEED).shown == (ShownCandidate(FATIMA, "fatima.z"),)


def test_a_commune_with_a_single_candidate_gets_them_before_a_better_scoring_need() -> None:
    world = World().with_rules(max_open=1)
    add_need(world, NEED, commune="Anzi")
    add_need(world, OTHER_NEED, commune="Tafraout")
    for user_id in (LAHCEN, FATIMA):
        world.add_expert(user_id)
    world.ranker.put(NEED, cand(LAHCEN, 0.4))
    world.ranker.put(OTHER_NEED, cand(LAHCEN, 0.9), cand(FATIMA, 0.5))

    world.rematch()

    assert shown(world, NEED) == [LAHCEN]
    assert shown(world, OTHER_NEED) == [FATIMA, LAHCEN]


def test_direct_introductions_respect_the_limit_across_needs() -> None:
    world = two_needs_one_expert(direct=True)

    assert world.rematch() == {"introduced": 2}
    assert world.rematch(at=day(1)) == {"unchanged": 2}

    assert world.intro(LAHCEN, NEED).status == PENDING
    assert world.intro(FATIMA, OTHER_NEED).status == PENDING
    assert world.uow().introductions.get(OTHER_NEED, LAHCEN) is None
    assert world.keys() == ["intro:7:42", "intro:8:43"]


def test_direct_introductions_wait_when_every_candidate_is_at_their_limit() -> None:
    world = World().with_rules(direct=True, max_open=1)
    add_need(world, NEED)
    add_need(world, OTHER_NEED)
    world.add_expert(LAHCEN)
    world.ranker.put(NEED, cand(LAHCEN, 0.9))
    world.ranker.put(OTHER_NEED, cand(LAHCEN, 0.8))

    world.rematch()

    assert world.keys("private_message") == ["intro:7:42"]
    assert world.need(OTHER_NEED).status == "open"


def test_the_pass_weighs_only_needs_that_want_an_introduction_now() -> None:
    world = two_needs_one_expert()
    with world.uow() as uow:
        brokerage.open_introduction(uow, world.rules, world.need(NEED), HASSAN, "Hassan_B", (), T0,
                                    reviewed=True, by="nadia.animatrice")
        uow.commit()

    world.rematch()

    [asked] = world.ranker.shortlisted
    assert asked == {OTHER_NEED: frozenset()}  # the first need awaits Hassan's answer
    assert shown(world, OTHER_NEED)[0] == LAHCEN


def test_the_marks_read_in_arabic_and_english() -> None:
    for title, expected in (("ماء الشرب لستة دواوير", ("مطلوب(ة) في مكان آخر", "بلغ(ت) الحد الأقصى")),
                            ("Drinking water for six hamlets", ("**Already asked elsewhere:**",
                                                                 "**At their limit:** at most one"))):
        world = two_needs_one_expert()
        with world.uow() as uow:
            stored = uow.needs.get(OTHER_NEED)
            assert stored is not None
            uow.needs.save(dataclasses.replace(stored.details, title=title, body=title), T0, T0)
            uow.commit()

        world.rematch()
        world.send()

        assert all(text in first_post(world, OTHER_NEED) for text in expected), title
