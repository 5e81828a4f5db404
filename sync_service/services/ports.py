"""Ports: what the use cases need from the forum and from storage, in codev's words."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile


@dataclass(frozen=True)
class PersonSnapshot:
    """What the forum says of one person now (no e-mail address: codev never reads or keeps it)."""

    user_id: int
    username: str
    name: str | None
    bio: str | None
    # codev's profile keys (skills, sectors, languages, country, availability, modes,
    # origin_province, consent) -> the values the person chose, always as a tuple of strings.
    profile: Mapping[str, tuple[str, ...]]
    groups: tuple[str, ...]
    active: bool = True
    anonymized: bool = False


@dataclass(frozen=True)
class NeedSnapshot:
    """What the forum says of one need topic now, its first post's form already read."""

    topic_id: int
    title: str
    author_user_id: int
    author_username: str
    author_groups: tuple[str, ...]
    category_slug: str | None
    tags: tuple[str, ...]
    closed: bool
    archived: bool
    # form field id (secteur, type_aide, competences, langues, mode, echeance, description) -> values
    form: Mapping[str, tuple[str, ...]]
    raw: str
    post_version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Page:
    """One page of ids from a listing, and whether more follow."""

    ids: Sequence[int | str]
    more: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)


class ForumGateway(Protocol):
    """Reads the forum (Discourse behind the adapter). Raises ForumUnavailable on transient failure."""

    def person(self, username: str) -> PersonSnapshot | None:
        """The person now, or None if the forum has no such user."""
        ...

    def person_by_id(self, user_id: int) -> PersonSnapshot | None:
        """The person now, by forum user id, or None if deleted."""
        ...

    def need(self, topic_id: int) -> NeedSnapshot | None:
        """The topic now, or None if it does not exist, was deleted or is not visible."""
        ...

    def people(self) -> Iterator[PersonSnapshot]:
        """Every person of the forum, page by page (for reconciliation)."""
        ...

    def need_topic_ids(self) -> Iterator[int]:
        """Ids of every topic in the needs category or carrying the needs tag."""
        ...


class ForumUnavailable(Exception):
    """The forum did not answer usefully (timeout, 5xx, 429 past the retry budget); try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class EntityRef:
    """What one webhook delivery (or a reconciliation step) asks the worker to look at again."""

    kind: str  # "person" | "need"
    key: str   # person: forum user id (digits) or username; need: topic id (digits)
    event: str  # the Discourse event name, e.g. "user_updated"; "reconcile" from the pull


class UnitOfWork(Protocol):
    """One database transaction; repositories never commit, the use case does."""

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None:
        """Make every change of this unit durable."""
        ...

    def rollback(self) -> None:
        """Drop every change of this unit."""
        ...


# --- storage of what sync keeps (issue 3, sync core) -----------------------------------------


@dataclass(frozen=True)
class StoredExpert:
    """An expert profile as stored, with when codev last fetched it from the forum."""

    profile: ExpertProfile
    fetched_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StoredNeed:
    """A need as stored, with when codev last fetched it from the forum."""

    details: NeedDetails
    fetched_at: datetime
    updated_at: datetime


class ExpertRepository(Protocol):
    """Expert profiles by forum user id; never commits."""

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


class NeedRepository(Protocol):
    """Needs by topic id; never commits."""

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


class TombstoneRepository(Protocol):
    """Keyed hashes of forgotten people and topics (nothing else); never commits."""

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


class DeliveryTraces(Protocol):
    """What the inbox still says about a person; never commits."""

    def forget_person(self, user_id: int, username: str | None) -> int:
        """Blank the hints (and finished rows' keys) of deliveries about that person; how many rows."""
        ...


class BrokeredTraces(Protocol):
    """What the brokerage holds of a person or a need; forgetting purges it. Never commits."""

    def forget_person(self, user_id: int) -> int:
        """Delete their introductions, review listings, digest entries and unsent writes; how many."""
        ...

    def forget_need(self, topic_id: int) -> int:
        """Delete the need's introductions and review state; how many rows."""
        ...


class SyncUnitOfWork(UnitOfWork, Protocol):
    """One transaction over what sync stores."""

    @property
    def experts(self) -> ExpertRepository: ...

    @property
    def needs(self) -> NeedRepository: ...

    @property
    def tombstones(self) -> TombstoneRepository: ...

    @property
    def deliveries(self) -> DeliveryTraces: ...

    @property
    def brokered(self) -> BrokeredTraces: ...

    def __enter__(self) -> SyncUnitOfWork: ...

    def lock_entity(self, kind: str, key: int) -> None:
        """Serialise work on one entity until the unit ends (PostgreSQL advisory lock; SQLite: the
        BEGIN IMMEDIATE transaction already holds the only write lock)."""
        ...
