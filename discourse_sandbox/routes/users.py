"""Routes: user profiles and sign-up (the directory is in directory, the admin API in admin_users)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g

from discourse_sandbox.core.errors import fail, invalid_access, invalid_parameters
from discourse_sandbox.core.events import UserEvent
from discourse_sandbox.core.guardian import can_edit_user
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool, as_int
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.guards import current_user, found
from discourse_sandbox.serializers.users import user_json
from discourse_sandbox.user_fields import apply_field_values
from discourse_sandbox.users import EMAIL_RE, username_errors

bp = Blueprint("users", __name__)

# Honeypot values of GET /session/hp; sign-ups without them are "suspicious" unless by an admin key.
HONEYPOT_VALUE = "sandbox-honeypot-value"
CHALLENGE = "sandbox-challenge-0123456789"
ACTIVE_MESSAGE = "Your account is activated and ready to use."
ACTIVATE_EMAIL = (
    "<p>You’re almost done! We sent an activation mail to <b>{email}</b>. Please follow the "
    "instructions in the mail to activate your account.</p><p>If it doesn’t arrive, check your spam "
    "folder.</p>"
)
MISSING_FIELD = "You have not completed all the required user fields"
PROFILE_KEYS = ("name", "bio_raw", "location", "website", "locale")


# --- profiles --------------------------------------------------------------------------------

@bp.get("/u/<username>")
@bp.get("/users/<username>")
def show_user(username: str) -> Response:
    """UsersController#show: {"user_badges": [], "user": {...}}."""
    with g.sandbox.state.transaction() as state:
        user = found(state.user_by_username(username))
        return json_reply({"user_badges": [], "user": user_json(state, user, current_user())})


@bp.put("/u/<username>")
@bp.put("/users/<username>")
def update_user(username: str) -> Response:
    """UsersController#update: profile attributes and user_fields[<id>]."""
    args = params()
    viewer = current_user()
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        user = found(state.user_by_username(username))
        if not can_edit_user(viewer, user):
            invalid_access()
        for key in PROFILE_KEYS:
            if key in args and args[key] is not None:
                setattr(user, key, str(args[key]))
        if args.get("featured_topic_id") not in (None, ""):
            user.featured_topic_id = as_int(args["featured_topic_id"], "featured_topic_id")
        _changed, error = apply_field_values(state, user, args.get("user_fields"), viewer)
        if error:
            fail(422, error)
        user.updated_at = sandbox.clock.now()
        sandbox.events.emit(UserEvent("user_updated", user))
        body = {"success": "OK", "user": user_json(state, user, viewer)}
    return json_reply(body)


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
    admin_api = bool(g.api and viewer is not None and viewer.admin)
    email = str(args["email"]).strip().lower()
    if not admin_api and (args.get("password_confirmation") != HONEYPOT_VALUE
                          or args.get("challenge") != CHALLENGE[::-1]):
        # respond_to_suspicious_request: pretend it worked, create nothing
        return json_reply({"success": True, "active": False,
                           "message": ACTIVATE_EMAIL.format(email=email)})
    sandbox = g.sandbox
    with sandbox.state.transaction() as state:
        result = _create(state, args, email, admin_api, sandbox.clock.now())
        if not isinstance(result, User):
            return json_reply(result)
        user = result
        sandbox.events.emit(UserEvent("user_created", user))
    message = ACTIVE_MESSAGE if user.active else ACTIVATE_EMAIL.format(email=user.email)
    return json_reply({"success": True, "active": user.active, "message": message,
                       "user_id": user.id})


def _create(state: State, args: dict[str, Any], email: str, admin_api: bool, now: Any) -> Any:
    username = str(args["username"]).strip()
    name = str(args.get("name") or "").strip()
    password = str(args.get("password") or "")
    staged = next((u for u in state.users.values() if u.staged and u.email.lower() == email), None)
    errors: dict[str, list[str]] = {}
    full: list[str] = []
    for message in username_errors(state, username, staged.id if staged else None):
        errors.setdefault("username", []).append(message.removeprefix("Username "))
        full.append(message)
    if not EMAIL_RE.match(email):
        errors.setdefault("email", []).append("is invalid")
        full.append("Primary email is invalid")
    elif any(u.email.lower() == email and not u.staged for u in state.users.values()):
        errors.setdefault("email", []).append("has already been taken")
        full.append("Primary email has already been taken")
    if password and len(password) < 10:
        errors.setdefault("password", []).append("is too short (minimum is 10 characters)")
        full.append("Password is too short (minimum is 10 characters)")
    if errors:
        return {"success": False, "message": "\n".join(full), "errors": errors,
                "values": {"name": name, "username": username, "email": email},
                "is_developer": False}
    given = args.get("user_fields")
    raw_fields: dict[str, Any] = given if isinstance(given, dict) else {}
    for field in state.user_fields.values():
        if field.requirement != "optional" and raw_fields.get(str(field.id)) in (None, "", []):
            return {"success": False, "message": MISSING_FIELD}
    user = staged or User(id=state.next_id("users"), username=username, name=name, email=email,
                          created_at=now, updated_at=now, trust_level=0)
    user.username, user.name, user.email, user.password = username, name, email, password
    user.staged = False
    user.active = as_bool(args.get("active")) if admin_api else False
    user.approved = as_bool(args.get("approved"), True) if admin_api else True
    # create stores the values as given (no option filtering), cut at the maximum length
    apply_field_values(state, user, raw_fields, state.users.get(-1), clean=False)
    state.users[user.id] = user
    return user
