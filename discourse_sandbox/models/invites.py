"""Invites as InvitesController and UsersController#invited serve them: create (e-mail or link invites,
multi-use, with an expiry and groups), show, redeem by a new user who then joins the invite's groups,
and the inviter's lists (pending, expired, redeemed). Sources: app/models/invite.rb (generate,
redeemable?, pending, expired, redeemed_users, ensure_max_redemptions_allowed),
app/controllers/invites_controller.rb (create, show, perform_accept_invitation),
app/controllers/users_controller.rb (invited), lib/invite_redeemer.rb."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from discourse_sandbox.core.errors import fail, found, invalid_access, invalid_parameters
from discourse_sandbox.core.events import UserEvent
from discourse_sandbox.core.params import as_int, as_list
from discourse_sandbox.core.records import Group, Invite, InvitedUser, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

INVITE_EXPIRY_DAYS = 90          # SiteSetting.invite_expiry_days
MAX_REDEMPTIONS_LIMIT = 5000     # SiteSetting.invite_link_max_redemptions_limit (staff inviters)
MAX_REDEMPTIONS_USERS = 10       # SiteSetting.invite_link_max_redemptions_limit_users
INVITES_PER_PAGE = 40            # SiteSetting.invites_per_page
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
NOT_FOUND_JSON = "This invitation is invalid or has expired."                    # invite.not_found_json
CONFIRM_EMAIL = ("You're almost done! We sent an activation mail to your email address. Please follow "
                 "the instructions in the mail to activate your account.")        # invite.confirm_email
USER_EXISTS = "There's no need to invite %s, they already have an account!"       # invite.user_exists


class Accounts(Protocol):
    """What invites ask of the users area."""

    def new_account_errors(self, state: State, username: str, email: str, password: str) -> list[str]:
        """User's validations of a new account, full messages."""
        ...


class RedeemRefused(Exception):
    """perform_accept_invitation's refusals: failed_json with a message ({"success": "FAILED", ...})."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class InviteList:
    """GET /u/{username}/invited: the page of invites (or redemptions) and the counts."""

    inviter: User
    kind: str  # pending | expired | redeemed
    invites: list[Invite]
    redemptions: list[InvitedUser]
    counts: dict[str, int]


def redeemable(invite: Invite, now: datetime) -> bool:
    """Invite#redeemable?: not used up, not expired, not deleted."""
    return not redeemed(invite) and invite.expires_at >= now and invite.deleted_at is None


def redeemed(invite: Invite) -> bool:
    """Invite#redeemed?: a link invite is used up at max_redemptions_allowed."""
    return invite.redemption_count >= invite.max_redemptions_allowed


class Invites:
    """InvitesController and the invited lists of UsersController."""

    def __init__(self, site: Site, accounts: Accounts) -> None:
        self.site = site
        self.accounts = accounts

    def create(self, viewer: User, args: dict[str, Any]) -> Invite:
        """InvitesController#create through Invite.generate; 422 with Rails' message when invalid."""
        with self.site.state.transaction() as state:
            groups = _lookup_groups(state, args.get("group_ids"), args.get("group_names"))
            if not (viewer.staff or (viewer.trust_level >= 2 and not groups)):
                invalid_access()  # guardian.ensure_can_invite_to_forum!(groups): editing groups is staff's
            email = str(args.get("email") or "").strip().lower() or None
            if email is not None:
                if any(u.email.lower() == email and not u.staged for u in state.users.values()):
                    fail(422, USER_EXISTS % email)
                if "@" not in email:
                    fail(422, "Email is invalid")
            given = args.get("max_redemptions_allowed")
            uses = 1 if given in (None, "") else as_int(given, "max_redemptions_allowed")
            limit = MAX_REDEMPTIONS_LIMIT if viewer.staff else MAX_REDEMPTIONS_USERS
            if email is not None and uses != 1:
                fail(422, "Max redemptions allowed must be 1 for email invites.")
            if not 1 <= uses <= limit:
                fail(422, f"Max redemptions allowed must be between 1 and {limit}.")
            now = self.site.clock.now()
            expires = _moment(args.get("expires_at")) or now + timedelta(days=INVITE_EXPIRY_DAYS)
            invite = Invite(id=state.next_id("invites"), invite_key=_key(), invited_by_id=viewer.id,
                            created_at=now, updated_at=now, expires_at=expires,
                            email=email, custom_message=str(args.get("custom_message") or "") or None,
                            max_redemptions_allowed=uses, group_ids=[g.id for g in groups])
            state.invites[invite.id] = invite
            return invite

    def show(self, key: str) -> tuple[Invite | None, User | None]:
        """InvitesController#show: the invite when redeemable (and its inviter), else None."""
        with self.site.state.transaction() as state:
            invite = _by_key(state, key)
            if invite is None or not redeemable(invite, self.site.clock.now()):
                return invite, None
            return invite, state.users.get(invite.invited_by_id)

    def redeem(self, key: str, args: dict[str, Any]) -> User:
        """perform_accept_invitation by a new (anonymous) user: the user is created inactive (they
        confirm their e-mail address), joins the invite's groups, and the redemption is counted."""
        with self.site.state.transaction() as state:
            invite = _by_key(state, key)
            if invite is None:
                raise RedeemRefused(404, NOT_FOUND_JSON)
            if invite.email is None and not str(args.get("email") or "").strip():
                invalid_parameters("email")
            email = (invite.email or str(args["email"])).strip().lower()
            if not redeemable(invite, self.site.clock.now()):
                raise RedeemRefused(404, NOT_FOUND_JSON)  # Invite#redeem returns nil: user.blank?
            if any(u.email.lower() == email and not u.staged for u in state.users.values()):
                raise RedeemRefused(412, USER_EXISTS % email)
            username = str(args.get("username") or "").strip()
            password = str(args.get("password") or "")
            errors = self.accounts.new_account_errors(state, username, email, password)
            if errors:
                raise RedeemRefused(412, "Validation failed: " + ", ".join(errors))
            now = self.site.clock.now()
            user = User(id=state.next_id("users"), username=username, name=str(args.get("name") or ""),
                        email=email, created_at=now, updated_at=now, password=password, active=False,
                        trust_level=0)
            state.users[user.id] = user
            for group_id in invite.group_ids:
                group = state.groups.get(group_id)
                if group is not None and not group.automatic and user.id not in group.user_ids:
                    group.user_ids.append(user.id)
            redemption = InvitedUser(state.next_id("invited_users"), invite.id, user.id, now)
            state.invited_users[redemption.id] = redemption
            invite.redemption_count += 1
            invite.updated_at = now
            self.site.events.emit(UserEvent("user_created", user))
            return user

    def invited(self, viewer: User, username: str, kind: str, offset: int) -> InviteList:
        """UsersController#invited: one page (INVITES_PER_PAGE) of the inviter's invites of that kind."""
        with self.site.state.transaction() as state:
            inviter = found(state.user_by_username(username))
            if not viewer.staff and viewer.id != inviter.id:
                invalid_access()
            now = self.site.clock.now()
            mine = [i for i in state.invites.values()
                    if i.invited_by_id == inviter.id and i.deleted_at is None]
            pending = sorted((i for i in mine if not redeemed(i) and i.expires_at > now),
                             key=lambda i: i.updated_at, reverse=True)
            expired = sorted((i for i in mine if not redeemed(i) and i.expires_at < now),
                             key=lambda i: i.expires_at)
            ids = {i.id for i in state.invites.values() if i.invited_by_id == inviter.id}
            taken = sorted((r for r in state.invited_users.values() if r.invite_id in ids),
                           key=lambda r: r.redeemed_at, reverse=True)
            counts = {"pending": len(pending), "expired": len(expired), "redeemed": len(taken),
                      "total": len(pending) + len(expired)}
            window = slice(offset, offset + INVITES_PER_PAGE)
            invites = {"pending": pending, "expired": expired}.get(kind, [])[window]
            return InviteList(inviter, kind, invites, taken[window] if kind == "redeemed" else [], counts)


def _by_key(state: State, key: str) -> Invite | None:
    return next((i for i in state.invites.values() if i.invite_key == key), None)


def _key() -> str:
    return "".join(secrets.choice(_BASE58) for _ in range(10))  # SecureRandom.base58(10)


def _lookup_groups(state: State, group_ids: Any, group_names: Any) -> list[Group]:
    """Group.lookup_groups: ids, then names (comma lists); unknown ones are dropped."""
    groups = list(state.groups.values())
    ids = as_list(group_ids)
    if ids:
        wanted = {int(i) for i in ids if str(i).strip().lstrip("-").isdigit()}
        groups = [g for g in groups if g.id in wanted]
    names = {n.lower() for n in as_list(group_names)}
    if names:
        groups = [g for g in groups if g.name.lower() in names]
    return groups if ids or names else []


def _moment(value: Any) -> datetime | None:
    """expires_at as Rails casts it: an unreadable time is nil (and the default expiry applies)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
