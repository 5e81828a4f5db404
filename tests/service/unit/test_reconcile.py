"""Reconciliation with in-memory fakes of the forum and of the store: counts, purges, early stops."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sync_service.services.ports.forum import ForumUnavailable, NeedSnapshot, PersonSnapshot
from sync_service.services.ports.storage import EntityRef
from sync_service.services.reconcile import Counts, reconcile

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def _person(user_id: int, groups: tuple[str, ...] = ("experts",), skills: str = "irrigation",
            anonymized: bool = False) -> PersonSnapshot:
    return PersonSnapshot(user_id=user_id, username=f"user{user_id}", name=None, bio=None,
                          profile={"skills": (skills,)}, groups=groups, anonymized=anonymized)


def _need(topic_id: int, title: str = "Réseau d'irrigation") -> NeedSnapshot:
    return NeedSnapshot(topic_id=topic_id, title=title, author_user_id=2, author_username="elu",
                        author_groups=("commune-tiznit",), category_slug="besoins", tags=(),
                        closed=False, archived=False, form={}, raw="", post_version=1,
                        created_at=NOW, updated_at=NOW)


@dataclass
class FakeForum:
    """The forum port in memory; counts single fetches and can fail on demand."""

    persons: dict[int, PersonSnapshot] = field(default_factory=dict)
    hidden: dict[int, PersonSnapshot] = field(default_factory=dict)  # fetchable, not listed
    needs: dict[int, NeedSnapshot] = field(default_factory=dict)
    fetches: int = 0
    listing_fails_after: int | None = None
    down: bool = False

    def person(self, username: str) -> PersonSnapshot | None:
        return next((p for p in self.persons.values() if p.username == username), None)

    def person_by_id(self, user_id: int) -> PersonSnapshot | None:
        self.fetches += 1
        if self.down:
            raise ForumUnavailable("connection refused")
        return self.persons.get(user_id) or self.hidden.get(user_id)

    def need(self, topic_id: int) -> NeedSnapshot | None:
        self.fetches += 1
        if self.down:
            raise ForumUnavailable("connection refused")
        return self.needs.get(topic_id)

    def people(self) -> Iterator[PersonSnapshot]:
        for index, person in enumerate(sorted(self.persons.values(), key=lambda p: p.user_id)):
            if self.listing_fails_after is not None and index >= self.listing_fails_after:
                raise ForumUnavailable("502 on page 2")
            yield person

    def need_topic_ids(self) -> Iterator[int]:
        yield from sorted(self.needs)


@dataclass
class FakeStore:
    """codev's database in memory, and apply_ref's rules in a few lines (experts group only)."""

    experts: dict[int, PersonSnapshot] = field(default_factory=dict)
    needs: dict[int, NeedSnapshot] = field(default_factory=dict)
    commits: int = 0
    broken: set[str] = field(default_factory=set)

    def uow(self) -> Any:
        store = self

        class Uow:
            def __enter__(self) -> Uow:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def commit(self) -> None:
                store.commits += 1

            def rollback(self) -> None:
                return None

        return Uow()

    def apply(self, uow: Any, forum: Any, rules: Any, ref: EntityRef, now: datetime) -> str:
        if ref.key in self.broken:
            raise ValueError("bad data")
        key = int(ref.key)
        if ref.kind == "person":
            snapshot = forum.person_by_id(key)
            return self._put(self.experts, key, snapshot if _matchable(snapshot) else None)
        return self._put(self.needs, key, forum.need(key))

    @staticmethod
    def _put(table: dict[int, Any], key: int, snapshot: Any) -> str:
        if snapshot is None:
            return "purged" if table.pop(key, None) is not None else "ignored"
        before = table.get(key)
        table[key] = snapshot
        return "created" if before is None else "unchanged" if before == snapshot else "updated"

    def known(self, uow: Any) -> tuple[list[int], list[int]]:
        return list(self.experts), list(self.needs)

    def listed(self, uow: Any, rules: Any, snapshot: PersonSnapshot) -> str | None:
        """sync.listed_outcome's rule: what the listing settles without a refetch."""
        held = self.experts.get(snapshot.user_id)
        if held is None and not _matchable(snapshot):
            return "ignored"
        return "unchanged" if held == snapshot else None


def _matchable(person: PersonSnapshot | None) -> bool:
    return person is not None and not person.anonymized and "experts" in person.groups


def _sweep(store: FakeStore, forum: FakeForum, full: bool = False, **kwargs: Any) -> Counts:
    return reconcile(store.uow, forum, object(), full, NOW,  # type: ignore[arg-type]
                     apply=store.apply, known=store.known, listed=store.listed, **kwargs)


def test_first_sweep_creates_experts_and_needs_and_ignores_other_users() -> None:
    forum = FakeForum(persons={1: _person(1), 2: _person(2), 3: _person(3, groups=("commune-tata",))},
                      needs={40: _need(40)})
    store = FakeStore()

    counts = _sweep(store, forum)

    assert (counts.created, counts.ignored, counts.purged, counts.failed) == (3, 1, 0, 0)
    assert sorted(store.experts) == [1, 2] and list(store.needs) == [40]
    assert counts.complete and store.commits == 3  # the member who is no expert costs no write


def test_second_sweep_counts_unchanged_and_updated() -> None:
    forum = FakeForum(persons={1: _person(1), 2: _person(2)}, needs={40: _need(40)})
    store = FakeStore()
    _sweep(store, forum)
    forum.persons[2] = _person(2, skills="comptabilité")

    counts = _sweep(store, forum)

    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 2)


def test_experts_and_needs_the_forum_lost_are_purged() -> None:
    forum = FakeForum(persons={1: _person(1), 2: _person(2)}, needs={40: _need(40), 41: _need(41)})
    store = FakeStore()
    _sweep(store, forum)
    del forum.persons[2]
    del forum.needs[41]

    counts = _sweep(store, forum)

    assert counts.purged == 2
    assert list(store.experts) == [1] and list(store.needs) == [40]


def test_an_anonymised_user_missing_from_the_listing_is_refetched_and_purged() -> None:
    forum = FakeForum(persons={1: _person(1), 7: _person(7)})
    store = FakeStore()
    _sweep(store, forum)
    forum.hidden[7] = replace(forum.persons.pop(7), username="anon93842", anonymized=True)

    counts = _sweep(store, forum)

    assert counts.purged == 1 and 7 not in store.experts


def test_listed_people_codev_already_holds_as_listed_are_not_fetched_again_unless_full() -> None:
    forum = FakeForum(persons={1: _person(1), 2: _person(2), 3: _person(3, groups=())})
    store = FakeStore()

    _sweep(store, forum)  # the two experts are new: refetched under their lock, then written
    first = forum.fetches
    forum.fetches = 0
    _sweep(store, forum)  # nothing changed: the listing settles it
    quick = forum.fetches
    forum.fetches = 0
    _sweep(store, forum, full=True)

    assert (first, quick, forum.fetches) == (2, 0, 3)


def test_a_change_seen_in_the_listing_is_refetched_under_the_lock_before_it_is_written() -> None:
    forum = FakeForum(persons={1: _person(1)})
    store = FakeStore()
    _sweep(store, forum)
    forum.persons[1] = _person(1, skills="hydrogéologie")
    forum.fetches = 0

    counts = _sweep(store, forum)

    assert counts.updated == 1 and forum.fetches == 1
    assert store.experts[1].profile == {"skills": ("hydrogéologie",)}


def test_an_unfinished_listing_purges_nothing() -> None:
    forum = FakeForum(persons={n: _person(n) for n in range(1, 5)})
    store = FakeStore()
    _sweep(store, forum)
    forum.listing_fails_after = 2

    counts = _sweep(store, forum)

    assert not counts.complete and counts.failed == 1 and counts.purged == 0
    assert sorted(store.experts) == [1, 2, 3, 4]


def test_one_bad_entity_is_counted_failed_and_the_sweep_goes_on() -> None:
    forum = FakeForum(persons={1: _person(1), 2: _person(2), 3: _person(3)})
    store = FakeStore(broken={"2"})

    counts = _sweep(store, forum)

    assert (counts.created, counts.failed) == (2, 1) and counts.complete


def test_a_forum_outage_stops_the_sweep_early_without_purging() -> None:
    forum = FakeForum(needs={n: _need(n) for n in range(40, 60)})
    store = FakeStore()
    _sweep(store, forum)
    forum.down = True

    counts = _sweep(store, forum)

    assert not counts.complete and counts.failed == 5 and len(store.needs) == 20


def test_progress_is_told_each_entity_and_stop_ends_the_sweep() -> None:
    forum = FakeForum(persons={n: _person(n) for n in range(1, 7)})
    seen: list[tuple[str, str]] = []

    counts = _sweep(FakeStore(), forum, progress=lambda kind, outcome: seen.append((kind, outcome)),
                    stop=lambda: len(seen) >= 3)

    assert seen == [("person", "created")] * 3
    assert not counts.complete


def test_with_the_real_sync_rules_a_sweep_creates_then_purges_an_anonymised_expert() -> None:
    from tests.service.unit import fakes
    from tests.service.unit.test_sync_service import EXPERT, NEED, RULES

    forum = fakes.FakeForum()
    forum.put_person(EXPERT)
    forum.put_topic(NEED)
    store = fakes.FakeStore()

    def uow_factory() -> fakes.FakeUnitOfWork:
        return fakes.FakeUnitOfWork(store)

    first = reconcile(uow_factory, forum, RULES, False, NOW)  # type: ignore[arg-type]
    forum.change_person(EXPERT.user_id, username="anon71", name=None, bio=None, anonymized=True)
    second = reconcile(uow_factory, forum, RULES, False, NOW.replace(hour=4))  # type: ignore[arg-type]

    assert (first.created, first.purged) == (2, 0)
    assert (second.purged, second.unchanged) == (1, 1)
    with uow_factory() as uow:
        assert uow.experts.ids() == [] and uow.needs.ids() == [NEED.topic_id]


def test_each_refetch_is_dated_by_the_clock_so_a_long_sweep_still_purges() -> None:
    from datetime import timedelta

    from sync_service.services.sync import apply_ref
    from tests.service.unit import fakes
    from tests.service.unit.test_sync_service import EXPERT, RULES

    forum = fakes.FakeForum()
    forum.put_person(EXPERT)
    store = fakes.FakeStore()

    def uow_factory() -> fakes.FakeUnitOfWork:
        return fakes.FakeUnitOfWork(store)

    sweep_start = NOW
    reconcile(uow_factory, forum, RULES, False, sweep_start - timedelta(hours=1))  # type: ignore[arg-type]
    with uow_factory() as uow:  # a webhook refetch while the next sweep runs
        apply_ref(uow, forum, RULES, EntityRef("person", str(EXPERT.user_id), "user_updated"),
                  sweep_start + timedelta(minutes=10))
        uow.commit()
    forum.change_person(EXPERT.user_id, username="anon5", name=None, bio=None, anonymized=True)

    counts = reconcile(uow_factory, forum, RULES, False, sweep_start,  # type: ignore[arg-type]
                       clock=lambda: sweep_start + timedelta(minutes=20))

    assert counts.purged == 1
