"""Routes: the DiscourseConnect provider, and a sandbox-only login helper for browser tests.

`GET /_sandbox_login?username=&redirect=` is NOT a Discourse route: it stands in for Discourse's
login page by setting the cookie `_sandbox_user=<username>`, which the provider then trusts.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from discourse_sandbox.core.errors import not_found
from discourse_sandbox.models.sso import SsoError
from discourse_sandbox.routes.guards import current_backend, current_user

bp = Blueprint("sso", __name__)

LOGIN_COOKIE = "_sandbox_user"


@bp.get("/session/sso_provider")
def sso_provider() -> BaseResponse:
    """SessionController#sso_provider: verify, then 302 to return_sso_url with the signed user."""
    backend = current_backend()
    if not backend.settings.enable_discourse_connect_provider:
        not_found()
    try:
        answer = backend.sso.provide(request.args.get("sso", ""), request.args.get("sig", ""),
                                     current_user(), request.cookies.get(LOGIN_COOKIE))
    except SsoError as exc:
        # Discourse answers these with plain text, not JSON
        return Response(str(exc), exc.status, content_type="text/plain; charset=utf-8")
    response = redirect(answer.location, 302)
    if answer.kind == "logout":
        response.delete_cookie(LOGIN_COOKIE)
    elif answer.kind == "login":
        # Discourse keeps the query string in a cookie and shows its plain login page
        response.set_cookie("sso_payload", request.query_string.decode())
    return response


@bp.get("/_sandbox_login")
def sandbox_login() -> BaseResponse:
    """Sandbox-only: log a browser in as `username` (cookie) and go to `redirect` (default /)."""
    name = current_backend().users.get(request.args.get("username", "")).username
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
