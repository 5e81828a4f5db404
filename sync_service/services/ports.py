"""Ports: what the use cases need from the forum and from storage, in codev's words."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


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
