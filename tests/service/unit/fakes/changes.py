"""A fake of ports.changes.ChangeRepository on a FakeStore: the change feed and the lease."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sync_service.services.ports.changes import Change
from tests.service.unit.fakes.records import FakeStore, OnStore


def note(data: FakeStore, need_topic_id: int | None = None, expert_user_id: int | None = None) -> None:
    """A row of the feed, as the SQL repositories write one in the transaction of a change."""
    data.changes.append(Change(data.next_id("brokerage_changes"), need_topic_id, expert_user_id))


class FakeChanges(OnStore):
    """ports.changes.ChangeRepository."""

    def note(self, *, need_topic_id: int | None = None, expert_user_id: int | None = None) -> None:
        note(self.data, need_topic_id, expert_user_id)

    def since(self, after: int, also: Collection[int] = ()) -> list[Change]:
        return [c for c in self.data.changes if c.id > after or c.id in also]

    def last_id(self) -> int:
        return max((c.id for c in self.data.changes), default=0)

    def prune(self, upto: int) -> int:
        kept = [c for c in self.data.changes if c.id > upto]
        gone = len(self.data.changes) - len(kept)
        self.data.changes = kept
        return gone

    def lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        held = self.data.leases.get(name)
        if held is not None and held[0] != holder and held[1] >= now:
            return False
        self.data.leases[name] = (holder, until)
        return True
