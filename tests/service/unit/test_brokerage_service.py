"""The brokerage use cases (services/brokerage.py) on the fakes: review threads, direct introductions,
the introduction PM, withdrawal, the need's status and the rematch pass."""

from __future__ import annotations

from dataclasses import replace

from sync_service.domain.brokerage import (
    ACCEPTED,
    MATCHED,
    PENDING,
    WITHDRAWN,
    ShownCandidate,
    answered,
    open_introduction,
)
from sync_service.domain.impact import Period
from sync_service.services import brokerage
from tests.service.unit.brokerage_world import (
    AUTHOR,
    FATIMA,
    HASSAN,
    LAHCEN,
    NEED,
    OTHER_NEED,
    REVIEW_CATEGORY,
    T0,
    THIRD_NEED,
    USERNAMES,
    World,
    candidate,
    day,
)


def world_with_candidates(*user_ids: int) -> World:
    world = World()
    world.add_need()
    for user_id in user_ids:
        world.add_expert(user_id)
    world.rank(NEED, *user_ids)
    return world


# --- the review thread -----------------------------------------------------------------------------

def test_a_need_with_candidates_gets_a_review_topic_in_the_staff_only_category() -> None:
    world = world_with_candidates(LAHCEN, FATIMA)

    outcome = world.refresh()

    assert outcome == "review"
    [row] = world.intents()
    assert (row.key, row.kind, row.payload["category"]) == ("review:7", "create_topic", REVIEW_CATEGORY)
    assert "n° 7" in row.payload["title"]
    assert "/u/lahcen.oubaha" in row.payload["raw"] and "/u/fatima.z" in row.payload["raw"]
    review = world.review()
    assert review.shown == (ShownCandidate(LAHCEN, "lahcen.oubaha"), ShownCandidate(FATIMA, "fatima.z"))
    assert (review.revision, review.locale, review.published) == (0, "fr", False)
    assert world.need().status == "open"  # nobody is contacted before a manager approves


def test_a_need_without_candidates_gets_no_review_topic_yet() -> None:
    world = world_with_candidates()

    assert world.refresh() == "unchanged"
    assert world.intents() == [] and world.uow().reviews.get(NEED) is None


def test_no_review_topic_is_created_while_the_review_category_is_missing() -> None:
    world = world_with_candidates(LAHCEN).with_rules(review_category_id=None)

    assert world.refresh() == "no review category"
    assert world.intents() == [] and world.uow().reviews.get(NEED) is None


def test_the_review_topic_is_edited_in_place_only_when_its_text_changes() -> None:
    world = world_with_candidates(LAHCEN, FATIMA)
    world.refresh()
    world.send()

    assert world.refresh(at=day(1)) == "unchanged"
    world.rank(NEED, FATIMA, LAHCEN)
    assert world.refresh(at=day(2)) == "review"
    world.send(day(2))

    [edit] = world.intents("edit_post")
    assert (edit.key, edit.depends_on, edit.status) == ("review:7:r1", "review:7", "sent")
    topic = world.review_topic()
    assert len(topic.posts) == 1 and topic.first.edit_reasons == ["classement mis à jour"]
    assert topic.first.raw.index("/u/fatima.z") < topic.first.raw.index("/u/lahcen.oubaha")
    review = world.review()
    assert (review.revision, review.published, review.topic_id) == (1, True, topic.topic_id)
    assert [c.user_id for c in review.shown] == [FATIMA, LAHCEN]


def test_a_listing_out_of_line_with_an_unchanged_text_is_corrected_without_an_edit() -> None:
    world = world_with_candidates(LAHCEN, FATIMA)
    world.refresh()
    with world.uow() as uow:  # as a thread stored before `shown` was kept
        review = uow.reviews.get(NEED)
        assert review is not None
        uow.reviews.save(replace(review, shown=()))
        uow.commit()

    assert world.refresh(at=day(1)) == "unchanged"
    assert world.review().shown == (ShownCandidate(LAHCEN, "lahcen.oubaha"),
                                    ShownCandidate(FATIMA, "fatima.z"))
    assert world.keys() == ["review:7"]


def test_the_review_topic_is_written_in_the_needs_language_and_keeps_it() -> None:
    world = World()
    world.add_need(title="ماء الشرب لستة دواوير", body="ستة دواوير بدون ماء الشرب منذ الصيف.")
    world.add_expert(LAHCEN)
    world.rank(NEED, LAHCEN)
    world.refresh()
    world.add_need(title="Eau potable pour six douars", body="Six douars sans eau.")
    world.rank(NEED, LAHCEN, FATIMA)
    world.add_expert(FATIMA)

    world.refresh(at=day(1))

    assert world.review().locale == "ar"
    assert [locale for *_, locale in world.ranker.ranked] == ["ar", "ar"]


def test_the_review_topic_shows_the_introductions_and_proposes_only_experts_not_yet_asked() -> None:
    world = world_with_candidates(LAHCEN, FATIMA)
    world.refresh()
    with world.uow() as uow:
        brokerage.open_introduction(uow, world.rules, world.need(), LAHCEN, "lahcen.oubaha", (), T0,
                                    reviewed=True, by="nadia.animatrice")
        uow.commit()

    assert world.refresh(at=day(1)) == "review"
    assert world.ranker.ranked[-1][2] == frozenset({LAHCEN})
    assert world.review().shown == (ShownCandidate(FATIMA, "fatima.z"),)
    assert world.need().status == MATCHED


# --- direct introductions --------------------------------------------------------------------------

def test_with_direct_introductions_the_best_candidate_is_introduced_without_review() -> None:
    world = world_with_candidates(LAHCEN, FATIMA).with_rules(direct=True)

    assert world.refresh() == "introduced"
    assert world.refresh(at=day(1)) == "unchanged"  # one awaits an answer: per_need is 1

    intro = world.intro(LAHCEN)
    assert (intro.status, intro.reviewed, intro.approved_by) == (PENDING, False, None)
    assert world.keys() == ["intro:7:42"]  # no review topic
    assert world.uow().introductions.get(NEED, FATIMA) is None
    assert world.need().status == MATCHED


def test_with_direct_introductions_the_next_candidate_follows_a_decline() -> None:
    world = world_with_candidates(LAHCEN, FATIMA, HASSAN).with_rules(direct=True, per_need=2)
    world.refresh()
    with world.uow() as uow:
        uow.introductions.save(answered(world.intro(LAHCEN), False, day(1)))
        uow.commit()

    assert world.refresh(at=day(2)) == "introduced"
    assert world.keys("private_message") == ["intro:7:42", "intro:7:43", "intro:7:44"]
    assert world.ranker.ranked[-1][:3] == (NEED, 1, frozenset({LAHCEN, FATIMA}))


# --- the introduction PM, withdrawal, status -------------------------------------------------------

def test_an_introduction_opens_one_pm_to_the_expert_the_author_and_the_managers() -> None:
    world = world_with_candidates(LAHCEN)
    with world.uow() as uow:
        first = brokerage.open_introduction(uow, world.rules, world.need(), LAHCEN, "lahcen.oubaha",
                                            ("Forages et hydrogéologie",), T0, reviewed=True, by="nadia")
        again = brokerage.open_introduction(uow, world.rules, world.need(), LAHCEN, "lahcen.oubaha",
                                            (), day(1), reviewed=True, by="someone.else")
        uow.commit()

    [pm] = world.intents()
    assert (pm.key, pm.kind, pm.person_id) == ("intro:7:42", "private_message", LAHCEN)
    assert pm.payload["target_recipients"] == ["lahcen.oubaha", AUTHOR, "animateurs"]
    assert "Forages et hydrogéologie" in pm.payload["raw"]
    assert "` J'accepte cette mise en relation `" in pm.payload["raw"]
    assert again == first == world.intro(LAHCEN)
    assert (first.approved_by, first.remind_at, first.expire_at) == ("nadia", day(7), day(14))


def test_an_introduction_to_a_need_whose_author_left_goes_to_the_expert_and_the_managers() -> None:
    world = world_with_candidates(LAHCEN)
    need = replace(world.need(), author_user_id=None, author_username=None)
    with world.uow() as uow:
        brokerage.open_introduction(uow, world.rules, need, LAHCEN, "lahcen.oubaha", (), T0,
                                    reviewed=False, by=None)
        uow.commit()

    [pm] = world.intents()
    assert pm.payload["target_recipients"] == ["lahcen.oubaha", "animateurs"]


def test_withdrawing_an_introduction_tells_the_expert_in_the_pm() -> None:
    world = world_with_candidates(LAHCEN)
    with world.uow() as uow:
        intro = brokerage.open_introduction(uow, world.rules, world.need(), LAHCEN, "lahcen.oubaha", (),
                                            T0, reviewed=True, by="nadia")
        ended = brokerage.withdraw(uow, world.rules, world.need(), intro, day(2))
        uow.commit()

    assert (ended.status, ended.closed_at) == (WITHDRAWN, day(2)) and world.intro(LAHCEN) == ended
    reply = world.store.intent("intro:7:42:withdrawn")
    assert reply is not None and (reply.depends_on, reply.person_id) == ("intro:7:42", LAHCEN)
    assert "a été clos" in reply.payload["raw"]


def test_the_need_status_follows_its_introductions_until_a_person_closes_it() -> None:
    world = world_with_candidates(LAHCEN)
    pending = open_introduction(NEED, LAHCEN, "lahcen.oubaha", T0, world.rules.delays, reviewed=True)
    accepted = answered(pending, True, day(1))

    with world.uow() as uow:
        assert brokerage.set_status(uow, world.need(), [pending], day(1), T0) == MATCHED
        uow.commit()
    with world.uow() as uow:
        assert brokerage.set_status(uow, world.need(), [accepted], day(2), T0) == "in_progress"
        uow.commit()
    world.add_need(status="served", at=day(3))
    with world.uow() as uow:
        assert brokerage.set_status(uow, world.need(), [accepted], day(4), T0) == "served"
        uow.commit()

    stored = world.uow().needs.get(NEED)
    assert stored is not None and stored.updated_at == day(3) and accepted.status == ACCEPTED


# --- the rematch pass ------------------------------------------------------------------------------

def test_rematch_refreshes_every_open_need_and_the_threads_of_needs_closed_since() -> None:
    world = World()
    for topic_id in (NEED, OTHER_NEED, THIRD_NEED):
        world.add_need(topic_id, title=f"Besoin {topic_id}")
    world.add_expert(LAHCEN)
    world.rank(NEED, LAHCEN)
    world.rank(THIRD_NEED, LAHCEN)
    world.refresh(THIRD_NEED)
    world.add_need(THIRD_NEED, title=f"Besoin {THIRD_NEED}", status="closed", at=day(1))

    counts = world.rematch(day(2), closed_since=day(1))

    assert counts == {"review": 2, "unchanged": 1}
    assert world.keys() == ["review:9", "review:7", "review:9:r1"]
    assert world.ranker.refreshes == [([LAHCEN], [NEED, OTHER_NEED], {})]
    assert "clos" in world.intents("edit_post")[0].payload["raw"]
    assert world.rematch(day(3), closed_since=day(2)) == {"unchanged": 2}


def test_rematch_gives_the_ranker_the_experts_open_and_matched_needs_and_loads() -> None:
    world = World()
    world.add_need(NEED)
    world.add_need(OTHER_NEED, status="in_progress")
    world.add_expert(LAHCEN)
    world.add_expert(FATIMA, matchable=False)
    with world.uow() as uow:
        brokerage.open_introduction(uow, world.rules, world.need(OTHER_NEED), LAHCEN, USERNAMES[LAHCEN],
                                    (), T0, reviewed=True, by="nadia")
        uow.commit()

    world.rematch(day(1))

    assert world.ranker.refreshes == [([LAHCEN], [NEED], {LAHCEN: 1})]


def test_a_need_codev_does_not_hold_is_left_alone() -> None:
    world = World()

    assert world.refresh(NEED) == "unchanged"
    assert world.intents() == []


def test_whether_a_need_looking_for_an_expert_has_a_strong_candidate_is_kept_once_a_change() -> None:
    world = world_with_candidates(LAHCEN)  # scored 0.9: strong (matching.yaml bands)

    world.refresh()
    world.refresh(at=day(1))
    world.ranker.put(NEED, candidate(LAHCEN, 0.3))
    world.refresh(at=day(2))

    rows = [(c.status, c.at) for c in world.uow().history.changes() if c.kind == "match"]
    assert rows == [("strong", T0), ("weak", day(2))]  # the skill gaps read them (docs/impact.md)
    assert [g.topic for g in world.uow().history.tally(Period()).gaps] == [NEED]
