"""What the brokerage reads to re-rank only what changed: a feed of changed needs, experts and
introductions (written by the repositories in the transaction of the change), and a lease so that one
worker of a deployment ranks at a time."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Change:
    """One row of the feed: a need (its row, introductions or offers) or an expert (profile or load)."""

    id: int
    need_topic_id: int | None
    expert_user_id: int | None


class ChangeRepository(Protocol):
    """The brokerage's change feed and its lease."""

    def note(self, *, need_topic_id: int | None = None, expert_user_id: int | None = None) -> None:
        """Record that this need and/or expert changed (in the caller's transaction)."""
        ...

    def since(self, after: int, also: Collection[int] = ()) -> list[Change]:
        """The feed's rows with an id above `after`, and those of `also` (ids a pass missed), by id."""
        ...

    def last_id(self) -> int:
        """The highest id of the feed (0 when empty)."""
        ...

    def prune(self, upto: int) -> int:
        """Delete the rows with an id at most `upto`; how many."""
        ...

    def lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease `name` until `until`; False while another holder's lease runs."""
        ...
