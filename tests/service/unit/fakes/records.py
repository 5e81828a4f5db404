"""What the fake database holds: one FakeStore of plain rows, copied by each unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync_service.domain.brokerage import Introduction, ReviewThread, Volunteer
from sync_service.domain.followup import Experience, Followup
from sync_service.services.ports.campaigns import Campaign, Joined
from sync_service.services.ports.changes import Change
from sync_service.services.ports.records import PlanRecord
from sync_service.services.ports.storage import StoredExpert, StoredNeed


@dataclass
class InboxRecord:
    """A row of the inbox_delivery table (the columns the queue reads and writes)."""

    id: int
    event: str
    entity_kind: str
    entity_key: str | None
    hint: dict[str, Any]
    received_at: datetime
    available_at: datetime
    status: str = "pending"
    attempts: int = 0
    lease_until: datetime | None = None
    leased_by: str | None = None
    processed_at: datetime | None = None
    last_error: str | None = None


@dataclass
class OutboxRecord:
    """A row of the outbox table."""

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    depends_on: str | None
    target: str | None
    person_id: int | None
    created_at: datetime
    available_at: datetime
    status: str = "pending"
    attempts: int = 0
    maybe_sent: bool = False
    lease_until: datetime | None = None
    leased_by: str | None = None
    sent_at: datetime | None = None
    topic_id: int | None = None
    post_id: int | None = None
    last_error: str | None = None


@dataclass
class HistoryRecord:
    """A row of the status_history table."""

    id: int
    kind: str
    need_topic_id: int
    status: str
    at: datetime
    expert_user_id: int | None = None
    expert_username: str | None = None
    expert_key: str | None = None
    commune_group: str | None = None
    organisation: str | None = None
    skills: tuple[str, ...] = ()
    proposed_at: datetime | None = None


@dataclass
class FakeStore:
    """The committed state of the fake database. Introductions and review threads are kept without
    their forum ids, which (as in SQL) are read from the sent outbox row of their intent key."""

    experts: dict[int, StoredExpert] = field(default_factory=dict)
    needs: dict[int, StoredNeed] = field(default_factory=dict)
    tombstones: dict[str, datetime] = field(default_factory=dict)
    inbox: list[InboxRecord] = field(default_factory=list)
    introductions: dict[tuple[int, int], Introduction] = field(default_factory=dict)
    reviews: dict[int, ReviewThread] = field(default_factory=dict)
    digests: dict[tuple[int, int], datetime] = field(default_factory=dict)  # (user, need) -> listed at
    outbox: list[OutboxRecord] = field(default_factory=list)
    offers: dict[tuple[int, int], Volunteer] = field(default_factory=dict)  # (need, user) -> volunteer
    history: list[HistoryRecord] = field(default_factory=list)
    followups: dict[tuple[int, int], Followup] = field(default_factory=dict)  # (need, user) -> follow-up
    experiences: dict[int, Experience] = field(default_factory=dict)  # need -> experience
    campaigns: dict[str, Campaign] = field(default_factory=dict)  # by key, without invite id
    joined: list[Joined] = field(default_factory=list)
    plans: dict[str, PlanRecord] = field(default_factory=dict)  # stable key -> record (no topic id)
    changes: list[Change] = field(default_factory=list)  # the brokerage's change feed
    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # name -> (holder, until)
    commits: int = 0  # also the version a unit of work started from
    last_ids: dict[str, int] = field(default_factory=dict)  # table -> last id given (a sequence)

    # --- arranging and reading rows outside the ports ---

    def deliver(self, event: str, entity_kind: str, entity_key: str | None, received_at: datetime,
                hint: dict[str, Any] | None = None) -> InboxRecord:
        """A pending inbox row, as the webhook intake writes one."""
        row = InboxRecord(self.next_id("inbox"), event, entity_kind, entity_key, dict(hint or {}),
                          received_at, received_at)
        self.inbox.append(row)
        return row

    def intent(self, key: str) -> OutboxRecord | None:
        """The outbox row of this intent key, whatever its status."""
        return next((r for r in self.outbox if r.key == key), None)

    def intents(self, kind: str | None = None, status: str | None = None) -> list[OutboxRecord]:
        """Outbox rows in insertion order, of one kind and status when given."""
        return [r for r in self.outbox if (kind is None or r.kind == kind)
                and (status is None or r.status == status)]

    # --- what the brokerage repositories join ---

    def sent(self, key: str) -> OutboxRecord | None:
        """The outbox row of this key once it was sent."""
        row = self.intent(key)
        return row if row is not None and row.status == "sent" else None

    def sent_keys_in_topic(self, topic_id: int, prefix: str) -> list[str]:
        """Keys of the sent rows that wrote into this topic, oldest first."""
        return [r.key for r in self.outbox
                if r.topic_id == topic_id and r.status == "sent" and r.key.startswith(prefix)]

    def next_id(self, table: str) -> int:
        """A new id for a row of this table (never given twice, as a sequence)."""
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


class OnStore:
    """What a fake repository works on: a FakeStore, or (in a unit of work) a function giving the store
    of the current transaction, which begins at the unit's first statement as a database's does."""

    def __init__(self, data: FakeStore | Callable[[], FakeStore]) -> None:
        self._data = data

    @property
    def data(self) -> FakeStore:
        return self._data if isinstance(self._data, FakeStore) else self._data()
