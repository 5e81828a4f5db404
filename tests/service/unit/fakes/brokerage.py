"""Fakes of the brokerage repositories (introductions, review threads, digests) on a FakeStore.

As in adapters/db/brokerage.py, where codev's threads are in the forum is not stored twice: an
introduction's PM topic and a review thread's topic and post are those of the SENT outbox row of its
intent key, and a review thread is `published` once the row of its latest revision was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sync_service.domain.brokerage import (
    ACCEPTED,
    FINAL_STATUSES,
    PENDING,
    Introduction,
    ReviewThread,
    Volunteer,
    intent_keys,
    review_key,
)
from tests.service.unit.fakes.changes import note
from tests.service.unit.fakes.history import introduction_changed
from tests.service.unit.fakes.records import OnStore


def _ids_in_key(key: str, prefix: str, count: int) -> tuple[int, ...] | None:
    """The numbers of "prefix:<n>[:<m>]", or None when the key has another shape (a reply, an edit)."""
    parts = key.split(":")
    if parts[0] != prefix or len(parts) != count + 1 or not all(p.isdigit() for p in parts[1:]):
        return None
    return tuple(int(p) for p in parts[1:])


class FakeIntroductions(OnStore):
    """ports.storage.IntroductionRepository."""

    def get(self, need_topic_id: int, expert_user_id: int, *, lock: bool = False) -> Introduction | None:
        row = self.data.introductions.get((need_topic_id, expert_user_id))
        return None if row is None else self._joined(row)

    def of_need(self, need_topic_id: int) -> list[Introduction]:
        rows = [i for i in self.data.introductions.values() if i.need_topic_id == need_topic_id]
        return [self._joined(i) for i in sorted(rows, key=lambda i: (i.opened_at, i.expert_user_id))]

    def add(self, intro: Introduction) -> bool:
        pair = (intro.need_topic_id, intro.expert_user_id)
        if pair in self.data.introductions:
            return False
        introduction_changed(self.data, None, intro)
        self.data.introductions[pair] = replace(intro, pm_topic_id=None, pm_sent_at=None)
        note(self.data, intro.need_topic_id, intro.expert_user_id)
        return True

    def save(self, intro: Introduction) -> None:
        pair = (intro.need_topic_id, intro.expert_user_id)
        stored = self.data.introductions.get(pair)
        introduction_changed(self.data, stored.status if stored else None, intro)
        self.data.introductions[pair] = replace(intro, pm_topic_id=None, pm_sent_at=None)
        note(self.data, intro.need_topic_id, intro.expert_user_id)

    def maybe_due(self, now: datetime) -> list[Introduction]:
        def due(i: Introduction) -> bool:
            need = self.data.needs.get(i.need_topic_id)
            return ((i.reminded_at is None and i.remind_at <= now) or i.expire_at <= now or need is None
                    or need.details.status in FINAL_STATUSES)
        return [i for i in self.pending() if due(i)]

    def pending(self) -> list[Introduction]:
        rows = [i for i in self.data.introductions.values() if i.status == PENDING]
        return [self._joined(i) for i in
                sorted(rows, key=lambda i: (i.expire_at, i.need_topic_id, i.expert_user_id))]

    def by_pm_topic(self, topic_id: int) -> Introduction | None:
        for key in self.data.sent_keys_in_topic(topic_id, "intro:"):
            ids = _ids_in_key(key, "intro", 2)
            if ids is not None and intent_keys(ids[0], ids[1])["pm"] == key:
                return self.get(ids[0], ids[1])
        return None

    def loads(self) -> dict[int, int]:
        loads: dict[int, int] = {}
        for intro in self.data.introductions.values():
            if intro.status in (PENDING, ACCEPTED):
                loads[intro.expert_user_id] = loads.get(intro.expert_user_id, 0) + 1
        return loads

    def forget_expert(self, user_id: int) -> int:
        return self._delete(lambda pair: pair[1] == user_id)

    def forget_need(self, need_topic_id: int) -> int:
        return self._delete(lambda pair: pair[0] == need_topic_id)

    def _delete(self, which: Callable[[tuple[int, int]], bool]) -> int:
        gone = [pair for pair in self.data.introductions if which(pair)]
        for pair in gone:
            del self.data.introductions[pair]
            note(self.data, *pair)
        return len(gone)

    def _joined(self, row: Introduction) -> Introduction:
        sent = self.data.sent(intent_keys(row.need_topic_id, row.expert_user_id)["pm"])
        if sent is None:
            return replace(row, pm_topic_id=None, pm_sent_at=None)
        return replace(row, pm_topic_id=sent.topic_id, pm_sent_at=sent.sent_at)


class FakeReviews(OnStore):
    """ports.storage.ReviewRepository."""

    def get(self, need_topic_id: int, *, lock: bool = False) -> ReviewThread | None:
        row = self.data.reviews.get(need_topic_id)
        if row is None:
            return None
        first = self.data.sent(review_key(need_topic_id))
        latest = self.data.sent(review_key(need_topic_id, row.revision))
        return replace(row, topic_id=first.topic_id if first else None,
                       post_id=first.post_id if first else None, published=latest is not None)

    def save(self, thread: ReviewThread) -> None:
        self.data.reviews[thread.need_topic_id] = replace(thread, topic_id=None, post_id=None,
                                                          published=False)

    def by_topic(self, topic_id: int) -> ReviewThread | None:
        for key in self.data.sent_keys_in_topic(topic_id, "review:"):
            ids = _ids_in_key(key, "review", 1)
            if ids is not None and review_key(ids[0]) == key:
                return self.get(ids[0])
        return None

    def delete(self, need_topic_id: int) -> bool:
        return self.data.reviews.pop(need_topic_id, None) is not None

    def forget_expert(self, user_id: int) -> int:
        changed = 0
        for need_topic_id, row in list(self.data.reviews.items()):
            kept = tuple(c for c in row.shown if c.user_id != user_id)
            if kept != row.shown:
                self.data.reviews[need_topic_id] = replace(row, shown=kept)
                changed += 1
        return changed


class FakeDigests(OnStore):
    """ports.storage.DigestRepository: (expert, need) -> when a digest listed it."""

    def last_sent(self, user_id: int) -> datetime | None:
        return max((at for (user, _), at in self.data.digests.items() if user == user_id), default=None)

    def listed(self, user_id: int) -> set[int]:
        return {need for (user, need) in self.data.digests if user == user_id}

    def record(self, user_id: int, need_topic_ids: Sequence[int], now: datetime) -> None:
        for topic_id in dict.fromkeys(need_topic_ids):
            self.data.digests[(user_id, topic_id)] = now

    def forget_expert(self, user_id: int) -> int:
        gone = [pair for pair in self.data.digests if pair[0] == user_id]
        for pair in gone:
            del self.data.digests[pair]
        return len(gone)


class FakeOffers(OnStore):
    """ports.storage.OfferRepository."""

    def of_need(self, need_topic_id: int) -> list[Volunteer]:
        rows = [v for (need, _), v in self.data.offers.items() if need == need_topic_id]
        return sorted(rows, key=lambda v: (v.offered_at, v.user_id))

    def replace(self, need_topic_id: int, volunteers: Sequence[Volunteer]) -> bool:
        if set(self.of_need(need_topic_id)) == set(volunteers):
            return False
        for key in [k for k in self.data.offers if k[0] == need_topic_id]:
            del self.data.offers[key]
        for volunteer in volunteers:
            self.data.offers[(need_topic_id, volunteer.user_id)] = volunteer
        note(self.data, need_topic_id)
        return True

    def forget_expert(self, user_id: int) -> int:
        gone = [k for k in self.data.offers if k[1] == user_id]
        for key in gone:
            del self.data.offers[key]
            note(self.data, key[0])
        return len(gone)

    def forget_need(self, need_topic_id: int) -> int:
        gone = [k for k in self.data.offers if k[0] == need_topic_id]
        for key in gone:
            del self.data.offers[key]
        return len(gone)
