"""The staff dashboard at /dashboard/: the project's results, needs, introductions and skill gaps, for
staff and the groups forum.yaml allows, signed in through the forum (DiscourseConnect).

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure outside the demo), keyed by a key
derived from CODEV_DISCOURSE_CONNECT_SECRET so that every web process reads them; every form is
protected by Flask-WTF's CSRF token. Without the secret the dashboard answers that it is off.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from sync_service.bootstrap import Codev
from sync_service.domain.i18n import LOCALES, text_direction
from sync_service.entrypoints.dashboard import call, pages, signing
from sync_service.entrypoints.dashboard.context import Dashboard, locale, refusal, words

SESSION_HOURS = 8
# No script, no frame, nothing from elsewhere: the pages are HTML, one style sheet and inline SVG. A form
# may lead to the forum (a language chosen before signing in goes on to the sign-in).
POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' {forum}; "
          "frame-ancestors 'none'; base-uri 'none'")


def init_app(app: Flask, codev: Codev, *, secure_cookies: bool = True) -> None:
    """Register the dashboard (and its sign-in) on the app; off without the DiscourseConnect secret."""
    settings = codev.settings
    secret = settings.dashboard.sso_secret
    app.extensions["codev_dashboard"] = Dashboard.build(codev, secret)
    app.config.update(
        SECRET_KEY=hmac.new(secret.encode() or b"off", b"codev dashboard session", hashlib.sha256).digest(),
        SESSION_COOKIE_NAME="codev_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies, PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_CHECK_DEFAULT=False,  # only the dashboard's forms: webhooks are signed, not cookie-borne
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600, WTF_CSRF_SSL_STRICT=secure_cookies,
    )
    csrf = CSRFProtect(app)
    headers = {"Content-Security-Policy": POLICY.format(forum=settings.discourse.url.rstrip("/")),
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
               "Cache-Control": "no-store"}
    app.register_blueprint(pages.bp)
    app.register_blueprint(call.bp)
    app.register_blueprint(signing.bp)
    ours = (pages.bp.name, call.bp.name, signing.bp.name)

    @app.before_request
    def _protect_forms() -> None:
        if request.method == "POST" and request.blueprint in ours:
            csrf.protect()

    @app.after_request
    def _headers(response: Response) -> Response:
        if request.blueprint in ours:
            response.headers.update(headers)
        return response

    @app.errorhandler(CSRFError)
    def _csrf_refused(error: CSRFError) -> tuple[str, int]:
        return refusal("csrf", 400)

    @app.context_processor
    def _words() -> dict[str, object]:
        lang = locale()
        names = {code: words(code)("language_name") for code in LOCALES}
        return {"lang": lang, "dir": text_direction(lang), "locales": LOCALES, "t": words(lang),
                "language_names": names}
