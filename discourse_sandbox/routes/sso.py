"""Routes: the DiscourseConnect provider, and a sandbox-only login helper for browser tests.

`GET /_sandbox_login?username=&redirect=` is NOT a Discourse route: it stands in for Discourse's
login page by setting the cookie `_sandbox_user=<username>`, which the provider then trusts.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from discourse_sandbox.core.errors import not_found
from discourse_sandbox.core.records import User
from discourse_sandbox.core.state import State
from discourse_sandbox.sso import SsoError, provider_fields, redirect_url, verify_request

bp = Blueprint("sso", __name__)

LOGIN_COOKIE = "_sandbox_user"


def _session_user(state: State) -> User | None:
    """The API user if the request is authenticated, else the sandbox login cookie's user."""
    if g.get("user") is not None:
        return g.user  # type: ignore[no-any-return]
    username = request.cookies.get(LOGIN_COOKIE)
    user = state.user_by_username(username) if username else None
    if user is None or not user.active or user.suspended_till is not None:
        return None
    return user


@bp.get("/session/sso_provider")
def sso_provider() -> BaseResponse:
    """SessionController#sso_provider: verify, then 302 to return_sso_url with the signed user."""
    if not g.sandbox.settings.enable_discourse_connect_provider:
        not_found()
    sso = request.args.get("sso", "")
    sig = request.args.get("sig", "")
    with g.sandbox.state.transaction() as state:
        try:
            payload, secret = verify_request(state, sso, sig)
        except SsoError as exc:
            # Discourse answers these with plain text, not JSON
            return Response(str(exc), exc.status, content_type="text/plain; charset=utf-8")
        user = _session_user(state)
        return_url = payload["return_sso_url"]
        if payload.get("logout") == "true":
            # the consumer asks Discourse to end the session too, then go back unsigned
            response = redirect(return_url, 302)
            response.delete_cookie(LOGIN_COOKIE)
            return response
        if user is None:
            if payload.get("prompt") == "none":
                fields = {"nonce": payload.get("nonce", ""), "return_sso_url": return_url,
                          "failed": "true"}
                return redirect(redirect_url(return_url, secret, fields), 302)
            # Discourse keeps the query string in a cookie and shows its plain login page
            response = redirect("/login", 302)
            response.set_cookie("sso_payload", request.query_string.decode())
            return response
        fields = provider_fields(state, user, payload)
    return redirect(redirect_url(return_url, secret, fields), 302)


@bp.get("/_sandbox_login")
def sandbox_login() -> BaseResponse:
    """Sandbox-only: log a browser in as `username` (cookie) and go to `redirect` (default /)."""
    username = request.args.get("username", "")
    with g.sandbox.state.transaction() as state:
        user = state.user_by_username(username)
        if user is None:
            not_found()
        name = user.username
    # like Discourse after a login: continue a pending DiscourseConnect request if one is waiting
    pending = request.cookies.get("sso_payload")
    target = request.args.get("redirect") or (
        f"/session/sso_provider?{pending}" if pending else "/")
    if not target.startswith("/"):
        target = "/"  # only local redirects, as Discourse's login does
    response = redirect(target, 302)
    response.set_cookie(LOGIN_COOKIE, name, httponly=True, samesite="Lax")
    response.delete_cookie("sso_payload")
    return response


@bp.get("/_sandbox_logout")
def sandbox_logout() -> BaseResponse:
    """Sandbox-only: forget the login cookie."""
    response = redirect(request.args.get("redirect") or "/", 302)
    response.delete_cookie(LOGIN_COOKIE)
    return response
