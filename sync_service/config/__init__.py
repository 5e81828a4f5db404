"""codev's configuration: behaviour from YAML files in a config directory (or the packaged defaults),
secrets and endpoints from the environment, all read and checked once at start by `load`."""

from __future__ import annotations

from sync_service.config.errors import ConfigError
from sync_service.config.load import Config, load, load_settings
from sync_service.config.settings import (
    DashboardSettings,
    DiscourseSettings,
    ForumApiSettings,
    ForumSettings,
    LifecycleSettings,
    OutboxSettings,
    Settings,
    WebhookSettings,
    WorkerSettings,
)

__all__ = [
    "Config",
    "ConfigError",
    "DashboardSettings",
    "DiscourseSettings",
    "ForumApiSettings",
    "ForumSettings",
    "LifecycleSettings",
    "OutboxSettings",
    "Settings",
    "WebhookSettings",
    "WorkerSettings",
    "load",
    "load_settings",
]
