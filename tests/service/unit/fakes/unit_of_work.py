"""A fake of ports.storage.UnitOfWork: a transaction over a copy of a FakeStore.

As on the database, a transaction begins at the unit's first statement (and again at the first one
after a commit or a rollback): it then works on its own copy of the store, which other units see only
once it commits; rollback and leaving the block drop it. SQLite serialises writers (BEGIN IMMEDIATE),
so two units never both write: a unit that commits changes after another unit committed since its
transaction began is a bug of the test (or of the code under test), and raises instead of silently
losing the other unit's work.
"""

from __future__ import annotations

import copy

from tests.service.unit.fakes.brokerage import FakeDigests, FakeIntroductions, FakeOffers, FakeReviews
from tests.service.unit.fakes.campaigns import FakeCampaigns
from tests.service.unit.fakes.changes import FakeChanges
from tests.service.unit.fakes.followup import FakeFollowups
from tests.service.unit.fakes.history import FakeHistory
from tests.service.unit.fakes.outbox import FakeOutbox
from tests.service.unit.fakes.plans import FakePlans
from tests.service.unit.fakes.records import FakeStore
from tests.service.unit.fakes.repositories import FakeExperts, FakeInbox, FakeNeeds, FakeTombstones


class ConcurrentWrite(AssertionError):
    """Two fake units of work wrote at once, which the real database would have serialised."""


class FakeUnitOfWork:
    """ports.storage.UnitOfWork over a FakeStore (a new empty one when none is given)."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.locked: list[tuple[str, int]] = []  # lock_entity calls, for tests that care
        self.commits = 0  # effective commits of this unit
        self._working: FakeStore | None = None
        self._base = FakeStore()
        self._base_version = 0
        self.experts = FakeExperts(self._transaction)
        self.needs = FakeNeeds(self._transaction)
        self.tombstones = FakeTombstones(self._transaction)
        self.inbox = FakeInbox(self._transaction)
        self.introductions = FakeIntroductions(self._transaction)
        self.reviews = FakeReviews(self._transaction)
        self.history = FakeHistory(self._transaction)
        self.digests = FakeDigests(self._transaction)
        self.outbox = FakeOutbox(self._transaction)
        self.offers = FakeOffers(self._transaction)
        self.followups = FakeFollowups(self._transaction)
        self.campaigns = FakeCampaigns(self._transaction)
        self.plans = FakePlans(self._transaction)
        self.changes = FakeChanges(self._transaction)

    def _transaction(self) -> FakeStore:
        """The store as this unit's transaction sees it, the transaction begun if need be."""
        if self._working is None:
            self._base_version = self.store.commits
            self._base = copy.deepcopy(self.store)
            self._working = copy.deepcopy(self.store)
        return self._working

    @property
    def working(self) -> FakeStore:
        """The store as this unit sees it now (its changes included), to arrange or inspect it."""
        return self._transaction()

    @property
    def changed(self) -> bool:
        """Whether this unit's transaction wrote anything."""
        return self._working is not None and self._working != self._base

    def __enter__(self) -> FakeUnitOfWork:
        self._working = None
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def commit(self) -> None:
        if self._working is not None and self.changed:
            if self.store.commits != self._base_version:
                raise ConcurrentWrite("another unit of work committed since this one's transaction began")
            version = self.store.commits + 1
            self.store.__dict__.update(copy.deepcopy(self._working).__dict__)
            self.store.commits = version
            self.commits += 1
        self._working = None

    def rollback(self) -> None:
        self._working = None

    def lock_entity(self, kind: str, key: int) -> None:
        self._transaction()
        self.locked.append((kind, key))
