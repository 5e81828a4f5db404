"""What every implementation of ports.followup.FollowupRepository must do, run (as storage_contract.py)
on the fakes (unit/test_fakes.py) and on SQLite and PostgreSQL (integration/test_storage_contract.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sync_service.domain.followup import Experience, Followup, experience_key, followup_key
from sync_service.domain.needs import NeedDetails
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent, UnitOfWork

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
NEED, OTHER_NEED, AUTHOR, EXPERT = 7, 8, 12, 42
Make = Callable[[], UnitOfWork]


def day(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _need(make: Make, topic_id: int, statuses: list[tuple[str, float]]) -> None:
    need = NeedDetails(topic_id, f"Besoin {topic_id}", AUTHOR, "rkia", commune_group="commune-anzi")
    with make() as uow:
        for status, when in statuses:
            uow.needs.save(dataclasses.replace(need, status=status), day(when), day(when))
        uow.commit()


def _asked(topic_id: int, user_id: int, when: float = 30) -> Followup:
    return Followup(topic_id, user_id, f"user{user_id}", "author", "fr", day(when))


def test_contract_a_need_is_due_from_its_first_outcome_until_its_people_are_asked(make: Make) -> None:
    _need(make, NEED, [("open", 0), ("served", 2), ("funded", 5)])
    _need(make, OTHER_NEED, [("open", 0), ("served", 3), ("closed", 4)])

    with make() as uow:
        assert uow.followups.due_needs(day(0), day(2)) == []  # [since, before)
        assert uow.followups.due_needs(day(0), day(40)) == [NEED]  # closed without outcome: not due
        assert uow.followups.due_needs(day(2.5), day(40)) == []  # first served at day 2
        assert uow.followups.add_experience(Experience(NEED, day(32)))
        assert not uow.followups.add_experience(Experience(NEED, day(33)))
        uow.commit()
    with make() as uow:
        assert uow.followups.due_needs(day(0), day(40)) == []


def test_contract_a_follow_up_is_added_once_saved_in_place_and_found_by_its_message(make: Make) -> None:
    _need(make, NEED, [("served", 0)])
    with make() as uow:
        assert uow.followups.add(_asked(NEED, AUTHOR))
        assert not uow.followups.add(_asked(NEED, AUTHOR, 31))
        uow.followups.add_experience(Experience(NEED, day(30)))
        enqueue(uow, Intent(followup_key(NEED, AUTHOR), "private_message", {
            "title": "Retour", "raw": "Bonjour", "target_recipients": ["user12"]}, person_id=AUTHOR), day(30))
        uow.commit()
    with make() as uow:
        [row] = uow.outbox.claim("sender", day(30), 10, 60)
        uow.outbox.mark_sent(row, day(30), 900, 901)
        answers = dataclasses.replace(_asked(NEED, AUTHOR), answers=("Fait", "", "Oui"), answered_at=day(31),
                                      consent=True, consent_at=day(31), last_post_number=3)
        uow.followups.save(answers, day(31))
        uow.followups.save(dataclasses.replace(answers, last_post_number=4), day(32))  # no second row
        uow.commit()

    with make() as uow:
        found = uow.followups.by_pm_topic(900)
        assert found == dataclasses.replace(answers, last_post_number=4, pm_topic_id=900)
        assert uow.followups.of_need(NEED) == [found]
        assert [f.user_id for f in uow.followups.listening(day(0))] == [AUTHOR]
        assert [(r.kind, r.status, r.at) for r in uow.history.changes() if r.kind == "experience"] == [
            ("experience", "received", day(31))]


def test_contract_a_publication_is_noted_once_and_ends_the_listening(make: Make) -> None:
    _need(make, NEED, [("served", 0)])
    with make() as uow:
        uow.followups.add(_asked(NEED, AUTHOR))
        uow.followups.add_experience(Experience(NEED, day(30)))
        assert uow.followups.published(NEED, day(35))
        assert not uow.followups.published(NEED, day(36))
        assert not uow.followups.published(OTHER_NEED, day(36))  # no experience
        uow.commit()

    with make() as uow:
        assert uow.followups.experiences() == [Experience(NEED, day(30), day(35))]
        assert uow.followups.listening(day(0)) == []
        assert [r.status for r in uow.history.changes() if r.kind == "experience"] == ["published"]
        assert experience_key(NEED) == "experience:7"


def test_contract_forgetting_a_person_or_a_need_deletes_their_follow_ups(make: Make) -> None:
    _need(make, NEED, [("served", 0)])
    with make() as uow:
        for user in (AUTHOR, EXPERT):
            uow.followups.add(_asked(NEED, user))
        uow.followups.add(_asked(OTHER_NEED, EXPERT))
        uow.followups.add_experience(Experience(NEED, day(30)))
        uow.commit()
    with make() as uow:
        assert uow.followups.forget_person(EXPERT) == 2
        assert uow.followups.forget_need(NEED) == 2  # the author's follow-up and the experience
        uow.commit()

    with make() as uow:
        assert uow.followups.of_need(NEED) == [] and uow.followups.of_need(OTHER_NEED) == []
        assert uow.followups.experience(NEED) is None


def test_contract_forgetting_a_person_calls_off_a_publication_not_yet_sent(make: Make) -> None:
    _need(make, NEED, [("served", 0)])
    with make() as uow:
        uow.followups.add(_asked(NEED, AUTHOR))
        uow.followups.add(_asked(NEED, EXPERT))
        uow.followups.add_experience(Experience(NEED, day(30)))
        uow.followups.published(NEED, day(35))
        enqueue(uow, Intent(experience_key(NEED), "create_topic", {"title": "Retour", "raw": "Texte"}),
                day(35))
        uow.commit()
    with make() as uow:
        assert uow.followups.forget_person(EXPERT) == 2
        uow.commit()

    with make() as uow:
        assert uow.followups.experience(NEED) == Experience(NEED, day(30))
        assert [r.status for r in uow.history.changes() if r.kind == "experience"] == []
        assert uow.outbox.claim("sender", day(36), 10, 60) == []
