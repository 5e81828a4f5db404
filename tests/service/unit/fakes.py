"""In-memory fakes of the ports (ForumGateway, UnitOfWork), shared by the unit tests of services."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sync_service.domain.lifecycle import CLOSED
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ports.forum import ForumUnavailable, NeedSnapshot, PersonSnapshot
from sync_service.services.ports.storage import StoredExpert, StoredNeed


class FakeForum:
    """The forum as a dict of people and topics; `down = True` makes every call raise ForumUnavailable."""

    def __init__(self) -> None:
        self.people_by_id: dict[int, PersonSnapshot] = {}
        self.topics: dict[int, NeedSnapshot] = {}
        self.down = False
        self.calls: list[tuple[str, object]] = []

    # --- arranging the forum ---
    def put_person(self, person: PersonSnapshot) -> PersonSnapshot:
        self.people_by_id[person.user_id] = person
        return person

    def change_person(self, user_id: int, **changes: Any) -> PersonSnapshot:
        return self.put_person(replace(self.people_by_id[user_id], **changes))

    def delete_person(self, user_id: int) -> None:
        self.people_by_id.pop(user_id, None)

    def put_topic(self, topic: NeedSnapshot) -> NeedSnapshot:
        self.topics[topic.topic_id] = topic
        return topic

    def change_topic(self, topic_id: int, **changes: Any) -> NeedSnapshot:
        return self.put_topic(replace(self.topics[topic_id], **changes))

    def delete_topic(self, topic_id: int) -> None:
        self.topics.pop(topic_id, None)

    # --- ports.ForumGateway ---
    def person(self, username: str) -> PersonSnapshot | None:
        self._call("person", username)
        return next((p for p in self.people_by_id.values() if p.username == username), None)

    def person_by_id(self, user_id: int) -> PersonSnapshot | None:
        self._call("person_by_id", user_id)
        return self.people_by_id.get(user_id)

    def need(self, topic_id: int) -> NeedSnapshot | None:
        self._call("need", topic_id)
        return self.topics.get(topic_id)

    def people(self) -> Iterator[PersonSnapshot]:
        self._call("people", None)
        yield from list(self.people_by_id.values())

    def need_topic_ids(self) -> Iterator[int]:
        self._call("need_topic_ids", None)
        yield from sorted(self.topics)

    def _call(self, name: str, argument: object) -> None:
        self.calls.append((name, argument))
        if self.down:
            raise ForumUnavailable(f"{name}: the fake forum is down", retry_after=1.0)


@dataclass
class FakeStore:
    """What the fake database holds; a unit of work sees a copy and publishes it on commit."""

    experts: dict[int, StoredExpert] = field(default_factory=dict)
    needs: dict[int, StoredNeed] = field(default_factory=dict)
    tombstones: dict[str, datetime] = field(default_factory=dict)
    # Inbox rows as the worker would hold them: (entity_kind, entity_key, hint).
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    # What forgetting asked the brokerage to purge: ("person", user id) or ("need", topic id).
    brokered_forgotten: list[tuple[str, int]] = field(default_factory=list)
    commits: int = 0


class FakeExperts:
    def __init__(self, data: FakeStore) -> None:
        self.data = data

    def get(self, user_id: int, *, lock: bool = False) -> StoredExpert | None:
        return self.data.experts.get(user_id)

    def by_username(self, username: str) -> StoredExpert | None:
        return next((s for s in self.data.experts.values() if s.profile.username == username), None)

    def save(self, profile: ExpertProfile, fetched_at: datetime, now: datetime) -> None:
        self.data.experts[profile.user_id] = StoredExpert(profile, fetched_at, now)

    def touch(self, user_id: int, fetched_at: datetime) -> None:
        stored = self.data.experts.get(user_id)
        if stored is not None:
            self.data.experts[user_id] = replace(stored, fetched_at=fetched_at)

    def delete(self, user_id: int) -> bool:
        return self.data.experts.pop(user_id, None) is not None

    def ids(self) -> list[int]:
        return sorted(self.data.experts)

    def matchable(self) -> list[ExpertProfile]:
        return [s.profile for _, s in sorted(self.data.experts.items()) if s.profile.matchable]


class FakeNeeds:
    def __init__(self, data: FakeStore) -> None:
        self.data = data

    def get(self, topic_id: int, *, lock: bool = False) -> StoredNeed | None:
        return self.data.needs.get(topic_id)

    def save(self, details: NeedDetails, fetched_at: datetime, now: datetime) -> None:
        self.data.needs[details.topic_id] = StoredNeed(details, fetched_at, now)

    def touch(self, topic_id: int, fetched_at: datetime) -> None:
        stored = self.data.needs.get(topic_id)
        if stored is not None:
            self.data.needs[topic_id] = replace(stored, fetched_at=fetched_at)

    def delete(self, topic_id: int) -> bool:
        return self.data.needs.pop(topic_id, None) is not None

    def ids(self) -> list[int]:
        return sorted(self.data.needs)

    def open_needs(self) -> list[NeedDetails]:
        return [s.details for _, s in sorted(self.data.needs.items()) if s.details.status != CLOSED]

    def closed_since(self, since: datetime | None) -> list[NeedDetails]:
        return [s.details for s in self.data.needs.values() if s.details.status == "closed"
                and (since is None or s.updated_at >= since)]

    def forget_author(self, user_id: int) -> int:
        count = 0
        for topic_id, stored in list(self.data.needs.items()):
            if stored.details.author_user_id == user_id:
                details = replace(stored.details, author_user_id=None, author_username=None)
                self.data.needs[topic_id] = replace(stored, details=details)
                count += 1
        return count


class FakeTombstones:
    def __init__(self, data: FakeStore) -> None:
        self.data = data

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


class FakeInbox:
    """ports.storage.InboxRepository: what inbox rows say about people (the queue is SQL-tested)."""

    def __init__(self, data: FakeStore) -> None:
        self.data = data

    def forget_person(self, user_id: int, username: str | None) -> int:
        keys = {str(user_id), username}
        count = 0
        for row in self.data.deliveries:
            if row["entity_kind"] == "person" and row["entity_key"] in keys:
                row["hint"] = {}
                row["entity_key"] = str(user_id)
                count += 1
        return count


class FakeBrokered:
    """The brokerage's repositories as forgetting sees them: it records what was purged (their own
    behaviour is SQL-tested)."""

    def __init__(self, data: FakeStore) -> None:
        self.data = data

    def forget_expert(self, user_id: int) -> int:
        self.data.brokered_forgotten.append(("person", user_id))
        return 0

    def forget_person(self, user_id: int) -> int:
        return self.forget_expert(user_id)

    def forget_need(self, topic_id: int) -> int:
        self.data.brokered_forgotten.append(("need", topic_id))
        return 0

    def delete(self, topic_id: int) -> bool:
        self.data.brokered_forgotten.append(("need", topic_id))
        return False


class FakeUnitOfWork:
    """ports.UnitOfWork over a FakeStore: changes are seen by others only after commit."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.locked: list[tuple[str, int]] = []
        self._begin()

    def _begin(self) -> None:
        self.working = copy.deepcopy(self.store)
        self.experts = FakeExperts(self.working)
        self.needs = FakeNeeds(self.working)
        self.tombstones = FakeTombstones(self.working)
        self.inbox = FakeInbox(self.working)
        self.introductions = self.reviews = self.digests = self.outbox = FakeBrokered(self.working)

    def __enter__(self) -> FakeUnitOfWork:
        self._begin()
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def commit(self) -> None:
        commits = self.store.commits + 1
        self.store.__dict__.update(copy.deepcopy(self.working).__dict__)
        self.store.commits = commits
        self._begin()

    def rollback(self) -> None:
        self._begin()

    def lock_entity(self, kind: str, key: int) -> None:
        self.locked.append((kind, key))
