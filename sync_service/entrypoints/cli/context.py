"""What every command shares: the configuration, loaded once on first use, and codev assembled from it."""

from __future__ import annotations

import os
from typing import Any

import click

from sync_service.bootstrap import Codev
from sync_service.config.load import Config, load
from sync_service.config.settings import Settings
from sync_service.entrypoints import logs


class Context:
    """The CLI's state: where the configuration is, and the Config once loaded."""

    def __init__(self, config_dir: str | None, config_file: str | None) -> None:
        self.config_dir = config_dir
        self.config_file = config_file
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """Every configuration file and the environment, read and checked (ConfigError otherwise)."""
        if self._config is None:
            self._config = load(os.environ, self.config_dir, self.config_file)
        return self._config

    def codev(self, **options: Any) -> Codev:
        """codev assembled from the configuration (options: see bootstrap.Codev)."""
        return Codev(self.config, **options)


pass_context = click.make_pass_decorator(Context)


def configure_logging(settings: Settings | None = None) -> None:
    """Log lines to stderr (plain or JSON, as CODEV_LOG_FORMAT says; scrubbed) unless the host
    application already set logging up."""
    logs.configure_logging(settings)


# Until the admin API budget of a command differs from the settings' (forum_api.requests_per_minute).
rate_option = click.option(
    "--rate", "requests_per_minute", type=click.IntRange(0, 100_000), default=None,
    help="Admin API requests per minute (default: forum_api.requests_per_minute; 0: no pacing).")
