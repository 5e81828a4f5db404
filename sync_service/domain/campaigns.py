"""Recruitment campaigns counted: per campaign, the experts who joined through its invite in the period,
and those of them who then accepted an introduction (docs/impact.md). Pure, like domain/impact.py."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync_service.domain.impact import INTRODUCTION, Period, StatusChange

KEY_PREFIX = "campaign:"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Member:
    """Who joined a campaign: the keyed hash of their forum id, when, and their name while known."""

    campaign_key: str
    person_key: str
    joined_at: datetime
    username: str | None = None


@dataclass(frozen=True)
class CampaignFigures:
    """A campaign's counts for a period; names of the people counted who are still known."""

    joined: int
    accepted: int
    joined_names: tuple[str, ...] = ()
    accepted_names: tuple[str, ...] = ()


def campaign_key(name: str) -> str:
    """The campaign's key (and its invite's intent key), stable for a name: its ASCII slug and a hash."""
    folded = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", folded).strip("-")[:40] or "campagne"
    digest = hashlib.sha256(" ".join(name.casefold().split()).encode()).hexdigest()[:8]
    return f"{KEY_PREFIX}{slug}-{digest}"


def invite_expiry(created: datetime, days: int, key: str) -> datetime:
    """When the invite expires: `days` after creation, at a second of that day drawn from the key.

    Discourse gives an invite no external id; after an unclear outcome codev finds its invite again by
    expiry (to the second), uses and groups, and two campaigns of one day thus differ."""
    day = (created + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    second = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 86_400
    return day + timedelta(seconds=second)


def campaign_figures(members: Iterable[Member], changes: Iterable[StatusChange], period: Period,
                     keys: Iterable[str]) -> dict[str, CampaignFigures]:
    """campaign key -> who joined in the period, and who of them accepted an introduction in the period.

    Joining through an invite creates the account, so every introduction such a person accepts comes
    after they joined; the moments are not compared (Discourse's clock stamps the redemption, codev's
    the acceptance). `changes` carry every expert under the keyed hash their rows take when forgotten
    ("forgotten:<key>"), as services/report.one_key_a_person gives them."""
    accepted: dict[str, list[datetime]] = {}
    for change in changes:
        if change.kind == INTRODUCTION and change.status == "accepted" and change.expert is not None:
            accepted.setdefault(change.expert.removeprefix("forgotten:"), []).append(change.at)
    by_campaign: dict[str, list[Member]] = {key: [] for key in keys}
    for member in members:
        if period.holds(member.joined_at) and member.campaign_key in by_campaign:
            by_campaign[member.campaign_key].append(member)
    return {key: _figures(joined, accepted, period) for key, joined in by_campaign.items()}


def _figures(joined: list[Member], accepted: Mapping[str, list[datetime]], period: Period) -> CampaignFigures:
    took = [m for m in joined if any(period.holds(at) for at in accepted.get(m.person_key, ()))]
    return CampaignFigures(len(joined), len(took), _names(joined), _names(took))


def _names(members: list[Member]) -> tuple[str, ...]:
    return tuple(sorted({m.username for m in members if m.username}))
