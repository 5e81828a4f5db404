"""Recruitment campaigns and who joined through each (ports.campaigns.CampaignRepository)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import utc
from sync_service.adapters.db.tables import CampaignMemberRecord, CampaignRecord, OutboxIntent
from sync_service.services.ports.campaigns import Campaign, Joined


class SqlCampaignRepository:
    """Campaigns by key; the invite's id is read from the sent outbox row of the campaign's intent."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, campaign: Campaign) -> bool:
        """Insert; False when the key exists."""
        if self.session.get(CampaignRecord, campaign.key) is not None:
            return False
        try:
            with self.session.begin_nested():
                self.session.add(CampaignRecord(
                    key=campaign.key, name=campaign.name, created_at=campaign.created_at,
                    expires_at=campaign.expires_at, max_uses=campaign.max_uses, group_name=campaign.group,
                    created_by=campaign.created_by, skills=list(campaign.skills),
                    communes=list(campaign.communes), link=campaign.link))
        except IntegrityError:
            return False
        return True

    def get(self, key: str) -> Campaign | None:
        """One campaign with its invite id (once the intent was sent)."""
        found = self._read(CampaignRecord.key == key)
        return found[0] if found else None

    def all(self) -> list[Campaign]:
        """Every campaign, oldest first."""
        return self._read(None)

    def set_link(self, key: str, link: str) -> None:
        """Record the invite link read back from the forum."""
        self.session.execute(update(CampaignRecord).where(CampaignRecord.key == key).values(link=link))

    def members(self) -> list[Joined]:
        """Everyone who joined through a campaign, in the order they joined."""
        m = CampaignMemberRecord
        rows = self.session.scalars(select(m).order_by(m.joined_at, m.campaign_key, m.person_key))
        return [Joined(r.campaign_key, r.person_key, utc(r.joined_at)) for r in rows]

    def record(self, joined: Joined) -> bool:
        """Note a person who joined; False when already noted for that campaign."""
        if self.session.get(CampaignMemberRecord, (joined.campaign_key, joined.person_key)) is not None:
            return False
        try:
            with self.session.begin_nested():
                self.session.add(CampaignMemberRecord(
                    campaign_key=joined.campaign_key, person_key=joined.person_key,
                    joined_at=joined.joined_at))
        except IntegrityError:
            return False
        return True

    def _read(self, where: ColumnElement[bool] | None) -> list[Campaign]:
        c, o = CampaignRecord, OutboxIntent
        query = (select(c, o.post_id).outerjoin(o, (o.intent_key == c.key) & (o.status == "sent"))
                 .order_by(c.created_at, c.key))
        if where is not None:
            query = query.where(where)
        return [Campaign(key=r.key, name=r.name, created_at=utc(r.created_at), expires_at=utc(r.expires_at),
                         max_uses=r.max_uses, group=r.group_name, created_by=r.created_by,
                         skills=tuple(r.skills or ()), communes=tuple(r.communes or ()),
                         invite_id=post_id, link=r.link)
                for r, post_id in self.session.execute(query)]

