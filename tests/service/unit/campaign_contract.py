"""What every CampaignRepository must do (ports.campaigns), run on the fakes (unit/test_fakes.py) and
on SQLite and PostgreSQL (integration/test_storage_contract.py), like storage_contract.py."""

from __future__ import annotations

from datetime import timedelta

from sync_service.domain.campaigns import campaign_key, invite_expiry
from sync_service.services.outbox import enqueue
from sync_service.services.ports.campaigns import Campaign, Joined
from sync_service.services.ports.storage import Intent
from tests.service.unit.storage_contract import T0, Make, at, send

KEY = campaign_key("Hiver 2026")
CAMPAIGN = Campaign(KEY, "Hiver 2026", T0, invite_expiry(T0, 30, KEY), 50, "experts", "nadia",
                    ("Hydraulique",), ("Anzi",))


def _launch(make: Make) -> None:
    with make() as uow:
        assert uow.campaigns.add(CAMPAIGN)
        enqueue(uow, Intent(KEY, "create_invite", {"max_redemptions_allowed": 50, "group_names": ["experts"],
                                                   "expires_at": "2026-12-29T10:00:00Z"}), T0)
        uow.commit()


def test_contract_a_campaign_is_added_once_and_takes_its_invite_id_once_sent(make: Make) -> None:
    _launch(make)
    with make() as uow:
        assert not uow.campaigns.add(CAMPAIGN)
        before = uow.campaigns.get(KEY)
    send(make, {KEY: (None, 77)})
    with make() as uow:
        uow.campaigns.set_link(KEY, "https://forum.example/invites/Xk3m9PqR2a")
        uow.commit()
    with make() as uow:
        after = uow.campaigns.get(KEY)
        listed = uow.campaigns.all()
        missing = uow.campaigns.get("campaign:none")

    assert before is not None and before.invite_id is None
    assert after == Campaign(**{**CAMPAIGN.__dict__, "invite_id": 77,
                                "link": "https://forum.example/invites/Xk3m9PqR2a"})
    assert listed == [after] and missing is None


def test_contract_who_joined_is_noted_once_in_the_order_they_joined(make: Make) -> None:
    _launch(make)
    amina = Joined(KEY, "a" * 64, at(60))
    omar = Joined(KEY, "b" * 64, at(30))
    with make() as uow:
        assert uow.campaigns.record(amina) and uow.campaigns.record(omar)
        assert not uow.campaigns.record(amina)
        uow.commit()
    with make() as uow:
        members = uow.campaigns.members()

    assert members == [omar, amina]
    assert members[1].joined_at - members[0].joined_at == timedelta(minutes=30)
