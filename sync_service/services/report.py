"""The impact report: the status history read in one transaction, the figures computed by the domain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sync_service.domain.impact import ImpactReport, Period, impact_report
from sync_service.services.ports.storage import UnitOfWork


@dataclass(frozen=True)
class ReportRequest:
    """What `codev report` asks: the days of the period (both included; None: unbounded)."""

    first_day: date | None = None
    last_day: date | None = None

    def period(self) -> Period:
        """[first day 00:00 UTC, the day after the last day 00:00 UTC)."""
        start = datetime.combine(self.first_day, time(), UTC) if self.first_day else None
        end = datetime.combine(self.last_day + timedelta(days=1), time(), UTC) if self.last_day else None
        return Period(start, end)


def impact(make_uow: Callable[[], UnitOfWork], request: ReportRequest,
           targets: Mapping[str, int]) -> ImpactReport:
    """The four results against their targets, and the figures beside them, for the period."""
    period = request.period()
    with make_uow() as uow:
        changes = uow.history.changes(until=period.end)
    return impact_report(changes, period, targets)
