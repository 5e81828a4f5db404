"""Every behaviour setting of codev, as frozen dataclasses with their defaults (config/codev.example.yaml
lists them with comments). Secrets and endpoints come from the environment (environment.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_DATABASE_URL = "sqlite:///var/codev.db"
DEFAULT_TOMBSTONE_KEY = "codev-default-tombstone-key"  # production sets its own (CODEV_TOMBSTONE_KEY)
POSITIVE = {"min": 1}


@dataclass(frozen=True)
class ForumSettings:
    """Where codev finds needs and experts in the forum."""

    needs_category: str = "besoins"
    needs_tag: str = "besoin"
    experts_group: str = "experts"
    community_managers_group: str = "animateurs"
    coordinators_group: str = ""  # members may open the dashboard too ("": no such group)
    commune_group_prefix: str = "commune-"  # a need's commune is its author's group with this prefix
    communes_file: str = "communes.csv"  # HCP list that names communes and provinces (config directory)
    review_category: str = "revue-des-suggestions"
    introductions_category: str = "mises-en-relation"
    practices_category: str = "pratiques"  # where published "retours d'expérience" go
    calls_category: str = "pratiques"  # where `codev call publish` posts a call for experts (public)
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

    max_body_bytes: int = field(default=1_048_576, metadata=POSITIVE)


@dataclass(frozen=True)
class ForumApiSettings:
    """How codev calls the forum's API."""

    # Discourse's admin API limit is one bucket per site (60/min by default): keep under it.
    requests_per_minute: int = 60
    timeout_seconds: float = field(default=30.0, metadata={"min": 0.1})


@dataclass(frozen=True)
class WorkerSettings:
    """Inbox processing and reconciliation."""

    max_attempts: int = 8
    backoff_seconds: float = 5.0
    lease_seconds: float = 300.0  # one refetch may wait on the forum's rate limit
    reconcile_interval_minutes: int = 60
    # finished inbox rows (done, ignored) and refused deliveries are kept this long, then deleted
    inbox_retention_days: float = field(default=30.0, metadata={"min": 1})


@dataclass(frozen=True)
class LifecycleSettings:
    """Review threads, introductions, reminders, expiry and digests (delays in days)."""

    review_candidates: int = 5        # candidates shown in a need's review thread
    direct_introductions: bool = False  # True: introduce the best candidates without review
    introductions_per_need: int = 1   # introductions awaiting an answer at once (direct) or proposed first
    reminder_days: float = 7.0        # a reminder this long after the introduction
    expiry_days: float = 7.0          # ... and expiry this long after the reminder
    digest_interval_days: float = 7.0  # experts who opted in get at most one digest per interval
    digest_size: int = 5              # needs listed at most in one digest
    pass_seconds: float = 60.0        # the worker re-ranks and checks the clock at least this often
    approve_tag_prefix: str = "approuver-"  # tag <prefix><rank> on a review topic approves that rank
    # the need's author and expert are asked how it went this long after it was served or funded
    followup_days: float = field(default=30.0, metadata={"min": 1})


@dataclass(frozen=True)
class OutboxSettings:
    """How the worker sends what the outbox holds."""

    batch: int = field(default=20, metadata=POSITIVE)
    settle_seconds: float = 60.0  # after an unclear failure, wait this long before looking for the post


@dataclass(frozen=True)
class ImpactTargets:
    """The project's expected results (docs/impact.md): what `codev report` sets each figure against."""

    migrants_involved: int = field(default=40, metadata=POSITIVE)
    communes_engaged: int = field(default=7, metadata=POSITIVE)
    actors_linked: int = field(default=40, metadata=POSITIVE)
    communes_strengthened: int = field(default=7, metadata=POSITIVE)


@dataclass(frozen=True)
class ImpactSettings:
    """The impact report."""

    targets: ImpactTargets = field(default_factory=ImpactTargets)


@dataclass(frozen=True)
class DiscourseSettings:
    """How to reach the forum (from the environment)."""

    url: str = "http://127.0.0.1:4200"
    api_key: str = ""
    api_username: str = "system"


@dataclass(frozen=True)
class DashboardSettings:
    """Where people reach codev's dashboard, and the DiscourseConnect secret it signs in with (from the
    environment; the dashboard itself is to come, `codev doctor` checks the forum's side already)."""

    url: str = ""
    sso_secret: str = ""


@dataclass(frozen=True)
class Settings:
    """Every setting codev reads, built once by load_settings()."""

    database_url: str = DEFAULT_DATABASE_URL
    default_locale: Literal["fr", "ar", "en"] = "fr"
    discourse: DiscourseSettings = field(default_factory=DiscourseSettings)
    webhook_secrets: tuple[str, ...] = ()
    # The URL Discourse posts webhooks to, as Discourse reaches codev (provision and doctor use it;
    # empty: webhook.payload_url of forum.yaml).
    webhook_url: str = ""
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    log_format: Literal["text", "json"] = "text"  # json: one JSON object a line (CODEV_LOG_FORMAT)
    # Key of the tombstones' HMAC (from the environment). Changing it stops old tombstones from matching.
    tombstone_key: str = DEFAULT_TOMBSTONE_KEY
    forum: ForumSettings = field(default_factory=ForumSettings)
    forum_api: ForumApiSettings = field(default_factory=ForumApiSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    impact: ImpactSettings = field(default_factory=ImpactSettings)


# Sections of Settings that the YAML file may set; the rest comes from the environment.
YAML_SECTIONS = ("default_locale", "forum", "forum_api", "webhooks", "worker", "lifecycle", "outbox",
                 "impact")
# Settings whose value is never printed.
SECRETS = frozenset({"discourse.api_key", "webhook_secrets", "tombstone_key", "dashboard.sso_secret"})
