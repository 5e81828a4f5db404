"""The follow-up of a need served or funded (services/followup.py, services/testimony.py) on the fakes:
who is asked and when, exactly once; answers and consent read from their replies; publication only
when everyone agreed, once; the report's counts; forgetting a person."""

from __future__ import annotations

import pytest

from sync_service.domain import followup as f_
from sync_service.domain.followup import Followup
from sync_service.domain.impact import Period
from sync_service.domain.impact_tally import impact_report
from sync_service.services import followup, testimony
from sync_service.services.forget import forget_person
from sync_service.services.testimony import NotPublishable
from tests.service.unit.brokerage_world import (
    AUTHOR,
    AUTHOR_ID,
    LAHCEN,
    MANAGER,
    MEMBER,
    NEED,
    USERNAMES,
    World,
    day,
    introduced,
)

PRACTICES = 17
EXPERT = USERNAMES[LAHCEN]
AUTHOR_SAYS = ("1. Le réseau d'eau des six douars a été étudié puis raccordé.\n"
               "2. Les familles ont l'eau au robinet depuis mars.\n"
               "3. Oui, sans hésiter.")
EXPERT_SAYS = ("J'accepte la publication de mon témoignage\n"
               "1. Une étude hydraulique et le suivi du chantier, à distance.\n"
               "2) Moins de corvées d'eau pour les femmes et les enfants.\n"
               "3 - Oui : la commune était très bien organisée.")


def served() -> World:
    """Lahcen accepted, then the manager marked the need served at day 0; everything sent."""
    world, pm = introduced(LAHCEN)
    world.forum.post(pm.topic_id, EXPERT, "J'accepte cette mise en relation")
    assert world.read(pm.topic_id) == "accepted"
    review = world.review_topic()
    world.forum.post(review.topic_id, MANAGER, "servi : le besoin a trouvé son expert")
    assert world.read(review.topic_id) == "served"
    world.send()
    return world


def ask(world: World, days: float) -> int:
    return followup.ask_due(world.uow, world.rules, day(days))


def followups(world: World) -> dict[str, Followup]:
    return {f.username: f for f in world.uow().followups.of_need(NEED)}


def message(world: World, username: str) -> int:
    topic = followups(world)[username].pm_topic_id
    assert topic is not None, f"the follow-up message to {username} was not sent"
    return topic


def answered() -> World:
    """30 days later both were asked, the messages sent; both answered, only the expert agreed."""
    world = served()
    assert ask(world, 30) == 1
    world.send(day(30))
    world.forum.post(message(world, AUTHOR), AUTHOR, AUTHOR_SAYS)
    world.forum.post(message(world, EXPERT), EXPERT, EXPERT_SAYS)
    assert world.read(message(world, AUTHOR), day(31)) == "answered"
    assert world.read(message(world, EXPERT), day(31)) == "agreed"
    world.send(day(31))
    return world


# --- asking ----------------------------------------------------------------------------------------

def test_the_author_and_the_expert_are_asked_once_after_the_delay() -> None:
    world = served()

    assert ask(world, 29.9) == 0
    assert ask(world, 30) == 1
    assert ask(world, 31) == 0  # once per need, whatever the passes

    messages = world.intents("private_message")[1:]  # the introduction first
    assert [(m.key, m.person_id) for m in messages] == [(f"followup:{NEED}:{AUTHOR_ID}", AUTHOR_ID),
                                                       (f"followup:{NEED}:{LAHCEN}", LAHCEN)]
    assert messages[0].payload["target_recipients"] == [AUTHOR, "animateurs"]
    raw = messages[1].payload["raw"]
    assert "Qu'est-ce qui a été fait ?" in raw and "` J'accepte la publication de mon témoignage `" in raw
    assert set(followups(world)) == {AUTHOR, EXPERT}
    assert {f.role for f in followups(world).values()} == {f_.AUTHOR, f_.EXPERT}


def test_the_delay_is_the_setting_and_a_need_served_long_ago_is_not_asked() -> None:
    world = served().with_rules(followup_days=10)

    assert ask(world, 9) == 0 and ask(world, 10) == 1

    late = served()
    assert ask(late, 30 * followup.LOOK_BACK + 1) == 0  # served before the follow-up existed


def test_an_expert_is_asked_in_their_language() -> None:
    world, pm = introduced(LAHCEN)
    with world.uow() as uow:
        stored = uow.experts.get(LAHCEN)
        assert stored is not None
        uow.experts.save(stored.profile.__class__(LAHCEN, EXPERT, languages=("ar",)), day(0), day(0))
        uow.commit()
    world.forum.post(pm.topic_id, EXPERT, "J'accepte cette mise en relation")
    world.read(pm.topic_id)
    world.forum.post(world.review_topic().topic_id, MANAGER, "financé : le projet a obtenu son financement")
    assert world.read(world.review_topic().topic_id) == "funded"

    assert ask(world, 30) == 1

    assert followups(world)[EXPERT].locale == "ar" and followups(world)[AUTHOR].locale == "fr"
    assert "أوافق على نشر شهادتي" in world.store.intent(f"followup:{NEED}:{LAHCEN}").payload["raw"]  # type: ignore[union-attr]


def test_a_need_closed_without_outcome_is_not_followed_up() -> None:
    world, _ = introduced(LAHCEN)
    with world.uow() as uow:
        stored = uow.needs.get(NEED)
        assert stored is not None
        uow.needs.save(stored.details.__class__(**{**stored.details.__dict__, "status": "closed"}),
                       day(0), day(0))
        uow.commit()

    assert ask(world, 60) == 0


# --- answers and consent ---------------------------------------------------------------------------

def test_answers_are_recorded_by_question_and_acknowledged_once() -> None:
    world = answered()

    author, expert = followups(world)[AUTHOR], followups(world)[EXPERT]
    assert author.answers == ("Le réseau d'eau des six douars a été étudié puis raccordé.",
                              "Les familles ont l'eau au robinet depuis mars.", "Oui, sans hésiter.")
    assert expert.answers[1] == "Moins de corvées d'eau pour les femmes et les enfants."
    assert (author.consent, expert.consent) == (None, True)
    keys = world.keys("reply")
    assert f"followup:{NEED}:{AUTHOR_ID}:thanks" in keys and f"followup:{NEED}:{LAHCEN}:publish" in keys

    world.forum.post(message(world, AUTHOR), AUTHOR, "Et merci encore à toute l'équipe !")
    assert world.read(message(world, AUTHOR), day(32)) == "read"
    assert keys.count(f"followup:{NEED}:{AUTHOR_ID}:thanks") == 1
    assert followups(world)[AUTHOR].answers[0].endswith("Et merci encore à toute l'équipe !")


def test_only_the_persons_own_posts_count_in_their_message() -> None:
    world = served()
    ask(world, 30)
    world.send(day(30))
    topic = message(world, AUTHOR)

    world.forum.post(topic, MANAGER, "J'accepte la publication de mon témoignage")
    world.forum.post(topic, MEMBER, "1. Rien du tout")
    assert world.read(topic, day(31)) == "read"

    assert followups(world)[AUTHOR].answers == ("", "", "") and followups(world)[AUTHOR].consent is None


def test_a_person_may_change_their_mind_until_publication() -> None:
    world = answered()
    topic = message(world, EXPERT)

    world.forum.post(topic, EXPERT, "Je préfère que mon témoignage reste privé")
    assert world.read(topic, day(32)) == "kept private"

    assert followups(world)[EXPERT].consent is False
    assert f"followup:{NEED}:{LAHCEN}:keep_private" in world.keys("reply")


# --- publication -----------------------------------------------------------------------------------

def test_nothing_is_published_before_everyone_agreed() -> None:
    world = answered()

    with pytest.raises(NotPublishable) as refused:
        testimony.publish(world.uow, world.rules.translator, NEED, PRACTICES, day(32))

    assert refused.value.reason == "not_agreed"
    assert world.keys("create_topic") == ["review:7"]


def test_the_manager_publishes_the_draft_once() -> None:
    world = answered()
    world.forum.post(message(world, AUTHOR), AUTHOR, "J'accepte la publication de mon témoignage")
    world.read(message(world, AUTHOR), day(33))
    with world.uow() as uow:
        [line] = testimony.overview(uow)
        draft = testimony.draft(uow, world.rules.translator, NEED)
    assert line.state == testimony.PUBLISHABLE

    queued = testimony.publish(world.uow, world.rules.translator, NEED, PRACTICES, day(34))
    with pytest.raises(NotPublishable) as again:
        testimony.publish(world.uow, world.rules.translator, NEED, PRACTICES, day(35))
    world.send(day(34))

    assert again.value.reason == "already"
    row = world.store.intent(f"experience:{NEED}")
    assert row is not None and row.status == "sent" and row.payload["category"] == PRACTICES
    assert draft.title == "Retour d'expérience : Eau potable pour six douars d'Anzi (besoin n° 7)"
    assert "### Qu'est-ce que cela a changé pour la commune ?" in draft.raw
    assert "Pour la commune, [rkia\\.ouali](/u/rkia.ouali) : Les familles ont l\\'eau au robinet" in draft.raw
    assert queued.raw.startswith(draft.raw) and "<!-- codev:intent:experience:7 -->" in queued.raw
    with world.uow() as uow:
        [line] = testimony.overview(uow)
    assert line.state == testimony.PUBLISHED and line.experience.topic_id is not None


def test_an_edited_text_is_published_instead_of_the_draft() -> None:
    world = answered()
    world.forum.post(message(world, AUTHOR), AUTHOR, "J'accepte la publication de mon témoignage")
    world.read(message(world, AUTHOR), day(33))

    queued = testimony.publish(world.uow, world.rules.translator, NEED, PRACTICES, day(34),
                               raw="Texte relu par l'équipe.")

    assert queued.raw == "Texte relu par l'équipe.\n\n<!-- codev:intent:experience:7 -->\n"


def test_answers_are_quoted_inert_in_the_draft() -> None:
    world = served()
    ask(world, 30)
    world.send(day(30))
    world.forum.post(message(world, AUTHOR), AUTHOR, "1. <script>x</script> @tout_le_monde [lien](http://x.example)")
    world.read(message(world, AUTHOR), day(31))

    with world.uow() as uow:
        raw = testimony.draft(uow, world.rules.translator, NEED).raw

    assert "<script>" not in raw and "\\<script\\>" in raw and "](http" not in raw and "@\u2060tout" in raw


# --- the report and forgetting ---------------------------------------------------------------------

def test_the_report_counts_testimonies_received_and_experiences_published() -> None:
    world = answered()
    world.forum.post(message(world, AUTHOR), AUTHOR, "J'accepte la publication de mon témoignage")
    world.read(message(world, AUTHOR), day(33))
    testimony.publish(world.uow, world.rules.translator, NEED, PRACTICES, day(34))

    changes = world.uow().history.changes()
    whole = impact_report(changes, Period(), {})
    before = impact_report(changes, Period(end=day(34)), {})

    assert whole.experiences == {"received": 2, "published": 1}
    assert before.experiences == {"received": 2, "published": 0}


def test_forgetting_a_person_purges_their_answers_and_keeps_the_counts() -> None:
    world = answered()

    with world.uow() as uow:
        forget_person(uow, LAHCEN, EXPERT, day(40), gone=True)
        uow.commit()

    assert set(followups(world)) == {AUTHOR}
    assert impact_report(world.uow().history.changes(), Period(), {}).experiences["received"] == 2


def test_forgetting_a_person_before_the_send_calls_the_publication_off() -> None:
    world = answered()
    world.forum.post(message(world, AUTHOR), AUTHOR, "J'accepte la publication de mon témoignage")
    world.read(message(world, AUTHOR), day(33))
    testimony.publish(world.uow, world.rules.translator, NEED, PRACTICES, day(34))

    with world.uow() as uow:
        forget_person(uow, LAHCEN, EXPERT, day(34), gone=True)
        uow.commit()
    world.send(day(34))

    assert world.store.intent(f"experience:{NEED}") is None
    with world.uow() as uow:
        assert "Une étude hydraulique" not in testimony.draft(uow, world.rules.translator, NEED).raw
    assert impact_report(world.uow().history.changes(), Period(), {}).experiences["published"] == 0
