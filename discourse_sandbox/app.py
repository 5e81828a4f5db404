"""The sandbox's Flask app: path normalisation, auth, the admin rate limit, faults, then routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request

from discourse_sandbox.control import routes as control_routes
from discourse_sandbox.control.target import Controlled
from discourse_sandbox.core.errors import DiscourseError
from discourse_sandbox.core.http import error_reply, json_error, rate_limited
from discourse_sandbox.routes import register_all

if TYPE_CHECKING:
    from werkzeug.wrappers import Request as WerkzeugRequest


class _JsonSuffix:
    """WSGI middleware: /x.json and /x reach the same route; remember which was asked."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        environ["sandbox.json_suffix"] = path.endswith(".json")
        if path.endswith(".json"):
            environ["PATH_INFO"] = path[: -len(".json")]
        return self.wsgi_app(environ, start_response)


def create_app(sandbox: Controlled) -> Flask:
    """Assemble the sandbox app around one Sandbox (state, settings, clock, emitter)."""
    app = Flask("discourse_sandbox")
    app.config["SANDBOX"] = sandbox
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.wsgi_app = _JsonSuffix(app.wsgi_app)  # type: ignore[method-assign]
    app.url_map.strict_slashes = False

    @app.before_request
    def _before() -> Response | None:
        g.sandbox = sandbox
        g.backend = sandbox.backend
        if request.path.startswith("/_sandbox"):
            g.user, g.api = None, False
            return None
        wants_html = (
            request.method == "GET"
            and not request.environ.get("sandbox.json_suffix")
            and "json" not in request.headers.get("Accept", "")
        )
        if wants_html and not _html_allowed(request):
            return Response("<!DOCTYPE html><html><body>Discourse sandbox: add .json or "
                            "Accept: application/json</body></html>", 200,
                            content_type="text/html; charset=utf-8")
        return _authenticate(sandbox) or sandbox.faults.before_request(request)

    @app.after_request
    def _after(response: Response) -> Response:
        return sandbox.faults.after_request(request, response)

    @app.errorhandler(404)
    def _not_found(_error: Exception) -> Response:
        return json_error("The requested URL or resource could not be found.", 404, "not_found")

    @app.errorhandler(405)
    def _not_allowed(_error: Exception) -> Response:
        return json_error("The requested URL or resource could not be found.", 404, "not_found")

    @app.errorhandler(DiscourseError)
    def _refused(error: DiscourseError) -> Response:
        return error_reply(error)

    @app.errorhandler(413)
    def _too_large(_error: Exception) -> Response:
        return json_error("Request entity too large", 413)

    app.register_blueprint(control_routes.bp)
    register_all(app)
    return app


def _html_allowed(req: WerkzeugRequest) -> bool:
    # Routes that are not JSON in Discourse either (raw posts, SSO redirects).
    return req.path.startswith(("/raw/", "/session/sso_provider", "/t/external_id/"))


def _authenticate(sandbox: Controlled) -> Response | None:
    """Api-Key + Api-Username (or Api-User-Id); a bad pair is 403, a key costs the admin bucket."""
    g.user, g.api = None, False
    key = request.headers.get("Api-Key")
    if not key:
        return None
    try:
        user = sandbox.backend.users.authenticate(key, request.headers.get("Api-Username"),
                                                 request.headers.get("Api-User-Id"))
    except DiscourseError as refusal:
        return error_reply(refusal)
    wait = sandbox.admin_limiter.hit("admin_api_min")
    if wait is not None:
        return rate_limited(wait)
    g.user, g.api = user, True
    return None
