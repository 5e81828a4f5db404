"""What the use cases need from the forum: reading people, needs and codev's own threads; writing
posts; provisioning its structure. Discourse sits behind these (adapters.discourse)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sync_service.domain.provisioning import Action, ForumState, ForumStructure

# --- what the forum says -------------------------------------------------------------------------


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
    visible: bool = True  # listed; an unlisted topic (a draft from a plan) is no need yet


@dataclass(frozen=True)
class ThreadPost:
    """One post of a review topic or an introduction PM, as the forum shows it now."""

    post_number: int
    user_id: int | None
    username: str
    staff: bool   # admin or moderator (Discourse's post JSON "staff")
    raw: str


@dataclass(frozen=True)
class ThreadSnapshot:
    """A topic codev opened (review topic or introduction PM): its state and the posts after a point."""

    topic_id: int
    closed: bool
    tags: tuple[str, ...]
    posts: tuple[ThreadPost, ...]   # post_number > the `after` asked for, in order


@dataclass(frozen=True)
class OfferSnapshot:
    """One "Je peux aider" on a need, as the codev plugin keeps it (withdrawn ones too)."""

    user_id: int
    username: str
    created_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Posted:
    """Where the forum put a write."""

    topic_id: int | None
    post_id: int | None


# --- what can go wrong ---------------------------------------------------------------------------


class ForumUnavailable(Exception):
    """The forum did not answer usefully (timeout, 5xx, 429 past the retry budget); try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccessDenied(ForumUnavailable):
    """The forum refuses codev's credentials, or lacks what codev needs: retrying will not help until a
    person fixes the configuration (the message says what to fix)."""


class UnclearOutcome(Exception):
    """A write may or may not have been carried out (timeout, reset, 5xx)."""


class WriteRefused(Exception):
    """The forum refused a write (4xx): sending it again would be refused again."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ForumRefused(Exception):
    """The forum refused an admin read or write; `fix` tells the operator what to change."""

    def __init__(self, what: str, reason: str, fix: str) -> None:
        self.what, self.reason, self.fix = what, reason, fix
        super().__init__(f"{what}: {reason}")


# --- the ports -----------------------------------------------------------------------------------


class ForumGateway(Protocol):
    """Reads people and needs. Raises ForumUnavailable on transient failure."""

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


class ThreadReader(Protocol):
    """Reads codev's own threads in the forum (review topics, introduction PMs)."""

    def thread(self, topic_id: int, after_post_number: int) -> ThreadSnapshot | None:
        """The topic and its posts numbered after `after_post_number`; None if deleted or invisible."""
        ...

    def groups_of(self, username: str) -> tuple[str, ...] | None:
        """The person's group names now, or None if there is no such user."""
        ...


class OfferReader(Protocol):
    """Reads the offers the codev plugin keeps for a need (GET /codev/topics/:id/offers.json)."""

    def offers(self, topic_id: int) -> list[OfferSnapshot] | None:
        """Every offer on the need, withdrawn ones too; None when the plugin is absent or disabled."""
        ...


class ForumWriter(Protocol):
    """The write side: send one intent, or find the post it already made (by its marker)."""

    def send(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted:
        """Carry out the write; UnclearOutcome, WriteRefused or ForumUnavailable."""
        ...

    def locate(self, kind: str, payload: Mapping[str, Any], key: str) -> Posted | None:
        """The post an earlier attempt of this intent made, or None."""
        ...


class ForumAdmin(Protocol):
    """The forum's admin side, as provisioning needs it."""

    def read_structure(self, desired: ForumStructure) -> ForumState:
        """What the forum has now (at least what `desired` names); ForumRefused or ForumUnavailable."""
        ...

    def apply(self, action: Action) -> None:
        """Perform one write; ForumRefused or ForumUnavailable."""
        ...

    def plugin_events(self) -> Mapping[str, int]:
        """The codev plugin's web hook event types (name -> id) when it is installed and enabled, else
        none; ForumUnavailable."""
        ...
