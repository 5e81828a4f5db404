"""Routes: invites (InvitesController: create, show, perform_accept_invitation) and the inviter's
lists (UsersController#invited)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_int
from discourse_sandbox.models.invites import NOT_FOUND_JSON, RedeemRefused
from discourse_sandbox.routes.guards import current_backend, current_user, require_login
from discourse_sandbox.serializers.invites import invite_info_json, invite_json, invited_json

bp = Blueprint("invites", __name__)


def _base_url() -> str:
    return request.host_url.rstrip("/")


@bp.post("/invites")
def create_invite() -> Response:
    """InvitesController#create: the invite (InviteSerializer, emails shown when one was given)."""
    viewer = require_login()
    args = params()
    backend = current_backend()
    invite = backend.invites.create(viewer, args)
    with backend.transaction() as state:
        return json_reply(invite_json(state, invite, viewer, _base_url(), backend.now(),
                                      show_emails="email" in args))


@bp.get("/invites/<key>")
def show_invite(key: str) -> Response:
    """InvitesController#show (JSON): what the sign-up page of a redeemable invite shows; an invite
    used up, expired or unknown renders Discourse's error page instead."""
    if current_user() is not None:
        return Response("<!DOCTYPE html><html><body><p>You are already logged in.</p></body></html>", 200,
                        content_type="text/html; charset=utf-8")
    invite, inviter = current_backend().invites.show(key)
    if invite is None or inviter is None:
        return Response(f"<!DOCTYPE html><html><body><p>{NOT_FOUND_JSON}</p></body></html>", 200,
                        content_type="text/html; charset=utf-8")
    return json_reply(invite_info_json(invite, inviter))


@bp.put("/invites/show/<key>")
def accept_invite(key: str) -> Response:
    """InvitesController#perform_accept_invitation by a new user: {"success": "OK", "message"}."""
    try:
        current_backend().invites.redeem(key, params())
    except RedeemRefused as refused:
        return json_reply({"success": "FAILED", "message": refused.message}, refused.status)
    # the user is not active until they confirm their e-mail address: no redirect, a message
    return json_reply({"success": "OK", "message": "You're almost done! We sent an activation mail to "
                       "your email address. Please follow the instructions in the mail to activate your "
                       "account."})


@bp.get("/u/<username>/invited")
def invited(username: str) -> Response:
    """UsersController#invited: filter pending, expired or redeemed (default), 40 a page from offset."""
    viewer = require_login()
    args = params()
    kind = str(args.get("filter") or "redeemed")
    offset = max(as_int(args.get("offset") or 0, "offset"), 0)
    backend = current_backend()
    listing = backend.invites.invited(viewer, username, kind, offset)
    with backend.transaction() as state:
        page = listing.redemptions if listing.kind == "redeemed" else listing.invites
        return json_reply(invited_json(state, page, listing.counts, listing.inviter, viewer, _base_url(),
                                       backend.now()))
