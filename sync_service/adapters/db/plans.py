"""Imported plan rows in the `plan_rows` table (implements ports.plans.PlanRepository)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import rowcount, utc
from sync_service.adapters.db.tables import OutboxIntent, PlanRowRecord
from sync_service.services.ports.records import PlanRecord

PREFIX = "plan:"


class SqlPlanRepository:
    """A record's topic is the one its sent `plan:<key>` intent created, as for review topics."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_organisation(self, organisation: str) -> list[PlanRecord]:
        """The organisation's records, by row."""
        r = PlanRowRecord
        query = select(r).where(r.organisation == organisation).order_by(r.row, r.key)
        rows = list(self.session.scalars(query))
        topics = self._topics([PREFIX + row.key for row in rows])
        return [_record(row, topics.get(PREFIX + row.key)) for row in rows]

    def save(self, record: PlanRecord, now: datetime) -> None:
        """Insert or replace the record (its confirmation is kept as stored)."""
        row = self.session.get(PlanRowRecord, record.key)
        if row is None:
            row = PlanRowRecord(key=record.key, confirmed_at=record.confirmed_at)
            self.session.add(row)
        row.organisation, row.row, row.title = record.organisation, record.row, record.title
        row.fingerprint, row.revision, row.imported_at = record.fingerprint, record.revision, now
        self.session.flush()

    def by_topic(self, topic_id: int) -> PlanRecord | None:
        """The record whose draft is that topic, if any."""
        o = OutboxIntent
        key = self.session.scalar(select(o.intent_key).where(
            o.topic_id == topic_id, o.kind == "create_topic", o.status == "sent",
            o.intent_key.startswith(PREFIX)))
        row = self.session.get(PlanRowRecord, key[len(PREFIX):]) if key else None
        return _record(row, topic_id) if row is not None else None

    def confirm(self, key: str, now: datetime) -> bool:
        """Note that the draft was first read as a need; False when it already was (or no record)."""
        r = PlanRowRecord
        done = self.session.execute(update(r).where(r.key == key, r.confirmed_at.is_(None))
                                    .values(confirmed_at=now))
        return rowcount(done) > 0

    def _topics(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        o = OutboxIntent
        found = self.session.execute(select(o.intent_key, o.topic_id).where(
            o.intent_key.in_(keys), o.status == "sent", o.topic_id.is_not(None)))
        return {key: int(topic) for key, topic in found if topic is not None}


def _record(row: PlanRowRecord, topic_id: int | None) -> PlanRecord:
    return PlanRecord(row.key, row.organisation, row.row, row.title, row.fingerprint, row.revision, topic_id,
                      utc(row.confirmed_at) if row.confirmed_at is not None else None)
