"""Invites as InviteSerializer, InvitedUserSerializer and InvitedSerializer render them (staff viewer:
can_see_invite_details). Sources: app/serializers/invite_serializer.rb, invited_user_serializer.rb,
invited_user_record_serializer.rb, invited_serializer.rb."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from discourse_sandbox.core.records import Invite, InvitedUser, User
from discourse_sandbox.core.state import State
from discourse_sandbox.serializers.avatars import basic_user_json
from discourse_sandbox.serializers.groups import basic_group_json


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def invite_json(state: State, invite: Invite, viewer: User, base_url: str, now: datetime, *,
                show_emails: bool = False) -> dict[str, Any]:
    """InviteSerializer: e-mail invites show emailed and custom_message, link invites their uses."""
    body: dict[str, Any] = {"id": invite.id, "invite_key": invite.invite_key,
                            "link": f"{base_url}/invites/{invite.invite_key}", "description": None}
    if invite.email and show_emails and invite.redemption_count == 0:
        body["email"] = invite.email
    body["domain"] = None
    if invite.email:
        body["emailed"] = False  # skip_email or not, the sandbox sends no mail: emailed_status not_required
    body["can_delete_invite"] = viewer.admin or viewer.id == invite.invited_by_id
    if invite.email:
        body["custom_message"] = invite.custom_message
    else:
        body["max_redemptions_allowed"] = invite.max_redemptions_allowed
        body["redemption_count"] = invite.redemption_count
    body.update({"created_at": _time(invite.created_at), "updated_at": _time(invite.updated_at),
                 "expires_at": _time(invite.expires_at), "expired": invite.expires_at < now,
                 "grants_admin": False, "grants_moderator": False, "topics": [],
                 "groups": [basic_group_json(state, state.groups[gid], viewer)
                            for gid in invite.group_ids if gid in state.groups]})
    return body


def invited_user_json(state: State, redemption: InvitedUser, now: datetime) -> dict[str, Any]:
    """InvitedUserSerializer: the invite's id, when, the user (InvitedUserRecordSerializer)."""
    invite = state.invites[redemption.invite_id]
    user = state.users.get(redemption.user_id)
    record: dict[str, Any] | None = None
    if user is not None:
        record = {**basic_user_json(user), "topics_entered": 0, "posts_read_count": 0,
                  "last_seen_at": _time(user.last_seen_at) if user.last_seen_at else None, "time_read": 0,
                  "days_visited": 0, "days_since_created": max((now - user.created_at).days, 0) + 1}
    return {"id": invite.id, "redeemed_at": _time(redemption.redeemed_at), "user": record,
            "invite_source": "email" if invite.email else "link"}


def invited_json(state: State, page: list[Invite] | list[InvitedUser], counts: dict[str, int],
                 inviter: User, viewer: User, base_url: str, now: datetime) -> dict[str, Any]:
    """InvitedSerializer: {invites, can_see_invite_details, counts}; a page of redemptions is
    rendered by InvitedUserSerializer, a page of invites by InviteSerializer."""
    emails = viewer.staff or viewer.id == inviter.id  # guardian.can_see_invite_emails?(inviter)
    invites = [invited_user_json(state, row, now) if isinstance(row, InvitedUser)
               else invite_json(state, row, viewer, base_url, now, show_emails=emails) for row in page]
    return {"invites": invites, "can_see_invite_details": viewer.staff or viewer.id == inviter.id,
            "counts": counts}


def invite_info_json(invite: Invite, inviter: User | None) -> dict[str, Any]:
    """InvitesController#show_invite's JSON for an anonymous visitor of a redeemable invite."""
    email = None if invite.email is None else _obfuscate(invite.email)
    return {"invited_by": basic_user_json(inviter) if inviter else None, "email": email,
            "hidden_email": invite.email is not None, "username": "", "is_invite_link": invite.email is None,
            "email_verified_by_link": False}


def _obfuscate(email: str) -> str:
    """Email.obfuscate: the first and last letters of each side kept."""
    local, _, domain = email.partition("@")
    return f"{_hide(local)}@{_hide(domain)}"


def _hide(part: str) -> str:
    return part if len(part) <= 2 else part[0] + "*" * (len(part) - 2) + part[-1]
