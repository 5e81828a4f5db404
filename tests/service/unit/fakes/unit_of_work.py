"""A fake of ports.storage.UnitOfWork: a transaction over a copy of a FakeStore.

A unit works on its own copy of the store, taken when it begins (on creation, on `with`, after each
commit or rollback): what it changes is seen by other units only after commit; rollback and leaving
the block drop it. SQLite serialises writers (BEGIN IMMEDIATE), so two units never both write: a unit
that commits changes made on a store another unit committed to since it began is a bug of the test
(or of the code under test), and raises instead of silently losing the other unit's work.
"""

from __future__ import annotations

import copy

from tests.service.unit.fakes.brokerage import FakeDigests, FakeIntroductions, FakeReviews
from tests.service.unit.fakes.outbox import FakeOutbox
from tests.service.unit.fakes.records import FakeStore
from tests.service.unit.fakes.repositories import FakeExperts, FakeInbox, FakeNeeds, FakeTombstones


class ConcurrentWrite(AssertionError):
    """Two fake units of work wrote at once, which the real database would have serialised."""


class FakeUnitOfWork:
    """ports.storage.UnitOfWork over a FakeStore (a new empty one when none is given)."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.locked: list[tuple[str, int]] = []  # lock_entity calls, for tests that care
        self.commits = 0  # by this unit
        self._begin()

    def _begin(self) -> None:
        self.base_version = self.store.commits
        self._base = copy.deepcopy(self.store)
        self.working = copy.deepcopy(self.store)
        self.experts = FakeExperts(self.working)
        self.needs = FakeNeeds(self.working)
        self.tombstones = FakeTombstones(self.working)
        self.inbox = FakeInbox(self.working)
        self.introductions = FakeIntroductions(self.working)
        self.reviews = FakeReviews(self.working)
        self.digests = FakeDigests(self.working)
        self.outbox = FakeOutbox(self.working)

    def __enter__(self) -> FakeUnitOfWork:
        self._begin()
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    @property
    def changed(self) -> bool:
        """Whether this unit wrote anything since it began."""
        return self.working != self._base

    def commit(self) -> None:
        if self.changed:
            if self.store.commits != self.base_version:
                raise ConcurrentWrite("another unit of work committed since this one began")
            version = self.store.commits + 1
            self.store.__dict__.update(copy.deepcopy(self.working).__dict__)
            self.store.commits = version
            self.commits += 1
        self._begin()

    def rollback(self) -> None:
        self._begin()

    def lock_entity(self, kind: str, key: int) -> None:
        self.locked.append((kind, key))
