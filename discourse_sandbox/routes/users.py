"""Routes: user profiles and sign-up (the directory is in directory, the admin API in admin_users)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.errors import invalid_parameters
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool
from discourse_sandbox.models.users import SignUp, SignUpRefused
from discourse_sandbox.routes.guards import current_backend, current_user, is_api
from discourse_sandbox.serializers.codev import user_card_fields
from discourse_sandbox.serializers.users import (
    ACTIVATE_EMAIL,
    sign_up_json,
    sign_up_refused_json,
    user_json,
)

bp = Blueprint("users", __name__)

# Honeypot values of GET /session/hp; sign-ups without them are "suspicious" unless by an admin key.
HONEYPOT_VALUE = "sandbox-honeypot-value"
CHALLENGE = "sandbox-challenge-0123456789"
PROFILE_KEYS = ("name", "bio_raw", "location", "website", "locale")


# --- profiles --------------------------------------------------------------------------------

@bp.get("/u/<username>")
@bp.get("/users/<username>")
def show_user(username: str) -> Response:
    """UsersController#show: {"user_badges": [], "user": {...}}."""
    backend = current_backend()
    with backend.transaction() as state:
        user = backend.users.get(username)
        body = user_json(state, user, current_user())
        body.update(user_card_fields(state, backend.settings, user))  # UserSerializer < UserCardSerializer
        return json_reply({"user_badges": [], "user": body})


@bp.put("/u/<username>")
@bp.put("/users/<username>")
def update_user(username: str) -> Response:
    """UsersController#update: profile attributes and user_fields[<id>]."""
    args = params()
    viewer = current_user()
    profile = {key: str(args[key]) for key in PROFILE_KEYS if key in args and args[key] is not None}
    backend = current_backend()
    with backend.transaction() as state:
        user = backend.users.update_profile(username, viewer, profile, args.get("featured_topic_id"),
                                            args.get("user_fields"))
        body = user_json(state, user, viewer)
        body.update(user_card_fields(state, backend.settings, user))
        return json_reply({"success": "OK", "user": body})


# --- sign-up ---------------------------------------------------------------------------------

@bp.get("/session/hp")
def honeypot() -> Response:
    """UsersController#get_honeypot_value (pydiscourse's create_user asks for it first)."""
    return json_reply({"value": HONEYPOT_VALUE, "challenge": CHALLENGE, "expires_in": 3600})


@bp.post("/users")
def create_user() -> Response:
    """UsersController#create: {success, active, message, user_id} or the validation failure."""
    args = params()
    for key in ("email", "username"):
        if not str(args.get(key) or "").strip():
            invalid_parameters(key)
    viewer = current_user()
    admin_api = bool(is_api() and viewer is not None and viewer.admin)
    email = str(args["email"]).strip().lower()
    if not admin_api and (args.get("password_confirmation") != HONEYPOT_VALUE
                          or args.get("challenge") != CHALLENGE[::-1]):
        # respond_to_suspicious_request: pretend it worked, create nothing
        return json_reply({"success": True, "active": False,
                           "message": ACTIVATE_EMAIL.format(email=email)})
    result = current_backend().users.sign_up(_sign_up(args, email), admin_api)
    if isinstance(result, SignUpRefused):
        return json_reply(sign_up_refused_json(result.message, result.errors, result.values))
    return json_reply(sign_up_json(result))


def _sign_up(args: dict[str, Any], email: str) -> SignUp:
    given = args.get("user_fields")
    return SignUp(
        username=str(args["username"]).strip(), email=email,
        name=str(args.get("name") or "").strip(), password=str(args.get("password") or ""),
        user_fields=given if isinstance(given, dict) else {},
        active=as_bool(args.get("active")), approved=as_bool(args.get("approved"), True),
    )
