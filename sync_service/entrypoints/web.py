"""The Flask application: blueprints are registered here, and nothing else happens."""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from sync_service.adapters.db.engine import make_engine
from sync_service.config import Settings
from sync_service.entrypoints import webhooks


def build_app(settings: Settings) -> Flask:
    """Assemble the app for these settings; the engine connects lazily, on the first request."""
    app = Flask("codev")
    app.config["CODEV_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.webhooks.max_body_bytes
    engine = make_engine(settings.database_url)
    app.extensions["codev.engine"] = engine
    webhooks.init_app(app, settings, engine)

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    return app
