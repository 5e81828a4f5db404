"""Users: username rules, API authentication, profiles and sign-up (UsersController)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from discourse_sandbox.core.errors import fail, found, invalid_access
from discourse_sandbox.core.events import UserEvent
from discourse_sandbox.core.guardian import can_edit_user
from discourse_sandbox.core.params import as_int
from discourse_sandbox.core.records import SYSTEM_USER_ID, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.site import Site

USERNAME_RE = re.compile(r"^[\w.-]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BAD_CREDENTIALS = (
    "You are not permitted to view the requested resource. The API username or key is invalid."
)
MISSING_FIELD = "You have not completed all the required user fields"


def username_errors(state: State, username: str, exclude_id: int | None = None) -> list[str]:
    """UsernameValidator plus uniqueness, as `errors.full_messages` would list them."""
    if not username:
        return ["Username can't be blank"]
    errors = []
    if len(username) < 3:
        errors.append("Username must be at least 3 characters")
    if len(username) > 20:
        errors.append("Username must be no more than 20 characters")
    if not USERNAME_RE.match(username):
        errors.append("Username must only include numbers, letters, dashes, dots, and underscores")
    other = state.user_by_username(username)
    if other is not None and other.id != exclude_id:
        errors.append("Username must be unique")
    return errors


@dataclass
class SignUp:
    """The params of POST /users that the sandbox honours."""

    username: str
    email: str
    name: str = ""
    password: str = ""
    user_fields: dict[str, Any] = field(default_factory=dict)
    active: bool = False
    approved: bool = True


@dataclass
class SignUpRefused:
    """UsersController#create's failure: the message, and per attribute errors when validation failed."""

    message: str
    errors: dict[str, list[str]] | None = None
    values: dict[str, str] | None = None


class FieldValues(Protocol):
    """What the users area asks of the user fields area."""

    def store_values(self, user: User, raw: Any, acting: User | None, clean: bool = True) -> str | None:
        """Store a user's `user_fields[<id>]` params; the error when a required one is empty."""
        ...


class Users:
    """UsersController and the API-key authentication every request goes through."""

    def __init__(self, site: Site, fields: FieldValues) -> None:
        self.site = site
        self.fields = fields

    def authenticate(self, key: str, username: str | None, user_id: str | None) -> User:
        """Api-Key + Api-Username (or Api-User-Id); 403 when the pair is bad or the user may not act."""
        with self.site.state.transaction() as state:
            api_key = state.api_keys.get(key)
            user = None
            if api_key is not None and not api_key.revoked:
                if api_key.user_id is not None:
                    # a user-bound key is its user; only a different Api-Username voids it
                    user = state.users.get(api_key.user_id)
                    if user is not None and username and user.username.lower() != username.lower():
                        user = None
                elif username:
                    user = state.user_by_username(username)
                elif user_id and user_id.lstrip("-").isdigit():
                    user = state.users.get(int(user_id))
            if user is None:
                fail(403, BAD_CREDENTIALS, "invalid_access")
            if not user.active or user.suspended_till is not None:
                invalid_access()
            return user

    def new_account_errors(self, state: State, username: str, email: str, password: str) -> list[str]:
        """User's validations of a new account (username, e-mail address, password), full messages."""
        errors = username_errors(state, username)
        if not EMAIL_RE.match(email):
            errors.append("Primary email is invalid")
        if password and len(password) < 10:
            errors.append("Password is too short (minimum is 10 characters)")
        return errors

    def get(self, username: str) -> User:
        """A user by username (case-insensitive), or 404."""
        with self.site.state.transaction() as state:
            return found(state.user_by_username(username))

    def update_profile(self, username: str, viewer: User | None, profile: dict[str, str],
                       featured_topic_id: Any, user_fields: Any) -> User:
        """UsersController#update: profile attributes and user_fields[<id>]; user_updated."""
        with self.site.state.transaction() as state:
            user = found(state.user_by_username(username))
            if not can_edit_user(viewer, user):
                invalid_access()
            for key, value in profile.items():
                setattr(user, key, value)
            if featured_topic_id not in (None, ""):
                user.featured_topic_id = as_int(featured_topic_id, "featured_topic_id")
            error = self.fields.store_values(user, user_fields, viewer)
            if error:
                fail(422, error)
            user.updated_at = self.site.clock.now()
            self.site.events.emit(UserEvent("user_updated", user))
            return user

    def sign_up(self, req: SignUp, admin_api: bool) -> User | SignUpRefused:
        """UsersController#create: a new user (or a staged one taken over), or why not; user_created."""
        with self.site.state.transaction() as state:
            refused = _sign_up_errors(state, req)
            if refused is not None:
                return refused
            staged = _staged(state, req.email)
            now = self.site.clock.now()
            user = staged or User(id=state.next_id("users"), username=req.username, name=req.name,
                                  email=req.email, created_at=now, updated_at=now, trust_level=0)
            user.username, user.name, user.email, user.password = (req.username, req.name, req.email,
                                                                   req.password)
            user.staged = False
            user.active = req.active if admin_api else False
            user.approved = req.approved if admin_api else True
            # create stores the values as given (no option filtering), cut at the maximum length
            self.fields.store_values(user, req.user_fields, state.users.get(SYSTEM_USER_ID), clean=False)
            state.users[user.id] = user
            self.site.events.emit(UserEvent("user_created", user))
            return user


def _staged(state: State, email: str) -> User | None:
    return next((u for u in state.users.values() if u.staged and u.email.lower() == email), None)


def _sign_up_errors(state: State, req: SignUp) -> SignUpRefused | None:
    """User's validations in Rails' order, then the required user fields."""
    staged = _staged(state, req.email)
    errors: dict[str, list[str]] = {}
    full: list[str] = []
    for message in username_errors(state, req.username, staged.id if staged else None):
        errors.setdefault("username", []).append(message.removeprefix("Username "))
        full.append(message)
    if not EMAIL_RE.match(req.email):
        errors.setdefault("email", []).append("is invalid")
        full.append("Primary email is invalid")
    elif any(u.email.lower() == req.email and not u.staged for u in state.users.values()):
        errors.setdefault("email", []).append("has already been taken")
        full.append("Primary email has already been taken")
    if req.password and len(req.password) < 10:
        errors.setdefault("password", []).append("is too short (minimum is 10 characters)")
        full.append("Password is too short (minimum is 10 characters)")
    if errors:
        return SignUpRefused("\n".join(full), errors,
                             {"name": req.name, "username": req.username, "email": req.email})
    for user_field in state.user_fields.values():
        if user_field.requirement != "optional" and req.user_fields.get(str(user_field.id)) in (None, "", []):
            return SignUpRefused(MISSING_FIELD)
    return None
