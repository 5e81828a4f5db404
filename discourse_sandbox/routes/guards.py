"""What routes share about the request: its backend, its user, and the login and role constraints."""

# Discourse refuses in two ways and both are kept: a Guardian check inside a controller (403 with an
# error body) and a routing constraint (AdminConstraint, StaffConstraint), for which the route does
# not exist, so the answer is the routing 404.

from __future__ import annotations

from flask import g

from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.records import User
from discourse_sandbox.models.backend import Backend


def current_user() -> User | None:
    """The user acting in this request, or None when it is anonymous."""
    user: User | None = g.get("user")
    return user


def require_login() -> User:
    """ensure_logged_in: an anonymous request gets 403 not_logged_in."""
    user = current_user()
    if user is None:
        fail(403, "You need to be logged in to do that.", "not_logged_in")
    return user


def require_staff() -> User:
    """Guardian's staff check: 403 not_logged_in when anonymous, 403 invalid_access for non-staff."""
    user = require_login()
    if not user.staff:
        invalid_access()
    return user


def require_staff_route() -> User:
    """StaffConstraint: the route does not exist (404) for anyone but staff."""
    user = current_user()
    if user is None or not user.staff:
        not_found()
    return user


def require_admin() -> User:
    """AdminConstraint: the route does not exist (404) for anyone but an admin."""
    user = current_user()
    if user is None or not user.admin:
        not_found()
    return user


def current_backend() -> Backend:
    """The backend of the sandbox serving this request."""
    backend: Backend = g.backend
    return backend


def is_api() -> bool:
    """Whether the request came with an API key (g.api), as opposed to a browser or no credentials."""
    return bool(g.get("api"))
