"""What the plan import needs from storage: one record per imported plan row (ports.records.PlanRecord)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sync_service.services.ports.records import PlanRecord


class PlanRepository(Protocol):
    """Imported plan rows by stable key; a record's topic is read from its sent `plan:<key>` intent."""

    def of_organisation(self, organisation: str) -> list[PlanRecord]:
        """The organisation's records, by row."""
        ...

    def save(self, record: PlanRecord, now: datetime) -> None:
        """Insert or replace the record (its topic and confirmation are kept as stored)."""
        ...

    def by_topic(self, topic_id: int) -> PlanRecord | None:
        """The record whose draft is that topic, if any."""
        ...

    def confirm(self, key: str, now: datetime) -> bool:
        """Note that the draft was first read as a need; False when it already was (or no record)."""
        ...
