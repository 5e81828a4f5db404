"""Secrets and endpoints from the environment: each variable checked, each error naming it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from sync_service.config.errors import ConfigError

MIN_SECRET_LENGTH = 12  # Discourse refuses shorter webhook secrets
# The database URLs codev runs on, and the driver it ships (psycopg 3).
POSTGRES_DRIVER = "postgresql+psycopg"
SUPPORTED = ("sqlite", "sqlite+pysqlite", POSTGRES_DRIVER)
LOG_FORMATS = ("text", "json")
URL_EXAMPLES = "postgresql+psycopg://user:password@host:5432/codev or sqlite:////var/lib/codev/codev.db"


def redact(url: str) -> str:
    """A database URL as it may be shown: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def database_url(raw: str, variable: str = "CODEV_DATABASE_URL") -> str:
    """The URL codev connects with: SQLite, or PostgreSQL through psycopg 3 (postgres:// and
    postgresql:// are taken to mean it); anything else is refused with what to write instead."""
    try:
        url: URL = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError("environment", variable, redact(raw), f"a database URL such as {URL_EXAMPLES}") \
            from exc
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername=POSTGRES_DRIVER)
    if url.drivername not in SUPPORTED:
        backend = url.get_backend_name()
        why = (f"the {url.get_driver_name()} driver, which codev does not ship: write {POSTGRES_DRIVER}://"
               if backend in ("postgres", "postgresql") else f"{backend}, which codev does not run on")
        raise ConfigError("environment", variable, f"{redact(raw)} ({why})",
                          f"SQLite or PostgreSQL, e.g. {URL_EXAMPLES}")
    if url.get_backend_name() == "sqlite" and url.database in (None, ""):
        raise ConfigError("environment", variable, redact(raw), "a SQLite file path, e.g. sqlite:////var/"
                                                                "lib/codev/codev.db (in-memory is lost)")
    return url.render_as_string(hide_password=False)


def _secrets(raw: str, variable: str) -> tuple[str, ...]:
    secrets = tuple(s.strip() for s in raw.split(",") if s.strip())
    for secret in secrets:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError("environment", variable, f"a secret of {len(secret)} characters",
                              f"secrets of at least {MIN_SECRET_LENGTH} characters, comma-separated")
    return secrets


def _key(raw: str, variable: str) -> str:
    if len(raw) < MIN_SECRET_LENGTH:
        raise ConfigError("environment", variable, f"a key of {len(raw)} characters",
                          f"at least {MIN_SECRET_LENGTH} characters")
    return raw


def _forum_url(raw: str, variable: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ConfigError("environment", variable, raw, "an http:// or https:// URL")
    return raw.rstrip("/")


def _text(raw: str, _variable: str) -> str:
    return raw


def _http_url(raw: str, variable: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ConfigError("environment", variable, raw, "an http:// or https:// URL")
    return raw


def _log_format(raw: str, variable: str) -> str:
    if raw not in LOG_FORMATS:
        raise ConfigError("environment", variable, raw, " or ".join(LOG_FORMATS))
    return raw


# variable -> (dotted setting key, reader)
VARIABLES: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "CODEV_DATABASE_URL": ("database_url", database_url),
    "CODEV_DISCOURSE_URL": ("discourse.url", _forum_url),
    "CODEV_DISCOURSE_API_KEY": ("discourse.api_key", _text),
    "CODEV_DISCOURSE_API_USERNAME": ("discourse.api_username", _text),
    "CODEV_WEBHOOK_SECRETS": ("webhook_secrets", _secrets),
    "CODEV_TOMBSTONE_KEY": ("tombstone_key", _key),
    "CODEV_WEBHOOK_URL": ("webhook_url", _http_url),
    "CODEV_DASHBOARD_URL": ("dashboard.url", _forum_url),
    "CODEV_DISCOURSE_CONNECT_SECRET": ("dashboard.sso_secret", _key),
    "CODEV_LOG_FORMAT": ("log_format", _log_format),
}


def from_environment(environ: Mapping[str, str]) -> dict[str, tuple[str, Any]]:
    """dotted setting key -> (variable, value) for every variable set and not empty."""
    found: dict[str, tuple[str, Any]] = {}
    for variable, (key, read) in VARIABLES.items():
        raw = environ.get(variable)
        if raw is not None and raw != "":
            found[key] = (variable, read(raw, variable))
    return found
