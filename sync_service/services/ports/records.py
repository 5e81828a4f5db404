"""What is stored: the rows the repositories of ports/storage.py hand to the use cases, and what a use
case raises to keep an inbox row for later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile

# --- what is stored ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredExpert:
    """An expert profile as stored, with when codev last fetched it from the forum."""

    profile: ExpertProfile
    fetched_at: datetime
    updated_at: datetime
    pushed_at: datetime | None = None  # the updated_at last pushed to the codev plugin (None: never)


@dataclass(frozen=True)
class NeedTitle:
    """What a list shows of a need: its title and sector."""

    title: str
    sector: str | None


@dataclass(frozen=True)
class StoredNeed:
    """A need as stored, with when codev last fetched it from the forum."""

    details: NeedDetails
    fetched_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EntityRef:
    """What one webhook delivery (or a reconciliation step) asks the worker to look at again."""

    kind: str  # "person" | "need" | "thread" | "none"
    key: str   # person: forum user id (digits) or username; need, thread: topic id (digits)
    event: str  # the Discourse event name, e.g. "user_updated"; "reconcile" from the pull


@dataclass(frozen=True)
class Claim:
    """One inbox row leased to a worker: the lease holds while (worker_id, attempts) match the row."""

    id: int
    event: str
    entity_kind: str
    entity_key: str | None
    attempts: int
    worker_id: str


@dataclass(frozen=True)
class InboxRow:
    """One inbox row as people see it in `codev inbox`."""

    id: int
    event: str
    status: str
    entity_kind: str
    entity_key: str | None
    attempts: int
    received_at: datetime | None
    available_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Intent:
    """A write decided by a use case; `key` is deterministic so deciding twice is one write."""

    key: str
    kind: str
    payload: Mapping[str, Any]
    depends_on: str | None = None  # the intent whose topic (reply, close) or post (edit) this writes to
    person_id: int | None = None   # the forum user the write is about: forgetting them removes it


# Outbox kinds about a forgotten person: once sent, their row keeps no payload (it named them).
BLANKED_WHEN_SENT = frozenset({"forget_user_profile"})


@dataclass(frozen=True)
class OutboxRow:
    """One outbox row as the sender and `codev outbox` see it."""

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    maybe_sent: bool
    worker_id: str
    depends_on: str | None = None
    parent_topic_id: int | None = None
    parent_post_id: int | None = None
    status: str = "sending"
    topic_id: int | None = None
    post_id: int | None = None
    last_error: str | None = None


class Deferred(Exception):
    """The row cannot be read rightly yet (e.g. a reply in a topic codev may have opened without
    knowing it yet): keep it, try again after `retry_after` seconds, not counted as a failed attempt."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class PlanRecord:
    """One row of a commune's plan as last imported: its draft's intent is `plan:<key>`; `topic_id` is the
    draft's topic once the outbox sent it; `confirmed_at` when codev first read the topic as a need."""

    key: str
    organisation: str
    row: int
    title: str
    fingerprint: str
    revision: int = 0  # edits of the draft decided so far (intent plan:<key>:r<revision>)
    topic_id: int | None = None
    confirmed_at: datetime | None = None
