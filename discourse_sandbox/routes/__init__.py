"""Blueprints, one module per area of Discourse's API; each module exposes `bp`."""

from __future__ import annotations

import importlib

from flask import Flask

MODULES = (
    "control",
    "users",
    "directory",
    "admin_users",
    "user_fields",
    "groups",
    "admin_groups",
    "sso",
    "categories",
    "tags",
    "tag_groups",
    "form_templates",
    "posts",
    "topics",
    "lists",
    "search",
    "web_hooks",
)


def register_all(app: Flask) -> None:
    """Register every area's blueprint on the app."""
    for name in MODULES:
        module = importlib.import_module(f"discourse_sandbox.routes.{name}")
        app.register_blueprint(module.bp)
