"""What `codev doctor`, /readyz and /metrics read: the forum's set-up as facts, and the vitals of codev's
own database (queues and workers). Discourse's words stay in adapters.discourse; the SQL in adapters.db."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sync_service.domain.provisioning import ForumState, ForumStructure

# --- the forum, as the doctor sees it ------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    """A fact the forum would not tell: why (e.g. "GET /admin/plugins.json answered 404")."""

    why: str


@dataclass(frozen=True)
class Reach:
    """Whether the forum answers at all, and its version when it says."""

    answered: bool
    problem: str = ""          # why not, in words (DNS, refused, TLS, timeout)
    version: str | Unknown = Unknown("not asked")


@dataclass(frozen=True)
class ApiUser:
    """What the forum says of the API key and the user it acts as."""

    outcome: Literal["ok", "refused", "no_user"]
    admin: bool = False


@dataclass(frozen=True)
class KeyScope:
    """The key's scopes as the API-key admin lists them: global (no scope) or the granular ones."""

    is_global: bool
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Webhook:
    """One webhook of the forum, in codev's terms."""

    id: int
    url: str
    active: bool
    content_type: str            # "application/json" or another
    secret: str
    events: tuple[str, ...]
    wildcard: bool
    filtered_by: tuple[str, ...]  # "categories", "groups", "tags": a filter drops events codev needs


@dataclass(frozen=True)
class Delivery:
    """The forum's record of one delivery (a ping): status -1 / None when nothing answered."""

    status: int | None
    error: str = ""              # the connection error Discourse recorded
    body: str = ""               # what the receiver answered (short)
    sender: str = ""             # User-Agent: Discourse/<version>
    duration_ms: int | None = None


@dataclass(frozen=True)
class Plugin:
    """Whether a plugin is installed, and enabled."""

    installed: bool
    enabled: bool = False


@dataclass(frozen=True)
class ConnectSettings:
    """The DiscourseConnect provider's site settings: on or off, and its secrets by host."""

    enabled: bool
    secrets: Mapping[str, str]
    hidden: bool = False         # the forum masks secret values


@dataclass(frozen=True)
class ConnectProbe:
    """What the provider did with a request signed with codev's secret (no one signed in)."""

    outcome: Literal["signed", "wrong_signature_back", "disabled", "no_secret", "bad_secret", "unexpected"]
    detail: str = ""


class ForumInspector(Protocol):
    """Reads the forum's set-up for the doctor; every method answers facts or Unknown, never raises
    for a refusal (ForumUnavailable only when the forum stops answering)."""

    def reach(self) -> Reach:
        """Does the forum answer; which version."""
        ...

    def api_user(self, username: str) -> ApiUser:
        """Does the key work, as whom."""
        ...

    def key_scope(self, key: str, username: str) -> KeyScope | Unknown:
        """The scopes of this key."""
        ...

    def webhooks(self) -> list[Webhook] | Unknown:
        """Every webhook of the forum."""
        ...

    def ping(self, hook_id: int, timeout: float) -> Delivery | Unknown:
        """Ask the forum to ping the hook; the delivery it recorded (Unknown: none within timeout)."""
        ...

    def structure(self, desired: ForumStructure) -> ForumState:
        """The forum's structure (ForumRefused or ForumUnavailable)."""
        ...

    def plugin(self, name: str) -> Plugin | Unknown:
        """Is the plugin installed."""
        ...

    def connect_settings(self) -> ConnectSettings | Unknown:
        """The DiscourseConnect provider's settings."""
        ...

    def connect_probe(self, return_url: str, secret: str) -> ConnectProbe:
        """Send the provider a request signed with `secret`, asking not to prompt anyone."""
        ...


# --- codev's own database ------------------------------------------------------------------------


@dataclass(frozen=True)
class Heartbeat:
    """One worker's last news."""

    worker_id: str
    started_at: datetime
    last_pass_at: datetime
    pass_seconds: float
    passes: int
    last_reconcile_at: datetime | None
    rate_limited: int


@dataclass(frozen=True)
class Queue:
    """An inbox or outbox: rows per status, the oldest waiting and the oldest due."""

    per_status: Mapping[str, int]
    oldest_waiting: datetime | None      # received (inbox) or decided (outbox), of rows not done
    oldest_due: datetime | None          # of rows whose time has come and nobody holds

    def count(self, *statuses: str) -> int:
        """Rows in these statuses."""
        return sum(self.per_status.get(s, 0) for s in statuses)


@dataclass(frozen=True)
class Vitals:
    """What the database says of codev's health, read in one transaction."""

    schema: str | None
    newest_schema: str
    inbox: Queue
    outbox: Queue
    heartbeats: tuple[Heartbeat, ...] = ()
    rejected_last_hour: int = 0
    read_at: datetime | None = None
    extra: Mapping[str, float] = field(default_factory=dict)
