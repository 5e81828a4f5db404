"""Settings: behaviour from YAML, secrets and endpoints from the environment, checked once at start."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_CONFIG_FILE = Path("config/codev.yaml")
DEFAULT_DATABASE_URL = "sqlite:///var/codev.db"
MIN_SECRET_LENGTH = 12  # Discourse refuses shorter webhook secrets


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names file, key, found and expected."""

    def __init__(self, source: str, key: str, found: object, expected: str) -> None:
        self.source, self.key, self.found, self.expected = source, key, found, expected
        super().__init__(f"{source}: {key}: found {found!r}, expected {expected}")


@dataclass(frozen=True)
class ForumSettings:
    """Where codev finds needs and experts in the forum."""

    needs_category: str = "besoins"
    needs_tag: str = "besoin"
    experts_group: str = "experts"
    community_managers_group: str = "animateurs"
    commune_group_prefix: str = "commune-"  # a need's commune is its author's group with this prefix
    communes_file: str = "config/communes.csv"  # HCP list that names communes and provinces
    review_category: str = "revue-des-suggestions"
    introductions_category: str = "mises-en-relation"
    user_fields: Mapping[str, str] = field(
        default_factory=lambda: {
            "skills": "Compétences",
            "sectors": "Secteurs",
            "languages": "Langues",
            "country": "Pays de résidence",
            "availability": "Disponibilité (heures par mois)",
            "modes": "Modes d'engagement",
            "origin_province": "Province d'origine",
            "consent": "Consentement à la mise en relation",
            "digest": "Résumé des nouveaux besoins",
        }
    )
    # The need form: field id -> the headings a post may carry for it (labels in fr/ar/en; the id
    # itself is always accepted, as older Discourse composers wrote ids).
    need_form_fields: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "secteur": ("Secteur", "القطاع", "Sector"),
            "type_aide": ("Type d'aide", "نوع الدعم", "Kind of help"),
            "competences": ("Compétences recherchées", "الكفاءات المطلوبة", "Skills needed"),
            "langues": ("Langues de travail", "لغات العمل", "Working languages"),
            "mode": ("Mode d'intervention", "طريقة التدخل", "Mode"),
            "echeance": ("Échéance", "الأجل", "Deadline"),
            "description": ("Description du besoin", "وصف الحاجة", "Description"),
        }
    )


@dataclass(frozen=True)
class WebhookSettings:
    """Limits of the webhook endpoint."""

    max_body_bytes: int = 1_048_576


@dataclass(frozen=True)
class ForumApiSettings:
    """How codev calls the forum's API."""

    # Discourse's admin API limit is one bucket per site (60/min by default): keep under it.
    requests_per_minute: int = 60
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class WorkerSettings:
    """Inbox processing and reconciliation."""

    max_attempts: int = 8
    backoff_seconds: float = 5.0
    lease_seconds: float = 300.0  # one refetch may wait on the forum's rate limit
    reconcile_interval_minutes: int = 60


@dataclass(frozen=True)
class LifecycleSettings:
    """Review threads, introductions, reminders, expiry and digests (delays in days)."""

    review_candidates: int = 5        # candidates shown in a need's review thread
    direct_introductions: bool = False  # True: introduce the best candidates without review
    introductions_per_need: int = 1   # direct setting: introductions awaiting an answer at once
    reminder_days: float = 7.0        # a reminder this long after the introduction
    expiry_days: float = 7.0          # ... and expiry this long after the reminder
    digest_interval_days: float = 7.0  # experts who opted in get at most one digest per interval
    digest_size: int = 5              # needs listed at most in one digest
    pass_seconds: float = 60.0        # the worker re-ranks and checks the clock at least this often
    approve_tag_prefix: str = "approuver-"  # tag <prefix><rank> on a review topic approves that rank


@dataclass(frozen=True)
class OutboxSettings:
    """How the worker sends what the outbox holds."""

    batch: int = 20
    settle_seconds: float = 60.0  # after an unclear failure, wait this long before looking for the post


@dataclass(frozen=True)
class DiscourseSettings:
    """How to reach the forum (from the environment)."""

    url: str = "http://127.0.0.1:4200"
    api_key: str = ""
    api_username: str = "system"


@dataclass(frozen=True)
class Settings:
    """Every setting codev reads, built once by load_settings()."""

    config_file: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    default_locale: Literal["fr", "ar", "en"] = "fr"
    discourse: DiscourseSettings = field(default_factory=DiscourseSettings)
    webhook_secrets: tuple[str, ...] = ()
    # Key of the tombstones' HMAC (from the environment). Changing it stops old tombstones from matching.
    tombstone_key: str = "codev-default-tombstone-key"
    forum: ForumSettings = field(default_factory=ForumSettings)
    forum_api: ForumApiSettings = field(default_factory=ForumApiSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)


# Sections of Settings that the YAML file may set; the rest comes from the environment.
YAML_SECTIONS = ("default_locale", "forum", "forum_api", "webhooks", "worker", "lifecycle", "outbox")

ENVIRONMENT = {
    "CODEV_DATABASE_URL": "database_url",
    "CODEV_DISCOURSE_URL": "discourse.url",
    "CODEV_DISCOURSE_API_KEY": "discourse.api_key",
    "CODEV_DISCOURSE_API_USERNAME": "discourse.api_username",
    "CODEV_WEBHOOK_SECRETS": "webhook_secrets",
    "CODEV_TOMBSTONE_KEY": "tombstone_key",
}


def load_settings(environ: Mapping[str, str], config_file: str | Path | None = None) -> Settings:
    """Read the YAML file (CODEV_CONFIG, else config/codev.yaml if present) and the environment."""
    path = _config_path(environ, config_file)
    values: dict[str, Any] = {}
    if path is not None:
        values = read_yaml_mapping(path)
        for key in values:
            if key not in YAML_SECTIONS:
                raise ConfigError(str(path), key, key, f"one of {', '.join(YAML_SECTIONS)}")
    source = str(path) if path is not None else "defaults"
    yaml_part: Settings = _build(Settings, values, source, "")
    env_part = _from_environment(environ)
    return dataclasses.replace(
        yaml_part,
        config_file=str(path) if path is not None else None,
        database_url=env_part.get("database_url", DEFAULT_DATABASE_URL),
        discourse=_build(DiscourseSettings, env_part.get("discourse", {}), "environment", ""),
        webhook_secrets=env_part.get("webhook_secrets", ()),
        tombstone_key=env_part.get("tombstone_key", Settings.tombstone_key),
    )


def _config_path(environ: Mapping[str, str], explicit: str | Path | None) -> Path | None:
    chosen = explicit or environ.get("CODEV_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise ConfigError("environment", "CODEV_CONFIG", str(path), "an existing YAML file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file whose top level is a mapping; every problem is a ConfigError naming the file."""
    if not path.is_file():
        raise ConfigError(str(path), "(file)", "no such file", "an existing YAML file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "(file)", "bytes that are not UTF-8", "UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ConfigError(str(path), where, getattr(exc, "problem", str(exc)), "valid YAML") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "(top level)", type(data).__name__, "a mapping of sections")
    return data


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for variable, target in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        if target == "webhook_secrets":
            secrets = tuple(s.strip() for s in raw.split(",") if s.strip())
            for secret in secrets:
                if len(secret) < MIN_SECRET_LENGTH:
                    raise ConfigError(
                        "environment", variable, f"a secret of {len(secret)} characters",
                        f"secrets of at least {MIN_SECRET_LENGTH} characters, comma-separated",
                    )
            found[target] = secrets
        elif target == "tombstone_key":
            if len(raw) < MIN_SECRET_LENGTH:
                raise ConfigError("environment", variable, f"a key of {len(raw)} characters",
                                  f"at least {MIN_SECRET_LENGTH} characters")
            found[target] = raw
        elif target == "database_url":
            if "://" not in raw:
                raise ConfigError("environment", variable, raw, "a SQLAlchemy URL such as "
                                  "postgresql+psycopg://user@host/db or sqlite:///path")
            found[target] = raw
        elif target == "discourse.url":
            if not raw.startswith(("http://", "https://")):
                raise ConfigError("environment", variable, raw, "an http:// or https:// URL")
            found.setdefault("discourse", {})["url"] = raw.rstrip("/")
        else:
            found.setdefault("discourse", {})[target.split(".", 1)[1]] = raw
    return found


def _build(cls: type[Any], data: object, source: str, prefix: str) -> Any:
    """Build dataclass cls from a mapping, checking every key and type."""
    if not isinstance(data, dict):
        raise ConfigError(source, prefix or "(top level)", data, "a mapping")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            raise ConfigError(source, dotted, key, f"one of {', '.join(sorted(fields))}")
        kwargs[key] = _coerce(hints[key], value, source, dotted)
    return cls(**kwargs)


def _coerce(hint: Any, value: object, source: str, key: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _build(typing.cast(type[Any], hint), value, source, key)
    if origin is Literal:
        if value not in args:
            raise ConfigError(source, key, value, "one of " + ", ".join(map(str, args)))
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, source, key)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(source, key, value, "true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(source, key, value, "a whole number, 0 or more")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(source, key, value, "a number, 0 or more")
        return float(value)
    if hint is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(source, key, value, "a non-empty text")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(source, key, value, "a list")
        return tuple(_coerce(args[0], v, source, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise ConfigError(source, key, value, "a mapping")
        return {str(k): _coerce(args[1], v, source, f"{key}.{k}") for k, v in value.items()}
    raise TypeError(f"unsupported setting type {hint!r} for {key}")
