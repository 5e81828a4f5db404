"""Recruitment campaigns: launch one (a multi-use invite into the experts group, through the outbox),
learn who joined through it from the forum's invite redemptions, and count them. Plain data in and
out, for the CLI and a web form alike (docs/impact.md, docs/guide-animateur.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sync_service.domain.calls import gaps_of
from sync_service.domain.campaigns import Member, campaign_figures, campaign_key, invite_expiry
from sync_service.domain.impact import Period
from sync_service.services.calls import gap_needs
from sync_service.services.forget import TOMBSTONE_PEPPER, tombstone_key
from sync_service.services.outbox import enqueue
from sync_service.services.ports.campaigns import Campaign, InviteReader, Joined
from sync_service.services.ports.storage import Intent, UnitOfWork
from sync_service.services.report import one_key_a_person

MAX_USES = 5000  # SiteSetting.invite_link_max_redemptions_limit (staff)
MAX_DAYS = 366
CLOCK_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class CampaignRules:
    """Which group the invite adds people to, who invites (codev's API user), the keyed hash's pepper."""

    experts_group: str
    inviter: str
    pepper: bytes = TOMBSTONE_PEPPER


def launch(make_uow: Callable[[], UnitOfWork], rules: CampaignRules, name: str, now: datetime, *,
           days: int = 30, max_uses: int = 200, actor: str | None = None) -> dict[str, Any]:
    """Record the campaign and the intent that creates its invite, in one transaction; the same name
    twice is one campaign. Returns the campaign as data, with "created". ValueError: one line."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise ValueError("a campaign needs a name of 1 to 120 characters")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days must be between 1 and {MAX_DAYS}, got {days}")
    if not 1 <= max_uses <= MAX_USES:
        raise ValueError(f"--max-uses must be between 1 and {MAX_USES} (Discourse's limit), got {max_uses}")
    key = campaign_key(name)
    expires = invite_expiry(now, days, key)
    with make_uow() as uow:
        gaps = gaps_of(gap_needs(uow))
        communes = tuple(sorted({c for g in gaps for c in g.communes}))
        campaign = Campaign(key, name, now, expires, max_uses, rules.experts_group, actor,
                            tuple(g.skill for g in gaps), communes)
        created = uow.campaigns.add(campaign)
        if created:
            enqueue(uow, Intent(key, "create_invite", {
                "max_redemptions_allowed": max_uses, "group_names": [rules.experts_group],
                "expires_at": expires.isoformat().replace("+00:00", "Z")}), now)
        uow.commit()
        stored = uow.campaigns.get(key)
    return {**as_data(stored or campaign), "created": created}


def refresh(make_uow: Callable[[], UnitOfWork], reader: InviteReader, rules: CampaignRules,
            now: datetime) -> dict[str, int]:
    """Read the campaigns' invite links and redemptions from the forum; note who joined (their keyed
    hash and when: no id, no name)."""
    with make_uow() as uow:
        campaigns = [c for c in uow.campaigns.all() if c.invite_id is not None]
        latest = max((j.joined_at for j in uow.campaigns.members()), default=None)
    if not campaigns:
        return {"links": 0, "joined": 0}
    # nothing older than the first campaign, nor than the last redemption noted, is new (a day's margin
    # for the two clocks: Discourse stamps redemptions)
    first = min(c.created_at for c in campaigns)
    since = (max(first, latest) if latest else first) - CLOCK_MARGIN
    by_invite = {c.invite_id: c for c in campaigns}
    links: dict[str, str] = {}
    if any(c.link is None for c in campaigns):
        for state in ("pending", "expired"):
            for invite in reader.invites(rules.inviter, state):
                found = by_invite.get(invite.invite_id)
                if found is not None and found.link is None and invite.link:
                    links[found.key] = invite.link
    redemptions = reader.redemptions(rules.inviter, since)
    joined = 0
    with make_uow() as uow:
        for key, link in links.items():
            uow.campaigns.set_link(key, link)
        for redemption in redemptions:
            campaign = by_invite.get(redemption.invite_id)
            if campaign is None:
                continue
            person = tombstone_key("person", redemption.user_id, rules.pepper)
            joined += uow.campaigns.record(Joined(campaign.key, person, redemption.redeemed_at or now))
        uow.commit()
    return {"links": len(links), "joined": joined}


def summaries(make_uow: Callable[[], UnitOfWork], pepper: bytes = TOMBSTONE_PEPPER,
              period: Period | None = None, *, names: bool = False) -> list[dict[str, Any]]:
    """Per campaign: what it is, and who joined through it and then accepted an introduction (in the
    period, all time by default); with `names`, the usernames of the matchable experts among them."""
    period = period or Period()
    with make_uow() as uow:
        campaigns = uow.campaigns.all()
        if not campaigns:
            return []
        known = ({tombstone_key("person", e.user_id, pepper): e.username for e in uow.experts.matchable()}
                 if names else {})
        members = [Member(j.campaign_key, j.person_key, j.joined_at, known.get(j.person_key))
                   for j in uow.campaigns.members()]
        accepted = uow.history.introductions(period, "accepted")
    figures = campaign_figures(members, one_key_a_person(accepted, pepper, always=True), period,
                               [c.key for c in campaigns])
    return [{**as_data(c), "joined": figures[c.key].joined, "accepted": figures[c.key].accepted,
             "joined_usernames": list(figures[c.key].joined_names),
             "accepted_usernames": list(figures[c.key].accepted_names)} for c in campaigns]


def find(make_uow: Callable[[], UnitOfWork], name_or_key: str) -> dict[str, Any] | None:
    """A campaign by its key or its name (as launched), as data; None when there is none."""
    key = name_or_key if name_or_key.startswith("campaign:") else campaign_key(" ".join(name_or_key.split()))
    with make_uow() as uow:
        found = uow.campaigns.get(key)
    return as_data(found) if found is not None else None


def as_data(campaign: Campaign) -> dict[str, Any]:
    """The campaign as JSON-ready data."""
    data: Mapping[str, Any] = dataclasses.asdict(campaign)
    return {**data, "created_at": campaign.created_at.isoformat(),
            "expires_at": campaign.expires_at.isoformat(), "skills": list(campaign.skills),
            "communes": list(campaign.communes)}
