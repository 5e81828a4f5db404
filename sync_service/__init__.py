"""codev: matching service for the Communauté de Développement forum."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from sync_service.config import Config, Settings


def create_app(config: Config | Settings) -> Flask:
    """Build the web application; nothing happens at import time. Settings alone are completed with
    the packaged configuration files."""
    # imported here so that `import sync_service` stays free of Flask, SQLAlchemy and the files
    from sync_service.bootstrap import Codev
    from sync_service.config.load import Config, assemble
    from sync_service.entrypoints.web import build_app

    return build_app(Codev(config if isinstance(config, Config) else assemble(config)))
