"""What the use cases need from storage: one unit of work (one transaction) holding every repository.
The database sits behind it (adapters.db); repositories never commit, the use case does."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from sync_service.domain.brokerage import Introduction, ReviewThread, Volunteer
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ports.campaigns import CampaignRepository
from sync_service.services.ports.changes import ChangeRepository as ChangeRepository
from sync_service.services.ports.followup import FollowupRepository
from sync_service.services.ports.history import HistoryRepository as HistoryRepository
from sync_service.services.ports.outbox import OutboxRepository as OutboxRepository
from sync_service.services.ports.plans import PlanRepository
from sync_service.services.ports.records import (
    BLANKED_WHEN_SENT as BLANKED_WHEN_SENT,
)
from sync_service.services.ports.records import (
    Claim as Claim,
)
from sync_service.services.ports.records import (
    Deferred as Deferred,
)
from sync_service.services.ports.records import (
    EntityRef as EntityRef,
)
from sync_service.services.ports.records import (
    InboxRow as InboxRow,
)
from sync_service.services.ports.records import (
    Intent as Intent,
)
from sync_service.services.ports.records import (
    NeedTitle as NeedTitle,
)
from sync_service.services.ports.records import (
    OutboxRow as OutboxRow,
)
from sync_service.services.ports.records import (
    StoredExpert as StoredExpert,
)
from sync_service.services.ports.records import (
    StoredNeed as StoredNeed,
)

# --- repositories --------------------------------------------------------------------------------


class ExpertRepository(Protocol):
    """Expert profiles by forum user id."""

    def get(self, user_id: int, *, lock: bool = False) -> StoredExpert | None:
        """The stored profile; with lock, held until the unit of work ends (FOR UPDATE)."""
        ...

    def by_username(self, username: str) -> StoredExpert | None:
        """The stored profile of that username, if any."""
        ...

    def save(self, profile: ExpertProfile, fetched_at: datetime, now: datetime) -> None:
        """Insert or replace the profile."""
        ...

    def touch(self, user_id: int, fetched_at: datetime) -> None:
        """Record a fetch that found nothing new."""
        ...

    def delete(self, user_id: int) -> bool:
        """Remove the profile; True when there was one."""
        ...

    def ids(self) -> list[int]:
        """Every stored forum user id."""
        ...

    def matchable(self) -> list[ExpertProfile]:
        """Profiles matching may rank."""
        ...

    def digest_due(self, sent_before: datetime) -> list[ExpertProfile]:
        """Consenting experts who asked for the digest and were sent none at or after `sent_before`."""
        ...

    def unpushed(self, limit: int) -> list[StoredExpert]:
        """Profiles changed since they were last pushed to the codev plugin (or never pushed)."""
        ...

    def mark_pushed(self, user_id: int, updated_at: datetime) -> None:
        """Record that the profile as it was at `updated_at` went to the codev plugin."""
        ...


class NeedRepository(Protocol):
    """Needs by topic id."""

    def get(self, topic_id: int, *, lock: bool = False) -> StoredNeed | None:
        """The stored need; with lock, held until the unit of work ends (FOR UPDATE)."""
        ...

    def save(self, details: NeedDetails, fetched_at: datetime, now: datetime) -> None:
        """Insert or replace the need."""
        ...

    def touch(self, topic_id: int, fetched_at: datetime) -> None:
        """Record a fetch that found nothing new."""
        ...

    def delete(self, topic_id: int) -> bool:
        """Remove the need; True when there was one."""
        ...

    def ids(self) -> list[int]:
        """Every stored topic id."""
        ...

    def open_needs(self) -> list[NeedDetails]:
        """Needs whose status is not closed."""
        ...

    def closed_since(self, since: datetime | None) -> list[NeedDetails]:
        """Closed needs whose row changed at or after `since` (every closed need when None)."""
        ...

    def forget_author(self, user_id: int) -> int:
        """Blank author id and username on the needs of that person; how many."""
        ...

    def titles(self, topics: Collection[int]) -> dict[int, NeedTitle]:
        """Those needs' titles and sectors, by topic id (the dashboard's lists); a need gone is left out."""
        ...


class TombstoneRepository(Protocol):
    """Keyed hashes of forgotten people and topics (nothing else)."""

    def created_at(self, key: str) -> datetime | None:
        """When the tombstone was written, or None when there is none."""
        ...

    def add(self, key: str, now: datetime) -> None:
        """Write (or refresh) the tombstone."""
        ...

    def remove(self, key: str) -> None:
        """Drop the tombstone (the entity is confirmed back)."""
        ...

    def prune(self, before: datetime) -> int:
        """Drop tombstones written before that time; how many."""
        ...


class InboxRepository(Protocol):
    """The webhook inbox as a work queue: claim due rows under a lease, then finish them."""

    def claim(self, worker_id: str, now: datetime, limit: int, lease_seconds: float) -> list[Claim]:
        """Lease up to `limit` due rows, at most one per entity, oldest first."""
        ...

    def renew(self, claim: Claim, lease_until: datetime) -> bool:
        """Extend the claim's lease; False if another worker has taken the row over."""
        ...

    def pending_of_entity(self, claim: Claim) -> list[int]:
        """Ids of the other pending rows of the claim's entity (one refetch serves them)."""
        ...

    def complete(self, claim: Claim, now: datetime, status: str, coalesced: list[int]) -> bool:
        """Mark the claim (and the coalesced rows) finished; False if this worker lost the lease."""
        ...

    def retry(self, claim: Claim, available_at: datetime, error: str, count_attempt: bool = True) -> bool:
        """Back to pending until `available_at`; False if the lease was lost."""
        ...

    def park(self, claim: Claim, now: datetime, error: str) -> bool:
        """Set the claim aside for a person; False if the lease was lost."""
        ...

    def forget_person(self, user_id: int, username: str | None) -> int:
        """Blank the hints (and finished rows' keys) of deliveries about that person; how many rows."""
        ...

    def prune(self, before: datetime) -> int:
        """Delete finished rows (done, ignored) processed before that time, and the refused deliveries
        received before it; how many rows. Waiting, running and parked rows stay."""
        ...


class IntroductionRepository(Protocol):
    """Introductions by (need, expert)."""

    def get(self, need_topic_id: int, expert_user_id: int, *, lock: bool = False) -> Introduction | None:
        """One introduction (pm_topic_id filled from the outbox when the PM was sent)."""
        ...

    def of_need(self, need_topic_id: int) -> list[Introduction]:
        """Every introduction of one need, oldest first."""
        ...

    def add(self, intro: Introduction) -> bool:
        """Insert; False when this pair already has one (nothing changes then)."""
        ...

    def save(self, intro: Introduction) -> None:
        """Update the row of this pair (status, dates, last_post_number)."""
        ...

    def pending(self) -> list[Introduction]:
        """Every introduction awaiting an answer."""
        ...

    def maybe_due(self, now: datetime) -> list[Introduction]:
        """Pending introductions the clock may move now (reminder or expiry date passed) or whose need
        is gone or ended, by expiry date; a superset of those due (domain.brokerage.due_step decides)."""
        ...

    def by_pm_topic(self, topic_id: int) -> Introduction | None:
        """The introduction whose PM is this topic (through the outbox row of its intent)."""
        ...

    def loads(self) -> dict[int, int]:
        """Pending or accepted introductions per expert user id."""
        ...

    def forget_expert(self, user_id: int) -> int:
        """Delete that expert's introductions; how many."""
        ...

    def forget_need(self, need_topic_id: int) -> int:
        """Delete that need's introductions; how many."""
        ...


class ReviewRepository(Protocol):
    """Review threads by need."""

    def get(self, need_topic_id: int, *, lock: bool = False) -> ReviewThread | None:
        """The thread state (topic_id, post_id filled from the outbox once the topic exists)."""
        ...

    def save(self, thread: ReviewThread) -> None:
        """Insert or update."""
        ...

    def by_topic(self, topic_id: int) -> ReviewThread | None:
        """The review thread whose topic is this one."""
        ...

    def delete(self, need_topic_id: int) -> bool:
        """Forget the thread state of a need (the topic itself stays in the forum)."""
        ...

    def forget_expert(self, user_id: int) -> int:
        """Drop that expert from every `shown` list; how many threads changed."""
        ...


class DigestRepository(Protocol):
    """Which needs each expert's digest already listed."""

    def last_sent(self, user_id: int) -> datetime | None:
        """When the expert's last digest was decided, or None."""
        ...

    def listed(self, user_id: int) -> set[int]:
        """Topic ids of needs already listed to this expert."""
        ...

    def record(self, user_id: int, need_topic_ids: Sequence[int], now: datetime) -> None:
        """Note a digest decided now listing these needs."""
        ...

    def forget_expert(self, user_id: int) -> int:
        """Delete what digests noted of this expert; how many rows."""
        ...


class OfferRepository(Protocol):
    """The volunteers of each need, as the plugin's offers last read say (withdrawn ones dropped)."""

    def of_need(self, need_topic_id: int) -> list[Volunteer]:
        """The need's volunteers, first offer first."""
        ...

    def replace(self, need_topic_id: int, volunteers: Sequence[Volunteer]) -> bool:
        """Hold exactly these volunteers for the need; True if that changed anything."""
        ...

    def forget_expert(self, user_id: int) -> int:
        """Delete that person's offers; how many rows."""
        ...

    def forget_need(self, need_topic_id: int) -> int:
        """Delete the need's offers; how many rows."""
        ...


# --- the unit of work ----------------------------------------------------------------------------


class UnitOfWork(Protocol):
    """One database transaction over every repository. What is not committed is rolled back."""

    @property
    def experts(self) -> ExpertRepository: ...

    @property
    def needs(self) -> NeedRepository: ...

    @property
    def tombstones(self) -> TombstoneRepository: ...

    @property
    def inbox(self) -> InboxRepository: ...

    @property
    def introductions(self) -> IntroductionRepository: ...

    @property
    def reviews(self) -> ReviewRepository: ...

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def digests(self) -> DigestRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def offers(self) -> OfferRepository: ...

    @property
    def followups(self) -> FollowupRepository: ...

    @property
    def campaigns(self) -> CampaignRepository: ...

    @property
    def plans(self) -> PlanRepository: ...

    @property
    def changes(self) -> ChangeRepository: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None:
        """Make every change of this unit durable."""
        ...

    def rollback(self) -> None:
        """Drop every change of this unit (and end its transaction)."""
        ...

    def lock_entity(self, kind: str, key: int) -> None:
        """Serialise work on one entity until the unit ends (PostgreSQL advisory lock; SQLite: the
        BEGIN IMMEDIATE transaction already holds the only write lock)."""
        ...
