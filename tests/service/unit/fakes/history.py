"""A fake of the status history (adapters/db/history.py): appended by the fake need and introduction
repositories when a status changes, read by the report, blanked of a person on forgetting."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sync_service.adapters.db.history_tally import expert_key
from sync_service.domain.brokerage import PENDING, Introduction
from sync_service.domain.impact import (
    FACT_PARTS,
    INTRODUCTION,
    MATCH,
    NEED,
    STRONG,
    WEAK,
    HistoryFacts,
    Period,
    StatusChange,
    facts_of,
    introduction_rows,
    proposed_at,
)
from sync_service.domain.impact_tally import HistoryTally, tally_of
from sync_service.domain.needs import NeedDetails
from tests.service.unit.fakes.records import FakeStore, HistoryRecord, OnStore


def need_changed(data: FakeStore, before: str | None, details: NeedDetails, now: datetime) -> None:
    """Append a row when the need's status is new."""
    if before != details.status:
        data.history.append(HistoryRecord(
            data.next_id("history"), NEED, details.topic_id, details.status, now,
            commune_group=details.commune_group, organisation=details.organisation, skills=details.skills))


def introduction_changed(data: FakeStore, before: str | None, intro: Introduction) -> None:
    """Append a row when the introduction's status is new, at the moment the introduction says."""
    if before == intro.status:
        return
    at = intro.opened_at
    if intro.status != PENDING:
        at = intro.closed_at or intro.answered_at or intro.opened_at
    stored = data.needs.get(intro.need_topic_id)
    need = stored.details if stored is not None else None
    data.history.append(HistoryRecord(
        data.next_id("history"), INTRODUCTION, intro.need_topic_id, intro.status, at,
        expert_user_id=intro.expert_user_id, expert_username=intro.expert_username,
        commune_group=need.commune_group if need else None, organisation=need.organisation if need else None,
        skills=need.skills if need else (), proposed_at=proposed_at(intro)))


class FakeHistory(OnStore):
    """ports.history.HistoryRepository."""

    def changes(self, until: datetime | None = None) -> list[StatusChange]:
        rows = sorted(self.data.history, key=lambda r: (r.at, r.id))
        return [StatusChange(r.kind, r.need_topic_id, r.status, r.at,
                             expert_key(r.expert_user_id, r.expert_key), r.expert_username,
                             r.commune_group, r.organisation, r.skills, r.proposed_at)
                for r in rows if until is None or r.at < until]

    def facts(self, period: Period, parts: Collection[str] = FACT_PARTS) -> HistoryFacts:
        return facts_of(self.changes(until=period.end), period).only(parts)

    def tally(self, period: Period) -> HistoryTally:
        return tally_of(self.facts(period), {t: s.details.sector for t, s in self.data.needs.items()})

    def introductions(self, period: Period, status: str) -> list[StatusChange]:
        return introduction_rows(self.changes(until=period.end), period, status)

    def note_match(self, need_topic_id: int, strong: bool, at: datetime) -> bool:
        status = STRONG if strong else WEAK
        rows = sorted((r for r in self.data.history if r.kind == MATCH and r.need_topic_id == need_topic_id),
                      key=lambda r: (r.at, r.id))
        if rows and rows[-1].status == status:
            return False
        row = HistoryRecord(self.data.next_id("history"), MATCH, need_topic_id, status, at)
        self.data.history.append(row)
        return True

    def version(self) -> tuple[int, int]:
        rows = self.data.history
        return max((r.id for r in rows), default=0), sum(1 for r in rows if r.expert_key)

    def forget_expert(self, user_id: int, key: str) -> int:
        count = 0
        for i, row in enumerate(self.data.history):
            if row.expert_user_id == user_id:
                self.data.history[i] = replace(row, expert_user_id=None, expert_username=None, expert_key=key)
                count += 1
        return count
