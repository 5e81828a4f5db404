"""codev: matching service for the Communauté de Développement forum."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from sync_service.config import Settings


def create_app(settings: Settings) -> Flask:
    """Build the web application for these settings; nothing happens at import time."""
    from sync_service.entrypoints.web import build_app

    return build_app(settings)
