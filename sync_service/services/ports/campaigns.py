"""What recruitment campaigns need: their storage (campaigns, who joined through each) and reading the
forum's invites (the inviter's invites and who redeemed them). No e-mail address crosses these ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Campaign:
    """A recruitment campaign: one multi-use Discourse invite into the experts group, and its call.

    `key` is also the outbox intent that creates the invite; `invite_id` is read from that intent once
    sent, `link` once codev read the invite back (GET /u/{inviter}/invited.json)."""

    key: str
    name: str
    created_at: datetime
    expires_at: datetime
    max_uses: int
    group: str
    created_by: str | None
    skills: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    invite_id: int | None = None
    link: str | None = None


@dataclass(frozen=True)
class Joined:
    """A person who joined the forum through a campaign's invite: only the keyed hash of their forum id
    (the tombstone's and the history's) and when. Joining is not consenting to be matched, so nothing
    more is kept; a name is shown only while the person is a consenting expert."""

    campaign_key: str
    person_key: str
    joined_at: datetime


@dataclass(frozen=True)
class InviteSnapshot:
    """One of the inviter's invites as Discourse shows it (InviteSerializer, link invites)."""

    invite_id: int
    link: str | None
    expires_at: datetime | None
    max_redemptions_allowed: int | None
    redemption_count: int | None
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Redemption:
    """One redemption of the inviter's invites (InvitedUserSerializer: the invite id and the user)."""

    invite_id: int
    user_id: int
    username: str
    redeemed_at: datetime | None


class CampaignRepository(Protocol):
    """Campaigns by key, and who joined through each."""

    def add(self, campaign: Campaign) -> bool:
        """Insert; False when the key exists (nothing changes then)."""
        ...

    def get(self, key: str) -> Campaign | None:
        """One campaign, its invite id joined from its sent outbox intent."""
        ...

    def all(self) -> list[Campaign]:
        """Every campaign, oldest first."""
        ...

    def set_link(self, key: str, link: str) -> None:
        """Record the invite link read back from the forum."""
        ...

    def members(self) -> list[Joined]:
        """Everyone who joined through a campaign, in the order they joined."""
        ...

    def record(self, joined: Joined) -> bool:
        """Note a person who joined; False when that person is already noted for that campaign."""
        ...


class InviteReader(Protocol):
    """The inviter's invites, as GET /u/{username}/invited.json lists them."""

    def invites(self, inviter: str, state: str) -> list[InviteSnapshot]:
        """Invites still redeemable ("pending") or past their expiry ("expired"), every page."""
        ...

    def redemptions(self, inviter: str, since: datetime | None = None) -> list[Redemption]:
        """The redemptions of the inviter's invites ("redeemed", newest first), back to `since` (the
        pages stop there; every page when None)."""
        ...
