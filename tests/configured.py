"""The packaged configuration, loaded once, and the parts the tests build from it as codev does."""

from __future__ import annotations

from functools import cache

from sync_service.bootstrap import sync_rules, with_settings
from sync_service.config.load import Config, assemble
from sync_service.config.settings import Settings
from sync_service.services.sync import SyncRules


@cache
def packaged() -> Config:
    """Every packaged configuration file with the default settings."""
    return assemble(Settings())


def configured(settings: Settings) -> Config:
    """The packaged files with these settings."""
    return with_settings(packaged(), settings)


def rules(settings: Settings | None = None) -> SyncRules:
    """The sync rules codev builds from these settings (the defaults when None)."""
    return sync_rules(configured(settings or Settings()))
