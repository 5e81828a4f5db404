"""A small world for the brokerage use cases: the fakes of every port, the packaged rules, and the
few steps tests repeat (store a need or an expert, refresh, send the outbox, post in a thread, read it).
Each step runs in a unit of work of its own and commits, as the worker does."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from sync_service.bootstrap import brokerage_rules
from sync_service.domain.brokerage import Introduction, ReviewThread
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services import answers, brokerage, incremental, timers
from sync_service.services.brokerage import BrokerageRules
from sync_service.services.outbox import SendReport, send_due
from sync_service.services.ports.forum import ThreadSnapshot
from sync_service.services.ports.matching import Ranked
from tests.configured import packaged
from tests.service.unit.fakes import (
    FakeForum,
    FakeRanker,
    FakeStore,
    FakeThread,
    FakeUnitOfWork,
    FakeWriter,
    OutboxRecord,
    ranked,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REVIEW_CATEGORY = 31
NEED, OTHER_NEED, THIRD_NEED = 7, 8, 9
AUTHOR_ID, AUTHOR = 12, "rkia.ouali"
MANAGER_ID, MANAGER = 3, "nadia.animatrice"
MEMBER_ID, MEMBER = 5, "omar.membre"
LAHCEN, FATIMA, HASSAN, YOUSSEF = 42, 43, 44, 45
USERNAMES = {LAHCEN: "lahcen.oubaha", FATIMA: "fatima.z", HASSAN: "Hassan_B", YOUSSEF: "youssef.k"}


def day(days: float) -> datetime:
    return T0 + timedelta(days=days)


@cache
def rules() -> BrokerageRules:
    """The packaged settings' rules, with a review category, as the worker builds them."""
    return brokerage_rules(packaged(), review_category_id=REVIEW_CATEGORY)


def candidate(user_id: int, score: float = 0.8) -> Ranked:
    return ranked(user_id, USERNAMES[user_id], score, f"compétences de {USERNAMES[user_id]}")


@dataclass
class World:
    """The store, the forum (with a community manager, a member and the need's author), the writer
    posting as codev, and a ranker whose table the test fills."""

    rules: BrokerageRules = field(default_factory=rules)
    store: FakeStore = field(default_factory=FakeStore)
    forum: FakeForum = field(default_factory=FakeForum)
    ranker: FakeRanker = field(default_factory=FakeRanker)

    def __post_init__(self) -> None:
        self.writer = FakeWriter(self.forum)
        self.forum.add_user(MANAGER_ID, MANAGER, groups=("animateurs",))
        self.forum.add_user(MEMBER_ID, MEMBER, groups=("experts",))
        self.forum.add_user(AUTHOR_ID, AUTHOR, groups=("commune-anzi",))
        self.forum.add_user(1, "codev", staff=True)

    def with_rules(self, **changes: object) -> World:
        self.rules = dataclasses.replace(self.rules, **changes)  # type: ignore[arg-type]
        return self

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    # --- arranging ---
    def add_need(self, topic_id: int = NEED, title: str = "Eau potable pour six douars d'Anzi",
                 body: str = "Six douars sans eau potable depuis l'été.", status: str = "open",
                 at: datetime = T0) -> NeedDetails:
        details = NeedDetails(topic_id, title, AUTHOR_ID, AUTHOR, commune="Anzi", province="Tiznit",
                              sector="drinking_water", body=body, status=status)
        with self.uow() as uow:
            uow.needs.save(details, at, at)
            uow.commit()
        return details

    def add_expert(self, user_id: int, digest: bool = False, languages: tuple[str, ...] = ("fr",),
                   matchable: bool = True) -> ExpertProfile:
        profile = ExpertProfile(user_id, USERNAMES[user_id], languages=languages, matchable=matchable,
                                digest=digest)
        self.forum.add_user(user_id, profile.username, groups=("experts",))
        with self.uow() as uow:
            uow.experts.save(profile, T0, T0)
            uow.commit()
        return profile

    def rank(self, topic_id: int, *user_ids: int) -> None:
        """What the ranker proposes for a need, best first."""
        self.ranker.put(topic_id, *(candidate(u, 0.9 - i / 10) for i, u in enumerate(user_ids)))

    # --- the use cases, each in a unit of work of its own ---
    def refresh(self, topic_id: int = NEED, at: datetime = T0) -> str:
        with self.uow() as uow:
            outcome = brokerage.refresh_need(uow, self.ranker, self.rules, topic_id, at)
            uow.commit()
        return outcome

    def rematch(self, at: datetime = T0, closed_since: datetime | None = None) -> dict[str, int]:
        return incremental.rematch(self.uow, self.ranker, self.rules, at, closed_since)

    def read(self, topic_id: int, at: datetime = T0) -> str:
        with self.uow() as uow:
            outcome = answers.read_thread(uow, self.forum, self.ranker, self.rules, topic_id, at)
            uow.commit()
        return outcome

    def tick(self, at: datetime) -> dict[str, int]:
        return timers.tick(self.uow, self.rules, at)

    def digests(self, at: datetime) -> int:
        return timers.send_digests(self.uow, self.ranker, self.rules, at)

    def send(self, at: datetime = T0) -> SendReport:
        """The outbox sender: every due write goes to the fake forum."""
        return send_due(self.uow, self.writer, "sender", lambda: at)

    # --- reading the state ---
    def need(self, topic_id: int = NEED) -> NeedDetails:
        stored = self.uow().needs.get(topic_id)
        assert stored is not None
        return stored.details

    def review(self, topic_id: int = NEED) -> ReviewThread:
        thread = self.uow().reviews.get(topic_id)
        assert thread is not None
        return thread

    def review_topic(self, topic_id: int = NEED) -> FakeThread:
        """The review topic in the forum (the outbox must have sent it)."""
        thread = self.review(topic_id)
        assert thread.topic_id is not None, "the review topic was not sent"
        return self.forum.threads[thread.topic_id]

    def intro(self, expert: int, topic_id: int = NEED) -> Introduction:
        found = self.uow().introductions.get(topic_id, expert)
        assert found is not None
        return found

    def pm(self, expert: int, topic_id: int = NEED) -> FakeThread:
        """The introduction PM in the forum (the outbox must have sent it)."""
        pm_topic_id = self.intro(expert, topic_id).pm_topic_id
        assert pm_topic_id is not None, "the introduction PM was not sent"
        return self.forum.threads[pm_topic_id]

    def intents(self, kind: str | None = None) -> list[OutboxRecord]:
        return self.store.intents(kind)

    def keys(self, kind: str | None = None) -> list[str]:
        return [row.key for row in self.store.intents(kind)]


# --- worlds the tests of answers start from -------------------------------------------------------

def reviewing(*ranking: int) -> tuple[World, FakeThread]:
    """A need whose review topic (Lahcen first, Fatima second unless said otherwise) is in the forum."""
    world = World()
    world.add_need()
    for user_id in USERNAMES:
        world.add_expert(user_id)
    world.rank(NEED, *(ranking or (LAHCEN, FATIMA)))
    world.refresh()
    world.send()
    return world, world.review_topic()


def introduced(expert: int = LAHCEN) -> tuple[World, FakeThread]:
    """The manager approved the expert; the introduction PM is in the forum."""
    world, topic = reviewing()
    world.forum.post(topic.topic_id, MANAGER, f"approuver {USERNAMES[expert]}, merci")
    assert world.read(topic.topic_id) == "approved"
    world.send()
    return world, world.pm(expert)


class LockCheckingForum:
    """A ThreadReader that checks, at every read of a thread, that the reading unit of work already
    holds the need's lock: a second worker then waits for the first's commit before it reads, and
    sees the posts the first one read as read (two workers never apply one command twice)."""

    def __init__(self, forum: FakeForum, uow: FakeUnitOfWork, need_topic_id: int) -> None:
        self.forum, self.uow, self.need = forum, uow, need_topic_id
        self.reads = 0

    def thread(self, topic_id: int, after_post_number: int) -> ThreadSnapshot | None:
        assert ("need", self.need) in self.uow.locked, "the thread was read before the need's lock"
        self.reads += 1
        return self.forum.thread(topic_id, after_post_number)

    def groups_of(self, username: str) -> tuple[str, ...] | None:
        return self.forum.groups_of(username)


def read_under_lock(world: World, topic_id: int, need_topic_id: int = NEED) -> str:
    """read_thread through a LockCheckingForum, committed."""
    with world.uow() as uow:
        forum = LockCheckingForum(world.forum, uow, need_topic_id)
        outcome = answers.read_thread(uow, forum, world.ranker, world.rules, topic_id, T0)
        uow.commit()
    assert forum.reads == 1
    return outcome
