"""What the use cases need from the status history: the rows, the period's facts and tally for the
impact report and the dashboard, forgetting an expert on them (re-exported by ports/storage.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from sync_service.domain.impact import FACT_PARTS, HistoryFacts, Period, StatusChange
from sync_service.domain.impact_tally import HistoryTally


class HistoryRepository(Protocol):
    """The status history of needs and introductions. Rows are appended in the transaction of the change:
    by NeedRepository.save and IntroductionRepository.add/save when a status changes, by the follow-up
    (experiences) and by note_match; deleted only when a publication is called off (its experience
    row)."""

    def changes(self, until: datetime | None = None) -> list[StatusChange]:
        """Every change before `until` (all when None), in the order written."""
        ...

    def facts(self, period: Period, parts: Collection[str] = FACT_PARTS) -> HistoryFacts:
        """What the period's figures are computed from: impact.facts_of(changes(until=period.end), period),
        without reading the whole history; only these parts (impact.FACT_PARTS), the others empty."""
        ...

    def tally(self, period: Period) -> HistoryTally:
        """The period's figures counted: impact_tally.tally_of(facts(period)), counted in the database."""
        ...

    def introductions(self, period: Period, status: str) -> list[StatusChange]:
        """The introductions that took `status` in the period, in the order written."""
        ...

    def forget_expert(self, user_id: int, key: str) -> int:
        """Replace the expert's id and name on their rows by `key` (a keyed hash); how many rows."""
        ...

    def note_match(self, need_topic_id: int, strong: bool, at: datetime) -> bool:
        """Append a match row (impact.STRONG or WEAK) when the need's last one says otherwise (or there is
        none); whether one was appended."""
        ...

    def version(self) -> tuple[int, int]:
        """(newest id, rows of forgotten experts): changes whenever a row is added or forgotten (not when a
        publication called off deletes its row)."""
        ...
