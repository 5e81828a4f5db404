"""A fake of ports.plans.PlanRepository over the FakeStore."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sync_service.services.ports.records import PlanRecord
from tests.service.unit.fakes.records import OnStore

PREFIX = "plan:"


class FakePlans(OnStore):
    """Records kept without their topic, which (as in SQL) is read from the sent `plan:<key>` intent."""

    def of_organisation(self, organisation: str) -> list[PlanRecord]:
        rows = [r for r in self.data.plans.values() if r.organisation == organisation]
        return [self._with_topic(r) for r in sorted(rows, key=lambda r: (r.row, r.key))]

    def save(self, record: PlanRecord, now: datetime) -> None:
        stored = self.data.plans.get(record.key)
        confirmed = stored.confirmed_at if stored is not None else record.confirmed_at
        self.data.plans[record.key] = dataclasses.replace(record, topic_id=None, confirmed_at=confirmed)

    def by_topic(self, topic_id: int) -> PlanRecord | None:
        for row in self.data.outbox:
            if (row.topic_id == topic_id and row.kind == "create_topic" and row.status == "sent"
                    and row.key.startswith(PREFIX) and row.key[len(PREFIX):] in self.data.plans):
                return self._with_topic(self.data.plans[row.key[len(PREFIX):]])
        return None

    def confirm(self, key: str, now: datetime) -> bool:
        stored = self.data.plans.get(key)
        if stored is None or stored.confirmed_at is not None:
            return False
        self.data.plans[key] = dataclasses.replace(stored, confirmed_at=now)
        return True

    def _with_topic(self, record: PlanRecord) -> PlanRecord:
        sent = self.data.sent(PREFIX + record.key)
        return dataclasses.replace(record, topic_id=sent.topic_id if sent is not None else None)
