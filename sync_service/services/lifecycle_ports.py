"""Ports of the brokerage use cases: what they store (introductions, review threads, digests), what
they read of the forum's threads, and how they rank. Adapters implement them; nothing here commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sync_service.domain.brokerage import Introduction, ReviewThread
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.outbox import OutboxRepository
from sync_service.services.ports import SyncUnitOfWork


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


class ThreadReader(Protocol):
    """Reads codev's own threads in the forum (DiscourseGateway implements it)."""

    def thread(self, topic_id: int, after_post_number: int) -> ThreadSnapshot | None:
        """The topic and its posts numbered after `after_post_number`; None if deleted or invisible."""
        ...

    def groups_of(self, username: str) -> tuple[str, ...] | None:
        """The person's group names now, or None if there is no such user."""
        ...


class IntroductionRepository(Protocol):
    """Introductions by (need, expert); never commits."""

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
    """Review threads by need; never commits."""

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
    """Which needs each expert's digest already listed; never commits."""

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


class BrokerageUnitOfWork(SyncUnitOfWork, Protocol):
    """One transaction over what sync and the brokerage store, with the outbox."""

    @property
    def introductions(self) -> IntroductionRepository: ...

    @property
    def reviews(self) -> ReviewRepository: ...

    @property
    def digests(self) -> DigestRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    def __enter__(self) -> BrokerageUnitOfWork: ...


@dataclass(frozen=True)
class Ranked:
    """One candidate for a need, with its reasons in the need's language."""

    user_id: int
    username: str
    name: str | None
    score: float
    reasons: tuple[str, ...]


class Ranker(Protocol):
    """Matching as the brokerage uses it; keeps its index between passes."""

    def refresh(self, experts: Sequence[ExpertProfile], needs: Sequence[NeedDetails],
                loads: Mapping[int, int]) -> None:
        """Bring the index in line with these experts and open needs (only changes are re-indexed)."""
        ...

    def rank(self, need_topic_id: int, k: int, exclude: set[int], locale: str) -> list[Ranked]:
        """The k best experts for the need, leaving out `exclude`."""
        ...

    def reasons(self, need_topic_id: int, user_id: int, locale: str) -> tuple[str, ...]:
        """Why this expert fits this need (empty when the pair is not indexed or scores below the floor)."""
        ...
