"""The Flask application: blueprints are registered here, and nothing else happens.

GET /healthz: the process answers (liveness). GET /readyz: the database answers and is at the newest
schema (readiness: a proxy or an orchestrator sends traffic only then). GET /metrics: Prometheus.
/dashboard/ and /auth/discourse/*: the staff dashboard and its sign-in (entrypoints/dashboard).
"""

from __future__ import annotations

from flask import Flask, Response, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from sync_service.adapters.db.engine import DatabaseUnusable, check_connection
from sync_service.adapters.db.migrate import require_newest
from sync_service.bootstrap import Codev
from sync_service.entrypoints import dashboard, webhooks
from sync_service.entrypoints.metrics import exposition


def build_app(codev: Codev, *, secure_cookies: bool = True) -> Flask:
    """Assemble the app; the engine connects lazily, on the first request. `secure_cookies` is off only
    in the demo, served over plain HTTP on the loopback."""
    settings = codev.settings
    app = Flask("codev")
    app.config["CODEV_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.webhooks.max_body_bytes
    app.extensions["codev"] = codev
    engine = codev.lazy_engine
    webhooks.init_app(app, settings, engine)
    dashboard.init_app(app, codev, secure_cookies=secure_cookies)
    metrics = exposition(engine, codev.clocks.now)

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> ResponseReturnValue:
        try:
            check_connection(engine, settings.database_url)
            require_newest(engine, settings.database_url)
        except DatabaseUnusable as exc:
            return jsonify(status="not ready", reason=str(exc)), 503
        except SQLAlchemyError as exc:
            return jsonify(status="not ready", reason=f"the database failed ({type(exc).__name__})"), 503
        return jsonify(status="ready")

    @app.get("/metrics")
    def prometheus() -> ResponseReturnValue:
        body, content_type = metrics()
        return Response(body, content_type=content_type)

    return app
