"""The Flask application: blueprints are registered here, and nothing else happens."""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from sync_service.bootstrap import Codev
from sync_service.entrypoints import webhooks


def build_app(codev: Codev) -> Flask:
    """Assemble the app; the engine connects lazily, on the first request."""
    settings = codev.settings
    app = Flask("codev")
    app.config["CODEV_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.webhooks.max_body_bytes
    app.extensions["codev"] = codev
    webhooks.init_app(app, settings, codev.lazy_engine)

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    return app
