"""Fakes of what sync keeps (experts, needs, tombstones) and of the inbox queue, on a FakeStore.

Each mirrors its SQL repository in adapters/db (repositories.py, inbox_queue.py); locks are no-ops.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from sync_service.adapters.db.columns import kept_error
from sync_service.domain.lifecycle import CLOSED
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ports.storage import Claim, NeedTitle, StoredExpert, StoredNeed
from tests.service.unit.fakes.changes import note
from tests.service.unit.fakes.history import need_changed
from tests.service.unit.fakes.records import InboxRecord, OnStore


class FakeExperts(OnStore):
    """ports.storage.ExpertRepository."""

    def get(self, user_id: int, *, lock: bool = False) -> StoredExpert | None:
        return self.data.experts.get(user_id)

    def by_username(self, username: str) -> StoredExpert | None:
        return next((s for s in self.data.experts.values()
                     if s.profile.username.lower() == username.lower()), None)

    def save(self, profile: ExpertProfile, fetched_at: datetime, now: datetime) -> None:
        stored = self.data.experts.get(profile.user_id)
        self.data.experts[profile.user_id] = StoredExpert(profile, fetched_at, now,
                                                          stored.pushed_at if stored else None)
        note(self.data, expert_user_id=profile.user_id)

    def touch(self, user_id: int, fetched_at: datetime) -> None:
        stored = self.data.experts.get(user_id)
        if stored is not None:
            self.data.experts[user_id] = replace(stored, fetched_at=fetched_at)

    def delete(self, user_id: int) -> bool:
        if self.data.experts.pop(user_id, None) is None:
            return False
        note(self.data, expert_user_id=user_id)
        return True

    def ids(self) -> list[int]:
        return sorted(self.data.experts)

    def matchable(self) -> list[ExpertProfile]:
        return [s.profile for _, s in sorted(self.data.experts.items()) if s.profile.matchable]

    def digest_due(self, sent_before: datetime) -> list[ExpertProfile]:
        recent = {user for (user, _), at in self.data.digests.items() if at >= sent_before}
        return [p for p in self.matchable() if p.digest and p.user_id not in recent]

    def unpushed(self, limit: int) -> list[StoredExpert]:
        return [s for _, s in sorted(self.data.experts.items())
                if s.pushed_at is None or s.pushed_at < s.updated_at][:limit]

    def mark_pushed(self, user_id: int, updated_at: datetime) -> None:
        stored = self.data.experts.get(user_id)
        if stored is not None:
            self.data.experts[user_id] = replace(stored, pushed_at=updated_at)


class FakeNeeds(OnStore):
    """ports.storage.NeedRepository."""

    def get(self, topic_id: int, *, lock: bool = False) -> StoredNeed | None:
        return self.data.needs.get(topic_id)

    def save(self, details: NeedDetails, fetched_at: datetime, now: datetime) -> None:
        stored = self.data.needs.get(details.topic_id)
        need_changed(self.data, stored.details.status if stored else None, details, now)
        self.data.needs[details.topic_id] = StoredNeed(details, fetched_at, now)
        note(self.data, need_topic_id=details.topic_id)

    def touch(self, topic_id: int, fetched_at: datetime) -> None:
        stored = self.data.needs.get(topic_id)
        if stored is not None:
            self.data.needs[topic_id] = replace(stored, fetched_at=fetched_at)

    def delete(self, topic_id: int) -> bool:
        if self.data.needs.pop(topic_id, None) is None:
            return False
        note(self.data, need_topic_id=topic_id)
        return True

    def ids(self) -> list[int]:
        return sorted(self.data.needs)

    def open_needs(self) -> list[NeedDetails]:
        return [s.details for _, s in sorted(self.data.needs.items()) if s.details.status != CLOSED]

    def titles(self, topics: Collection[int]) -> dict[int, NeedTitle]:
        return {topic: NeedTitle(s.details.title, s.details.sector) for topic, s in self.data.needs.items()
                if topic in topics}

    def closed_since(self, since: datetime | None) -> list[NeedDetails]:
        return [s.details for _, s in sorted(self.data.needs.items()) if s.details.status == CLOSED
                and (since is None or s.updated_at >= since)]

    def forget_author(self, user_id: int) -> int:
        count = 0
        for topic_id, stored in list(self.data.needs.items()):
            if stored.details.author_user_id == user_id:
                details = replace(stored.details, author_user_id=None, author_username=None)
                self.data.needs[topic_id] = replace(stored, details=details)
                note(self.data, need_topic_id=topic_id)
                count += 1
        return count


class FakeTombstones(OnStore):
    """ports.storage.TombstoneRepository."""

    def created_at(self, key: str) -> datetime | None:
        return self.data.tombstones.get(key)

    def add(self, key: str, now: datetime) -> None:
        self.data.tombstones[key] = max(self.data.tombstones.get(key, now), now)

    def remove(self, key: str) -> None:
        self.data.tombstones.pop(key, None)

    def prune(self, before: datetime) -> int:
        old = [k for k, t in self.data.tombstones.items() if t < before]
        for key in old:
            del self.data.tombstones[key]
        return len(old)


def _due(row: InboxRecord, now: datetime) -> bool:
    """Pending and due, or running under a lease that has run out (its worker died)."""
    if row.status == "pending":
        return row.available_at <= now
    return row.status == "running" and row.lease_until is not None and row.lease_until < now


def _same_entity(a: InboxRecord, b: InboxRecord) -> bool:
    # SQL equality: a NULL key is equal to nothing
    return a.entity_kind == b.entity_kind and a.entity_key is not None and a.entity_key == b.entity_key


class FakeInbox(OnStore):
    """ports.storage.InboxRepository: the webhook inbox as a work queue under leases."""

    def claim(self, worker_id: str, now: datetime, limit: int, lease_seconds: float) -> list[Claim]:
        rows = sorted(self.data.inbox, key=lambda r: r.id)
        chosen = [r for r in rows if _due(r, now) and (r.entity_kind == "none" or not any(
            _same_entity(o, r) and ((o.id < r.id and _due(o, now))
                                    or (o.status == "running" and o.lease_until is not None
                                        and o.lease_until >= now)) for o in rows))][:limit]
        for r in chosen:
            r.status, r.leased_by, r.attempts = "running", worker_id, r.attempts + 1
            r.lease_until = now + timedelta(seconds=lease_seconds)
        return [Claim(r.id, r.event, r.entity_kind, r.entity_key, r.attempts, worker_id) for r in chosen]

    def renew(self, claim: Claim, lease_until: datetime) -> bool:
        row = self._held(claim)
        if row is not None:
            row.lease_until = lease_until
        return row is not None

    def pending_of_entity(self, claim: Claim) -> list[int]:
        if claim.entity_kind == "none":
            return []
        return sorted(r.id for r in self.data.inbox if r.entity_kind == claim.entity_kind
                      and r.entity_key == claim.entity_key and r.status == "pending" and r.id != claim.id)

    def complete(self, claim: Claim, now: datetime, status: str, coalesced: list[int]) -> bool:
        row = self._held(claim)
        if row is None:
            return False
        row.status, row.processed_at, row.lease_until, row.last_error = status, now, None, None
        for other in self.data.inbox:
            if other.id in coalesced and other.status == "pending":
                other.status, other.processed_at, other.last_error = status, now, None
        return True

    def retry(self, claim: Claim, available_at: datetime, error: str, count_attempt: bool = True) -> bool:
        row = self._held(claim)
        if row is None:
            return False
        row.status, row.available_at, row.lease_until, row.leased_by = "pending", available_at, None, None
        if not count_attempt:
            row.attempts -= 1
        if error:
            row.last_error = kept_error(error)
        return True

    def park(self, claim: Claim, now: datetime, error: str) -> bool:
        row = self._held(claim)
        if row is None:
            return False
        row.status, row.processed_at, row.lease_until = "parked", now, None
        row.last_error = kept_error(error)
        return True

    def prune(self, before: datetime) -> int:
        def old(r: InboxRecord) -> bool:
            return r.status in ("done", "ignored") and r.processed_at is not None and r.processed_at < before

        kept = [r for r in self.data.inbox if not old(r)]
        pruned = len(self.data.inbox) - len(kept)
        self.data.inbox[:] = kept
        return pruned

    def forget_person(self, user_id: int, username: str | None) -> int:
        keys = {str(user_id), *([username] if username else [])}
        about = [r for r in self.data.inbox if r.entity_kind == "person" and r.entity_key in keys]
        for row in about:
            row.hint = {}
            if username and row.entity_key == username:
                row.entity_key = str(user_id)
        return len(about)

    def _held(self, claim: Claim) -> InboxRecord | None:
        """The row, if it is still this claim's: running, leased by this worker, at this attempt."""
        return next((r for r in self.data.inbox if r.id == claim.id and r.status == "running"
                     and r.leased_by == claim.worker_id and r.attempts == claim.attempts), None)
