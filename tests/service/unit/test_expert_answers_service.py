"""The expert's yes or no in an introduction PM (services/answers.py), on the fakes: the need's status
follows, only the expert's own words count, an answer after expiry is thanked once, each post is read once."""

from __future__ import annotations

from sync_service.domain.brokerage import ACCEPTED, DECLINED, EXPIRED, PENDING
from tests.service.unit.brokerage_world import AUTHOR, LAHCEN, MANAGER, day, introduced, read_under_lock


def test_the_expert_accepts_and_the_need_is_in_progress() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, "lahcen.oubaha", "**J’accepte** avec plaisir, appelons-nous.")

    assert world.read(pm.topic_id, day(2)) == ACCEPTED

    intro = world.intro(LAHCEN)
    assert (intro.status, intro.answered_at, intro.closed_at) == (ACCEPTED, day(2), day(2))
    assert world.need().status == "in_progress"
    thanks = world.store.intent("intro:7:42:answer")
    assert thanks is not None and thanks.payload["topic_id"] == pm.topic_id
    assert "accepte d'échanger" in thanks.payload["raw"]


def test_the_expert_declines_and_the_need_looks_for_someone_else() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, "lahcen.oubaha", "Non, désolé, je ne suis pas disponible.")

    assert world.read(pm.topic_id, day(2)) == DECLINED

    assert world.need().status == "open"
    thanks = world.store.intent("intro:7:42:answer")
    assert thanks is not None and "Nous proposerons ce besoin" in thanks.payload["raw"]


def test_only_the_expert_answers_for_themselves() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, AUTHOR, "Oui, nous sommes disponibles la semaine prochaine.")
    world.forum.post(pm.topic_id, MANAGER, "non")

    assert world.read(pm.topic_id, day(1)) == "read"
    assert world.intro(LAHCEN).status == PENDING and world.intro(LAHCEN).last_post_number == 3


def test_an_answer_after_expiry_is_thanked_once_and_changes_nothing() -> None:
    world, pm = introduced(LAHCEN)
    world.tick(day(7))
    world.tick(day(14))
    world.forum.post(pm.topic_id, "lahcen.oubaha", "Oui, désolé pour le retard !")
    world.forum.post(pm.topic_id, "lahcen.oubaha", "oui")

    assert world.read(pm.topic_id, day(15)) == "read"
    world.forum.post(pm.topic_id, "lahcen.oubaha", "J'accepte")
    world.read(pm.topic_id, day(16))

    assert world.intro(LAHCEN).status == EXPIRED
    assert world.keys("reply") == ["intro:7:42:reminder", "intro:7:42:expiry", "intro:7:42:late"]


def test_each_pm_post_is_read_once() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, "lahcen.oubaha", "oui")
    world.read(pm.topic_id, day(1))

    assert world.read(pm.topic_id, day(2)) == "read"
    assert world.intro(LAHCEN).last_post_number == 2
    assert world.keys("reply") == ["intro:7:42:answer"]


def test_an_introduction_is_read_under_its_needs_lock_so_two_workers_apply_the_answer_once() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, "lahcen.oubaha", "oui")

    assert read_under_lock(world, pm.topic_id) == ACCEPTED
    assert read_under_lock(world, pm.topic_id) == "read"
    assert world.intro(LAHCEN).status == ACCEPTED and world.keys("reply") == ["intro:7:42:answer"]
