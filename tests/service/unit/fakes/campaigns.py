"""Fakes of the campaign ports: FakeCampaigns (CampaignRepository, on a FakeStore) and FakeInvites
(InviteReader: an inviter's invites and their redemptions, arranged by the test)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sync_service.services.ports.campaigns import Campaign, InviteSnapshot, Joined, Redemption
from tests.service.unit.fakes.records import OnStore

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FakeCampaigns(OnStore):
    """ports.campaigns.CampaignRepository; the invite id is read from the sent outbox row, as in SQL."""

    def add(self, campaign: Campaign) -> bool:
        if campaign.key in self.data.campaigns:
            return False
        self.data.campaigns[campaign.key] = replace(campaign, invite_id=None)
        return True

    def get(self, key: str) -> Campaign | None:
        campaign = self.data.campaigns.get(key)
        if campaign is None:
            return None
        sent = self.data.sent(key)
        return replace(campaign, invite_id=sent.post_id if sent is not None else None)

    def all(self) -> list[Campaign]:
        found = [self.get(key) for key in sorted(self.data.campaigns,
                                                 key=lambda k: (self.data.campaigns[k].created_at, k))]
        return [c for c in found if c is not None]

    def set_link(self, key: str, link: str) -> None:
        if key in self.data.campaigns:
            self.data.campaigns[key] = replace(self.data.campaigns[key], link=link)

    def members(self) -> list[Joined]:
        return sorted(self.data.joined, key=lambda j: j.joined_at)

    def record(self, joined: Joined) -> bool:
        if any(j.campaign_key == joined.campaign_key and j.person_key == joined.person_key
               for j in self.data.joined):
            return False
        self.data.joined.append(joined)
        return True


class FakeInvites:
    """ports.campaigns.InviteReader over invites and redemptions the test arranges."""

    def __init__(self) -> None:
        self.by_inviter: dict[str, list[InviteSnapshot]] = {}
        self.redeemed: dict[str, list[Redemption]] = {}
        self.expired: set[int] = set()
        self.reads = 0
        self.asked_since: datetime | None = None

    def invites(self, inviter: str, state: str) -> list[InviteSnapshot]:
        self.reads += 1
        mine = self.by_inviter.get(inviter.lower(), [])
        return [i for i in mine if (i.invite_id in self.expired) == (state == "expired")]

    def redemptions(self, inviter: str, since: datetime | None = None) -> list[Redemption]:
        self.reads += 1
        self.asked_since = since
        newest = sorted(self.redeemed.get(inviter.lower(), []), key=lambda r: r.redeemed_at or EPOCH,
                        reverse=True)
        return [r for r in newest if since is None or r.redeemed_at is None or r.redeemed_at >= since]
