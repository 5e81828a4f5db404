"""The status history (table status_history): appended by the need and introduction repositories in
the transaction of the change, read by the impact report, blanked of a person's identity on forgetting."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    cast,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import aware, rowcount, utc
from sync_service.adapters.db.history_tally import (
    counts,
    expert_key,
    first_in_need,
    last_in_need,
    plain_rows,
    skills_of,
    span,
    strong_needs,
    tally,
    waits,
    within,
)
from sync_service.adapters.db.tables import NeedRecord, StatusChangeRecord
from sync_service.domain.brokerage import PENDING, Introduction
from sync_service.domain.impact import (
    FACT_PARTS,
    INTRODUCTION,
    MATCH,
    NEED,
    STRENGTHENED,
    STRONG,
    WEAK,
    HistoryFacts,
    Period,
    StatusChange,
    proposed_at,
)
from sync_service.domain.impact_tally import HistoryTally
from sync_service.domain.needs import NeedDetails


def need_changed(session: Session, before: str | None, details: NeedDetails, now: datetime) -> None:
    """Append a row when the need's status is new (a need seen for the first time is posted now)."""
    if before == details.status:
        return
    session.add(StatusChangeRecord(
        kind=NEED, need_topic_id=details.topic_id, status=details.status, at=now,
        commune_group=details.commune_group, organisation=details.organisation, skills=list(details.skills)))


def introduction_changed(session: Session, before: str | None, intro: Introduction) -> None:
    """Append a row when the introduction's status is new, at the moment the introduction says."""
    if before == intro.status:
        return
    at = intro.opened_at
    if intro.status != PENDING:
        at = intro.closed_at or intro.answered_at or intro.opened_at
    need = session.get(NeedRecord, intro.need_topic_id)
    session.add(StatusChangeRecord(
        kind=INTRODUCTION, need_topic_id=intro.need_topic_id, status=intro.status, at=at,
        expert_user_id=intro.expert_user_id, expert_username=intro.expert_username,
        commune_group=need.commune_group if need else None, organisation=need.organisation if need else None,
        skills=list(need.skills or []) if need else [], proposed_at=proposed_at(intro)))


_h = StatusChangeRecord
# a row as the report reads it: plain columns, not ORM objects (the report may read many)
_ROW = select(_h.id, _h.kind, _h.need_topic_id, _h.status, _h.at, _h.expert_user_id, _h.expert_key,
              _h.expert_username, _h.commune_group, _h.organisation, cast(_h.skills, Text).label("skills"),
              _h.proposed_at)


class SqlHistoryRepository:
    """Implements ports.history.HistoryRepository on `status_history`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._parsed: dict[str | None, tuple[str, ...]] = {}

    def changes(self, until: datetime | None = None) -> list[StatusChange]:
        """Every row written before `until` (all when None), in the order written."""
        h = StatusChangeRecord
        return self._rows(_ROW.where(*within(Period(None, until))).order_by(h.at, h.id))

    def facts(self, period: Period, parts: Collection[str] = FACT_PARTS) -> HistoryFacts:
        """What the period's figures are computed from, as impact.facts_of() gives them from changes(),
        read with a few queries whose answers grow with the needs, not with the whole history; only
        the parts asked are read."""
        connection = self.session.connection()
        posted, at_end = self._ends(period) if "ends" in parts else ([], {})
        introductions, experiences = counts(connection, period) if "counts" in parts else ({}, {})
        return HistoryFacts(
            posted=tuple(posted), at_end=at_end,
            strengthened=tuple(self._strengthened(period)) if "strengthened" in parts else (),
            accepted=tuple(self.introductions(period, "accepted")) if "accepted" in parts else (),
            introductions=introductions, experiences=experiences,
            waits=tuple(waits(connection, period)) if "waits" in parts else (),
            span=span(connection, period) if "counts" in parts else None,
            strong=strong_needs(connection, period) if "counts" in parts else frozenset())

    def _ends(self, period: Period) -> tuple[list[StatusChange], dict[int, StatusChange]]:
        """Each need's first row in the period and its last row before the period's end."""
        h, connection = StatusChangeRecord, self.session.connection()
        ranked = _ROW.add_columns(first_in_need().label("first"), last_in_need().label("last")).where(
            h.kind == NEED, *within(Period(None, period.end))).subquery()
        posted, at_end = [], {}
        for *row, is_first, is_last in connection.execute(
                select(ranked).where(or_(ranked.c.first == 1, ranked.c.last == 1))
                .order_by(ranked.c.at, ranked.c.id)).all():
            change = self._change(row)
            if is_first == 1 and period.holds(change.at):
                posted.append(change)
            if is_last == 1:
                at_end[change.need_topic_id] = change
        return posted, at_end

    def _strengthened(self, period: Period) -> list[StatusChange]:
        """Each need's first served or funded row in the period, in time order."""
        h = StatusChangeRecord
        firsts = _ROW.add_columns(first_in_need().label("first")).where(
            h.kind == NEED, h.status.in_(STRENGTHENED), *within(period)).subquery()
        return self._rows(select(firsts).where(firsts.c.first == 1).order_by(firsts.c.at, firsts.c.id))

    def tally(self, period: Period) -> HistoryTally:
        """The period's figures counted in the database (history_tally.py)."""
        return tally(self.session.connection(), period)

    def introductions(self, period: Period, status: str) -> list[StatusChange]:
        """The introductions that took `status` in the period, in the order written."""
        h = StatusChangeRecord
        return self._rows(_ROW.where(h.kind == INTRODUCTION, h.status == status, *within(period))
                          .order_by(h.at, h.id))

    def _rows(self, query: Select[*tuple[Any, ...]]) -> list[StatusChange]:
        change = self._change
        return [change(row) for row in plain_rows(self.session.connection(), query)]

    def _change(self, row: Sequence[Any]) -> StatusChange:
        """A row of _ROW as the domain reads it; each distinct skills list parsed once (rows repeat their
        need's skills)."""
        _id, kind, topic, status, at, user_id, key, username, commune, organisation, skills, asked, *_ = row
        parsed = self._parsed.get(skills)
        if parsed is None:
            parsed = self._parsed[skills] = skills_of(skills)
        return StatusChange(kind, topic, status, utc(at),
                            expert_key(user_id, key), username, commune, organisation, parsed,
                            aware(asked))

    def version(self) -> tuple[int, int]:
        """(newest id, rows of forgotten experts): changes whenever a row is added (rows are never deleted)
        or forgotten; two index reads (the key, the forgotten rows' partial index), not the table."""
        h = StatusChangeRecord
        newest = self.session.scalar(select(func.coalesce(func.max(h.id), 0)))
        forgotten = self.session.scalar(select(func.count()).where(h.expert_key.is_not(None)))
        return int(newest or 0), int(forgotten or 0)

    def note_match(self, need_topic_id: int, strong: bool, at: datetime) -> bool:
        """Append a match row when the need's last one says otherwise (or there is none)."""
        h, status = StatusChangeRecord, STRONG if strong else WEAK
        last = self.session.scalar(select(h.status).where(h.kind == MATCH, h.need_topic_id == need_topic_id)
                                   .order_by(h.at.desc(), h.id.desc()).limit(1))
        if last == status:
            return False
        self.session.add(StatusChangeRecord(kind=MATCH, need_topic_id=need_topic_id, status=status, at=at,
                                            skills=[]))
        return True

    def forget_expert(self, user_id: int, key: str) -> int:
        """Replace the expert's id and name by `key` (a keyed hash) on their rows; how many."""
        h = StatusChangeRecord
        return rowcount(self.session.execute(
            update(h).where(h.expert_user_id == user_id)
            .values(expert_user_id=None, expert_username=None, expert_key=key),
            execution_options={"synchronize_session": False}))
