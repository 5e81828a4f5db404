"""A fake of ports.followup.FollowupRepository on a FakeStore: as in adapters/db/followup.py, where the
messages and the published topic are in the forum is read from the sent outbox rows of their keys, and
the first answers and a publication append a history row (kind "experience")."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sync_service.domain.followup import OUTCOMES, Experience, Followup, experience_key, followup_key
from sync_service.domain.impact import EXPERIENCE, NEED
from tests.service.unit.fakes.outbox import UNSENT
from tests.service.unit.fakes.records import HistoryRecord, OnStore


def _ids_in_key(key: str) -> tuple[int, int] | None:
    parts = key.split(":")
    if parts[0] != "followup" or len(parts) != 3 or not all(p.isdigit() for p in parts[1:]):
        return None
    return int(parts[1]), int(parts[2])


class FakeFollowups(OnStore):
    """ports.followup.FollowupRepository."""

    def due_needs(self, served_since: datetime, served_before: datetime) -> list[int]:
        first: dict[int, datetime] = {}
        for row in sorted(self.data.history, key=lambda r: (r.at, r.id)):
            if row.kind == NEED and row.status in OUTCOMES:
                first.setdefault(row.need_topic_id, row.at)
        due = [(at, topic) for topic, at in first.items()
               if served_since <= at < served_before and topic not in self.data.experiences
               and (stored := self.data.needs.get(topic)) is not None and stored.details.status in OUTCOMES]
        return [topic for _, topic in sorted(due)]

    def get(self, need_topic_id: int, user_id: int, *, lock: bool = False) -> Followup | None:
        row = self.data.followups.get((need_topic_id, user_id))
        return None if row is None else self._joined(row)

    def of_need(self, need_topic_id: int) -> list[Followup]:
        rows = [f for f in self.data.followups.values() if f.need_topic_id == need_topic_id]
        return [self._joined(f) for f in sorted(rows, key=lambda f: (f.asked_at, f.user_id))]

    def add(self, followup: Followup) -> bool:
        pair = (followup.need_topic_id, followup.user_id)
        if pair in self.data.followups:
            return False
        self.data.followups[pair] = replace(followup, pm_topic_id=None)
        return True

    def save(self, followup: Followup, now: datetime) -> None:
        pair = (followup.need_topic_id, followup.user_id)
        stored = self.data.followups.get(pair)
        if stored is None:
            return
        if stored.answered_at is None and followup.answered_at is not None:
            self._history(followup.need_topic_id, "received", followup.answered_at)
        self.data.followups[pair] = replace(followup, pm_topic_id=None)

    def by_pm_topic(self, topic_id: int) -> Followup | None:
        for key in self.data.sent_keys_in_topic(topic_id, "followup:"):
            ids = _ids_in_key(key)
            if ids is not None and followup_key(*ids) == key:
                return self.get(*ids)
        return None

    def listening(self, asked_since: datetime) -> list[Followup]:
        rows = [f for f in self.data.followups.values() if f.asked_at >= asked_since and (
            (e := self.data.experiences.get(f.need_topic_id)) is None or e.published_at is None)]
        return [self._joined(f) for f in sorted(rows, key=lambda f: (f.asked_at, f.need_topic_id, f.user_id))]

    def experience(self, need_topic_id: int, *, lock: bool = False) -> Experience | None:
        row = self.data.experiences.get(need_topic_id)
        return None if row is None else self._published(row)

    def experiences(self) -> list[Experience]:
        rows = sorted(self.data.experiences.values(), key=lambda e: (e.asked_at, e.need_topic_id),
                      reverse=True)
        return [self._published(e) for e in rows]

    def add_experience(self, experience: Experience) -> bool:
        if experience.need_topic_id in self.data.experiences:
            return False
        self.data.experiences[experience.need_topic_id] = replace(experience, topic_id=None)
        return True

    def published(self, need_topic_id: int, now: datetime) -> bool:
        row = self.data.experiences.get(need_topic_id)
        if row is None or row.published_at is not None:
            return False
        self.data.experiences[need_topic_id] = replace(row, published_at=now)
        self._history(need_topic_id, "published", now)
        return True

    def forget_person(self, user_id: int) -> int:
        gone = [pair for pair in self.data.followups if pair[1] == user_id]
        count = len(gone)
        for need, user in gone:
            del self.data.followups[(need, user)]
            unsent = [r for r in self.data.outbox if r.key == experience_key(need) and r.status in UNSENT]
            if unsent:
                self.data.outbox[:] = [r for r in self.data.outbox if r not in unsent]
                self.data.experiences[need] = replace(self.data.experiences[need], published_at=None)
                self.data.history[:] = [r for r in self.data.history if not (
                    r.kind == EXPERIENCE and r.need_topic_id == need and r.status == "published")]
                count += 1
        return count

    def forget_need(self, need_topic_id: int) -> int:
        gone = [pair for pair in self.data.followups if pair[0] == need_topic_id]
        for pair in gone:
            del self.data.followups[pair]
        return len(gone) + (self.data.experiences.pop(need_topic_id, None) is not None)

    def _history(self, need_topic_id: int, status: str, at: datetime) -> None:
        stored = self.data.needs.get(need_topic_id)
        need = stored.details if stored is not None else None
        self.data.history.append(HistoryRecord(
            self.data.next_id("history"), EXPERIENCE, need_topic_id, status, at,
            commune_group=need.commune_group if need else None,
            organisation=need.organisation if need else None))

    def _joined(self, row: Followup) -> Followup:
        sent = self.data.sent(followup_key(row.need_topic_id, row.user_id))
        return replace(row, pm_topic_id=sent.topic_id if sent is not None else None)

    def _published(self, row: Experience) -> Experience:
        sent = self.data.sent(experience_key(row.need_topic_id))
        return replace(row, topic_id=sent.topic_id if sent is not None else None)
