"""The status history (table status_history): appended by the need and introduction repositories in
the transaction of the change, read by the impact report, blanked of a person's identity on forgetting."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import rowcount, utc
from sync_service.adapters.db.tables import NeedRecord, StatusChangeRecord
from sync_service.domain.brokerage import PENDING, Introduction
from sync_service.domain.impact import INTRODUCTION, NEED, StatusChange
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
        skills=list(need.skills or []) if need else []))


def _skills(stored: str | None) -> tuple[str, ...]:
    """The skills of a row, from the JSON text of its column."""
    return tuple(str(s) for s in json.loads(stored or "[]") or ())


def expert_key(user_id: int | None, forgotten_key: str | None) -> str | None:
    """The stable key the report counts an expert by: their id while known, the keyed hash after."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"forgotten:{forgotten_key}" if forgotten_key else None


class SqlHistoryRepository:
    """Implements ports.storage.HistoryRepository on `status_history`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def changes(self, until: datetime | None = None) -> list[StatusChange]:
        """Every row written before `until` (all when None), in the order written."""
        h = StatusChangeRecord
        # plain rows, not ORM objects, and each distinct skills list parsed once: the report reads the
        # whole history, whose rows repeat their need's skills (bench/dashboard.py)
        query = select(h.kind, h.need_topic_id, h.status, h.at, h.expert_user_id, h.expert_key,
                       h.expert_username, h.commune_group, h.organisation,
                       cast(h.skills, Text).label("skills")).order_by(h.at, h.id)
        if until is not None:
            query = query.where(h.at < until)
        parsed: dict[str | None, tuple[str, ...]] = {}
        found: list[StatusChange] = []
        add = found.append
        for kind, topic, status, at, user_id, key, username, commune, organisation, skills in (
                self.session.connection().execute(query)):
            if skills not in parsed:
                parsed[skills] = _skills(skills)
            add(StatusChange(kind, topic, status, at if at.tzinfo is UTC else utc(at),
                             expert_key(user_id, key), username, commune, organisation, parsed[skills]))
        return found

    def version(self) -> tuple[int, int, int]:
        """(rows, newest id, rows of forgotten experts): changes whenever a row is added or forgotten."""
        h = StatusChangeRecord
        rows, newest, forgotten = self.session.execute(
            select(func.count(), func.coalesce(func.max(h.id), 0), func.count(h.expert_key))).one()
        return int(rows), int(newest), int(forgotten)

    def forget_expert(self, user_id: int, key: str) -> int:
        """Replace the expert's id and name by `key` (a keyed hash) on their rows; how many."""
        h = StatusChangeRecord
        return rowcount(self.session.execute(
            update(h).where(h.expert_user_id == user_id)
            .values(expert_user_id=None, expert_username=None, expert_key=key),
            execution_options={"synchronize_session": False}))
