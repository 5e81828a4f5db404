"""The Flask application: blueprints are registered here, and nothing else happens."""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from sync_service.config import Settings


def build_app(settings: Settings) -> Flask:
    """Assemble the app for these settings."""
    app = Flask("codev")
    app.config["CODEV_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.webhooks.max_body_bytes

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    return app
