"""Recruitment campaigns on the fakes: launched once through the outbox, the invite made once even after
an unclear outcome, who joined learnt from the redemptions, counted with who then accepted, forgetting
a person leaving the counts as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_service.domain.campaigns import campaign_key, invite_expiry
from sync_service.domain.impact import INTRODUCTION, Period
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services import campaigns
from sync_service.services.brokerage_loop import BrokerageLoop
from sync_service.services.forget import forget_person, tombstone_key
from sync_service.services.outbox import SendPolicy, send_due
from sync_service.services.ports.campaigns import InviteSnapshot, Joined, Redemption
from sync_service.services.ports.forum import AccessDenied, UnclearOutcome
from tests.service.unit.brokerage_world import World
from tests.service.unit.fakes import FakeForum, FakeInvites, FakeStore, FakeUnitOfWork, FakeWriter
from tests.service.unit.fakes.records import HistoryRecord

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
RULES = campaigns.CampaignRules("experts", "system", b"test-pepper")
LINK = "https://forum.example/invites/Xk3m9PqR2a"


def _store() -> FakeStore:
    uow = FakeUnitOfWork()
    with uow:
        uow.needs.save(NeedDetails(1, "Eau", 10, "rkia", commune_group="commune-anzi", commune="Anzi",
                                   skills=("Hydraulique",)), NOW, NOW)
        uow.commit()
    return uow.store


def _launched(store: FakeStore) -> dict[str, object]:
    return campaigns.launch(lambda: FakeUnitOfWork(store), RULES, "Hiver 2026 : eau potable", NOW,
                            days=60, max_uses=50, actor="youness.azougagh")


def _send(store: FakeStore, writer: FakeWriter, at: datetime) -> None:
    send_due(lambda: FakeUnitOfWork(store), writer, "w1", lambda: at, SendPolicy(settle_seconds=0))


def test_launching_a_campaign_twice_records_it_once_with_one_invite_intent() -> None:
    store = _store()

    first, again = _launched(store), _launched(store)

    assert first["created"] and not again["created"] and first["key"] == again["key"]
    assert first["skills"] == ["Hydraulique"] and first["communes"] == ["Anzi"]
    [intent] = store.intents("create_invite")
    assert intent.key == campaign_key("Hiver 2026 : eau potable")
    expires = invite_expiry(NOW, 60, intent.key).isoformat().replace("+00:00", "Z")
    assert intent.payload == {"max_redemptions_allowed": 50, "group_names": ["experts"],
                              "expires_at": expires}


@pytest.mark.parametrize(("days", "uses", "message"), [(0, 5, "--days"), (30, 0, "--max-uses"),
                                                       (30, 5001, "--max-uses")])
def test_a_campaign_outside_discourse_limits_is_refused(days: int, uses: int, message: str) -> None:
    store = _store()

    with pytest.raises(ValueError, match=message):
        campaigns.launch(lambda: FakeUnitOfWork(store), RULES, "x", NOW, days=days, max_uses=uses)
    assert store.intents() == []


def test_two_campaigns_of_one_day_expire_at_different_seconds() -> None:
    a, b = campaign_key("printemps"), campaign_key("automne")

    assert invite_expiry(NOW, 30, a) != invite_expiry(NOW, 30, b)
    assert invite_expiry(NOW, 30, a).date() == (NOW + timedelta(days=30)).date()


def test_an_invite_whose_creation_answer_was_lost_is_found_not_made_twice() -> None:
    store = _store()
    _launched(store)
    writer = FakeWriter(FakeForum(), username="system")
    writer.fail_next(UnclearOutcome("timeout"), written=True)

    _send(store, writer, NOW)
    _send(store, writer, NOW + timedelta(minutes=5))

    assert len(writer.invites) == 1 and writer.located == [campaign_key("Hiver 2026 : eau potable")]
    campaign = FakeUnitOfWork(store).campaigns.all()[0]
    assert campaign.invite_id == writer.invites[0][0]


def _joined_story() -> tuple[FakeStore, FakeInvites]:
    store = _store()
    _launched(store)
    writer = FakeWriter(FakeForum(), username="system")
    _send(store, writer, NOW)
    invite_id = writer.invites[0][0]
    invites = FakeInvites()
    invites.by_inviter["system"] = [
        InviteSnapshot(invite_id, LINK, NOW + timedelta(days=60), 50, 2, ("experts",)),
        InviteSnapshot(99, "https://forum.example/invites/other", None, 1, 0, ())]
    invites.redeemed["system"] = [Redemption(invite_id, 101, "amina.tazi", NOW + timedelta(days=1)),
                                  Redemption(invite_id, 102, "omar.haddou", NOW + timedelta(days=2)),
                                  Redemption(99, 103, "someone.else", NOW + timedelta(days=2))]
    # Amina accepts an introduction on day 9; Omar declines the one he is offered
    store.history += [
        HistoryRecord(1, INTRODUCTION, 1, "accepted", NOW + timedelta(days=9), expert_user_id=101,
                      expert_username="amina.tazi"),
        HistoryRecord(2, INTRODUCTION, 1, "declined", NOW + timedelta(days=9), expert_user_id=102,
                      expert_username="omar.haddou")]
    return store, invites


def test_who_joined_through_the_campaign_and_who_then_accepted_are_counted() -> None:
    store, invites = _joined_story()

    result = campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)
    again = campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)
    [row] = campaigns.summaries(lambda: FakeUnitOfWork(store), RULES.pepper)

    assert result == {"links": 1, "joined": 2} and again == {"links": 0, "joined": 0}
    assert row["link"] == LINK
    assert (row["joined"], row["accepted"]) == (2, 1)
    assert row["joined_usernames"] == row["accepted_usernames"] == []  # no name unless asked
    assert all("@" not in str(value) for value in row.values())  # no e-mail address anywhere
    keys = [tombstone_key("person", user_id, RULES.pepper) for user_id in (101, 102)]
    assert sorted(store.joined, key=lambda j: j.joined_at) == [
                            Joined(row["key"], keys[0], NOW + timedelta(days=1)),
                            Joined(row["key"], keys[1], NOW + timedelta(days=2))]  # nothing more kept


def test_names_are_shown_only_of_the_matchable_experts_among_those_who_joined() -> None:
    store, invites = _joined_story()
    campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)
    uow = FakeUnitOfWork(store)
    with uow:  # Amina filled in her profile and consented; Omar did not (yet)
        uow.experts.save(ExpertProfile(101, "amina.tazi"), NOW, NOW)
        uow.commit()

    [row] = campaigns.summaries(lambda: FakeUnitOfWork(store), RULES.pepper, names=True)

    assert row["joined_usernames"] == row["accepted_usernames"] == ["amina.tazi"]


def test_a_period_counts_who_joined_and_accepted_within_it() -> None:
    store, invites = _joined_story()
    campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)

    [first_week] = campaigns.summaries(lambda: FakeUnitOfWork(store), RULES.pepper,
                                       Period(NOW, NOW + timedelta(days=7)))

    assert (first_week["joined"], first_week["accepted"]) == (2, 0)


def test_forgetting_a_person_who_joined_keeps_the_counts_without_the_name() -> None:
    store, invites = _joined_story()
    campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)
    uow = FakeUnitOfWork(store)
    with uow:
        uow.experts.save(ExpertProfile(101, "amina.tazi"), NOW, NOW)
        uow.commit()
    with uow:
        forget_person(uow, 101, "amina.tazi", NOW, gone=True, pepper=RULES.pepper)
        uow.commit()

    campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)  # she is still in Discourse's list
    [row] = campaigns.summaries(lambda: FakeUnitOfWork(store), RULES.pepper, names=True)

    assert (row["joined"], row["accepted"]) == (2, 1)
    assert row["joined_usernames"] == row["accepted_usernames"] == []


def test_the_redemptions_are_read_back_to_the_last_one_noted_not_from_the_beginning() -> None:
    store, invites = _joined_story()

    campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW)
    first = invites.asked_since
    campaigns.refresh(lambda: FakeUnitOfWork(store), invites, RULES, NOW + timedelta(days=3))

    assert first == NOW - timedelta(days=1)  # the campaign's launch, less a day for the clocks
    assert invites.asked_since == NOW + timedelta(days=2) - timedelta(days=1)  # Omar's, less a day


def test_the_worker_s_sweep_reads_who_joined_and_a_refusal_leaves_the_pass_be() -> None:
    world = World()
    asked: list[datetime] = []

    def refused(now: datetime) -> dict[str, int]:
        asked.append(now)
        raise AccessDenied("the forum does not let 'system' list its invites")

    loop = BrokerageLoop(lambda: FakeUnitOfWork(world.store), world.ranker, world.rules, world.forum,
                         world.writer, "w1", lambda: NOW, refresh_campaigns=refused)
    report = loop.run_pass(NOW)

    assert asked == [NOW] and "error" not in report
    assert report["campaigns"] == {"error": "the forum does not let 'system' list its invites"}
    assert loop.next_sweep == NOW + loop.sweep_every
