"""Discourse's invites, read for recruitment campaigns: the inviter's invites and who redeemed them.

GET /u/{username}/invited.json?filter=pending|expired|redeemed (UsersController#invited) lists them,
SiteSetting.invites_per_page (40) a page from `offset`. Pending and expired invites come through
InviteSerializer (id, link, expires_at, max_redemptions_allowed, redemption_count, groups); each
redemption through InvitedUserSerializer, whose `id` is the invite's and whose `user` is a basic user
(id, username). No e-mail address is read: codev never asks with `search`, and skips the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sync_service.adapters.discourse.client import Forbidden, ForumProtocolError, NotFound, Transport
from sync_service.services.ports.campaigns import InviteSnapshot, Redemption
from sync_service.services.ports.forum import AccessDenied, ForumUnavailable

PER_PAGE = 40  # SiteSetting.invites_per_page
MAX_PAGES = 250


class DiscourseInvites:
    """Implements ports.campaigns.InviteReader on a Transport (the admin key, paced)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def invites(self, inviter: str, state: str) -> list[InviteSnapshot]:
        """The inviter's pending (redeemable) or expired invites, every page."""
        if state not in ("pending", "expired"):
            raise ValueError(f"invite state must be pending or expired, got {state!r}")
        return [snapshot for row in self._rows(inviter, state) if (snapshot := _invite(row)) is not None]

    def redemptions(self, inviter: str, since: datetime | None = None) -> list[Redemption]:
        """The redemptions of the inviter's invites, newest first, back to `since` (Invite.redeemed_users
        orders them by redeemed_at descending, so the pages stop at the first older one)."""
        found: list[Redemption] = []
        for row in self._rows(inviter, "redeemed"):
            redemption = _redemption(row)
            if redemption is None:
                continue
            if since is not None and redemption.redeemed_at is not None and redemption.redeemed_at < since:
                break
            found.append(redemption)
        return found

    def _rows(self, inviter: str, state: str) -> Iterator[Mapping[str, Any]]:
        for page in range(MAX_PAGES):
            body = self._page(inviter, state, page * PER_PAGE)
            rows = body.get("invites") if isinstance(body, dict) else None
            if not isinstance(rows, list):
                return
            yield from (r for r in rows if isinstance(r, dict))
            if len(rows) < PER_PAGE:
                return


    def _page(self, inviter: str, state: str, offset: int) -> Any:
        path = f"/u/{inviter}/invited.json"
        try:
            return self.transport.get_json(path, {"filter": state, "offset": offset})
        except NotFound:
            raise AccessDenied(f"the forum has no user {inviter!r} to list the invites of: check "
                               "discourse.api_username") from None
        except Forbidden:
            raise AccessDenied(f"the forum does not let {inviter!r} list its invites: codev's API key "
                               "needs an admin user") from None
        except ForumProtocolError as exc:
            raise ForumUnavailable(f"GET {path}: {exc}") from None


def find_invite(invites: list[InviteSnapshot], payload: Mapping[str, Any]) -> InviteSnapshot | None:
    """The invite an earlier create_invite made: same expiry (to the second), uses and groups."""
    wanted = _moment(payload.get("expires_at"))
    uses = int(payload["max_redemptions_allowed"])
    groups = set(payload.get("group_names") or ())
    for invite in invites:
        if (invite.expires_at is not None and wanted is not None
                and int(invite.expires_at.timestamp()) == int(wanted.timestamp())
                and invite.max_redemptions_allowed == uses and set(invite.groups) == groups):
            return invite
    return None


def _invite(row: Mapping[str, Any]) -> InviteSnapshot | None:
    if not isinstance(row.get("id"), int):
        return None
    groups = tuple(str(g.get("name")) for g in row.get("groups") or [] if isinstance(g, dict))
    link = row.get("link")
    return InviteSnapshot(row["id"], link if isinstance(link, str) else None, _moment(row.get("expires_at")),
                          _int(row.get("max_redemptions_allowed")), _int(row.get("redemption_count")), groups)


def _redemption(row: Mapping[str, Any]) -> Redemption | None:
    user = row.get("user")
    if not isinstance(row.get("id"), int) or not isinstance(user, dict):
        return None
    if not isinstance(user.get("id"), int) or not isinstance(user.get("username"), str):
        return None
    return Redemption(row["id"], user["id"], user["username"], _moment(row.get("redeemed_at")))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
