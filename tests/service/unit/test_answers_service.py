"""What community managers answer in a review topic (services/answers.py), on the fakes: reply
commands and approval tags, and which topics are read at all."""

from __future__ import annotations

import pytest

from sync_service.domain.brokerage import ACCEPTED, DISCARDED, PENDING, WITHDRAWN
from sync_service.services.ports.forum import UnclearOutcome
from sync_service.services.ports.storage import Deferred
from tests.service.unit.brokerage_world import (
    FATIMA,
    HASSAN,
    LAHCEN,
    MANAGER,
    MEMBER,
    NEED,
    YOUSSEF,
    day,
    introduced,
    read_under_lock,
    reviewing,
)

# --- routing ---------------------------------------------------------------------------------------

def test_a_reply_in_a_topic_codev_did_not_open_is_ignored() -> None:
    world, _ = reviewing()
    other = world.forum.open_thread("Bonnes pratiques", "Partageons nos expériences.", MEMBER)
    world.forum.post(other.topic_id, MANAGER, "approuver 1, merci")

    assert world.read(other.topic_id) == "ignored"
    assert [name for name, _ in world.forum.calls if name == "thread"] == []  # not even read
    assert world.uow().introductions.of_need(NEED) == []


def test_a_reply_in_a_topic_codev_may_have_opened_unknowingly_waits_for_the_outbox() -> None:
    # The forum took the PM and answered 500: until the sender finds its marker, a reply in a topic
    # codev does not know may be in that PM; it is kept (Deferred), never finished as ignored.
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver lahcen.oubaha, merci")
    assert world.read(topic.topic_id) == "approved"
    world.writer.fail_next(UnclearOutcome("HTTP 500 after the write"), written=True, key_prefix="intro:")
    world.send()
    pm = next(t for t in world.forum.threads.values() if t.key == "intro:7:42")
    world.forum.post(pm.topic_id, "lahcen.oubaha", "J'accepte cette mise en relation")

    with pytest.raises(Deferred):
        world.read(pm.topic_id)
    world.send(day(1))  # the sender finds the PM by its external id
    assert world.read(pm.topic_id, day(1)) != "ignored"
    assert world.intro(LAHCEN).status == ACCEPTED


def test_a_review_topic_is_read_and_an_introduction_pm_too() -> None:
    world, pm = introduced()

    assert world.read(world.review_topic().topic_id, day(1)) == "read"
    assert world.read(pm.topic_id, day(1)) == "read"


# --- review commands -------------------------------------------------------------------------------

def test_a_community_manager_approves_a_candidate_by_rank() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "Approuver 2, merci")

    assert world.read(topic.topic_id, day(1)) == "approved"

    intro = world.intro(FATIMA)
    assert (intro.status, intro.reviewed, intro.approved_by, intro.opened_at) == (PENDING, True, MANAGER,
                                                                                  day(1))
    assert world.keys("private_message") == ["intro:7:43"]
    assert world.need().status == "matched" and world.review().last_post_number == 2


def test_a_member_who_is_not_a_community_manager_cannot_approve() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MEMBER, "approuver 1 s'il vous plaît")

    assert world.read(topic.topic_id) == "read"
    assert world.uow().introductions.of_need(NEED) == [] and world.keys() == ["review:7"]
    assert world.review().last_post_number == 2  # read, not to be read again


def test_staff_approve_without_being_in_the_managers_group() -> None:
    world, topic = reviewing()
    world.forum.add_user(2, "admin", staff=True)
    world.forum.post(topic.topic_id, "admin", "valider 1, merci")

    assert world.read(topic.topic_id) == "approved"
    assert world.intro(LAHCEN).approved_by == "admin"


def test_a_manager_approves_by_username_a_consenting_expert_codev_did_not_rank() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver @youssef.k, il connaît la région")

    assert world.read(topic.topic_id) == "approved"
    assert world.intro(YOUSSEF).status == PENDING


def test_a_manager_approves_by_username_an_unranked_expert_whose_username_has_capitals() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver Hassan_B, merci")

    assert world.read(topic.topic_id) == "approved"
    assert world.intro(HASSAN).status == PENDING


def test_an_unknown_candidate_is_answered_in_the_topic() -> None:
    world, topic = reviewing()
    world.add_expert(HASSAN, matchable=False)
    world.forum.post(topic.topic_id, MANAGER, "approuver 4, merci")  # two are shown
    world.forum.post(topic.topic_id, MANAGER, "approuver nobody.here, merci")

    assert world.read(topic.topic_id) == "unknown candidate"

    replies = world.intents("reply")
    assert [(r.key, r.payload["reply_to_post_number"]) for r in replies] == [("review:7:p2", 2),
                                                                             ("review:7:p3", 3)]
    assert "nobody\\.here" in replies[1].payload["raw"] and "Je ne trouve pas" in replies[1].payload["raw"]
    assert world.uow().introductions.of_need(NEED) == []


def test_discarding_a_candidate_contacts_nobody_and_codev_proposes_them_no_more() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "écarter 1 : pas disponible cet été")

    assert world.read(topic.topic_id) == "discarded"
    assert world.refresh(at=day(1)) == "review"

    intro = world.intro(LAHCEN)
    assert (intro.status, intro.approved_by) == (DISCARDED, MANAGER)
    assert world.keys() == ["review:7", "review:7:r1"]  # no PM
    assert world.ranker.ranked[-1][2] == frozenset({LAHCEN})
    assert world.need().status == "open"


@pytest.mark.parametrize(("command", "status"), [("servi, merci à tous", "served"),
                                                 ("Besoin financé par l'INDH", "funded")])
def test_served_or_funded_closes_the_need_and_withdraws_pending_introductions(command: str,
                                                                               status: str) -> None:
    world, _ = introduced(LAHCEN)
    topic = world.review_topic()
    world.forum.post(topic.topic_id, MANAGER, command)

    assert world.read(topic.topic_id, day(2)) == status

    assert world.need().status == status and world.intro(LAHCEN).status == WITHDRAWN
    close = world.store.intent("need:7:close")
    assert close is not None and (close.kind, close.payload) == ("close_topic", {"topic_id": NEED})
    assert world.store.intent("intro:7:42:withdrawn") is not None


def test_a_rank_is_refused_while_the_forum_shows_the_previous_ranking() -> None:
    world, topic = reviewing()
    world.rank(NEED, FATIMA, LAHCEN)
    world.refresh(at=day(1))  # the edit is decided, not sent: the topic still shows Lahcen first
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")

    assert world.read(topic.topic_id, day(1)) == "ranking changed"
    assert world.uow().introductions.of_need(NEED) == []
    answer = world.store.intent("review:7:p2")
    assert answer is not None and "Le classement vient de changer" in answer.payload["raw"]

    world.forum.post(topic.topic_id, MANAGER, "approuver lahcen.oubaha, merci")  # a name is safe
    assert world.read(topic.topic_id, day(1)) == "approved"


def test_a_rank_names_the_new_ranking_once_its_edit_is_published() -> None:
    world, topic = reviewing()
    world.rank(NEED, FATIMA, LAHCEN)
    world.refresh(at=day(1))
    world.send(day(1))
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")

    assert world.read(topic.topic_id, day(1)) == "approved"
    assert world.intro(FATIMA).status == PENDING


def test_a_candidate_approved_twice_is_introduced_once() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")
    world.forum.post(topic.topic_id, MANAGER, "approuver lahcen.oubaha, merci")

    assert world.read(topic.topic_id) == "approved"  # the read reports its decision, not its last post
    assert world.keys("private_message") == ["intro:7:42"]


def test_no_introduction_opens_once_an_expert_accepted() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, "lahcen.oubaha", "J'accepte avec plaisir.")
    world.read(pm.topic_id, day(1))
    topic = world.review_topic()
    world.forum.post(topic.topic_id, MANAGER, "approuver fatima.z, merci")

    assert world.read(topic.topic_id, day(2)) == "not looking"
    assert world.uow().introductions.get(NEED, FATIMA) is None
    assert world.store.intent("review:7:p3") is not None


def test_each_review_post_is_read_once() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")
    world.read(topic.topic_id)
    world.forum.post(topic.topic_id, MANAGER, "merci, on attend sa réponse")

    assert world.read(topic.topic_id, day(1)) == "read"
    assert world.read(topic.topic_id, day(1)) == "read"

    assert [a for name, a in world.forum.calls if name == "thread"] == [
        (topic.topic_id, 1), (topic.topic_id, 2), (topic.topic_id, 3)]
    assert world.keys("private_message") == ["intro:7:42"]


# --- approval tags ---------------------------------------------------------------------------------

def test_an_approval_tag_approves_its_rank_once_while_it_stays() -> None:
    world, topic = reviewing()
    world.forum.tag(topic.topic_id, "approuver-2")

    assert world.read(topic.topic_id) == "approved"
    assert world.read(topic.topic_id, day(1)) == "read"

    assert world.intro(FATIMA).approved_by == "approuver-2"
    assert world.keys("private_message") == ["intro:7:43"]
    assert world.review().handled_tags == ("approuver-2",)


def test_an_approval_tag_removed_and_added_again_is_read_again() -> None:
    world, topic = reviewing()
    world.forum.tag(topic.topic_id, "approuver-1")
    world.read(topic.topic_id)
    world.forum.untag(topic.topic_id, "approuver-1")
    world.read(topic.topic_id, day(1))
    world.forum.tag(topic.topic_id, "approuver-1")

    assert world.read(topic.topic_id, day(2)) == "already asked"
    assert world.keys("private_message") == ["intro:7:42"]


def test_an_approval_tag_is_answered_once_while_the_ranking_changes() -> None:
    world, topic = reviewing()
    world.rank(NEED, FATIMA, LAHCEN)
    world.refresh(at=day(1))
    world.forum.tag(topic.topic_id, "approuver-1")

    assert world.read(topic.topic_id, day(1)) == "ranking changed"
    assert world.read(topic.topic_id, day(1)) == "read"
    assert world.keys("reply") == ["review:7:approuver-1:r1"]
    assert world.uow().introductions.of_need(NEED) == []


# --- threads gone, and two workers at once ---------------------------------------------------------

def test_a_review_topic_is_read_under_its_needs_lock_so_two_workers_apply_a_command_once() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")

    assert read_under_lock(world, topic.topic_id) == "approved"
    assert read_under_lock(world, topic.topic_id) == "read"  # the second worker, after the first
    assert world.keys("private_message") == ["intro:7:42"]


def test_a_deleted_thread_is_ignored() -> None:
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, "lahcen.oubaha", "oui")
    pm.deleted = True
    world.review_topic().deleted = True

    assert world.read(world.review().topic_id or 0) == "ignored"
    assert world.read(pm.topic_id) == "ignored"
    assert world.intro(LAHCEN).status == PENDING


def test_a_review_topic_of_a_need_codev_no_longer_holds_is_ignored() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")
    with world.uow() as uow:
        uow.needs.delete(NEED)
        uow.commit()

    assert world.read(topic.topic_id) == "ignored"
    assert world.uow().introductions.of_need(NEED) == []


def test_an_approval_tag_with_arabic_digits_is_answered_while_the_ranking_changes() -> None:
    world, topic = reviewing()
    world.rank(NEED, FATIMA, LAHCEN)
    world.refresh(at=day(1))
    world.forum.tag(topic.topic_id, "approuver-٢")

    assert world.read(topic.topic_id, day(1)) == "ranking changed"


def test_an_approval_followed_by_a_repeat_still_reports_the_approval() -> None:
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, "approuver 1, merci")
    world.forum.post(topic.topic_id, MANAGER, "écarter 1 : déjà contacté par ailleurs")

    # the loop re-ranks after a decision: a repeat after it must not hide that one was made
    assert world.read(topic.topic_id) == "approved"
