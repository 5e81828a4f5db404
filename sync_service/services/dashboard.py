"""The dashboard's figures: the report and the lists behind it, read in one transaction and computed by
the report's domain (impact.py, impact_detail.py), never a second time here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sync_service.domain.impact import ImpactReport, impact_report
from sync_service.domain.impact_detail import ImpactDetail, impact_detail
from sync_service.services.forget import TOMBSTONE_PEPPER
from sync_service.services.ports.storage import NeedTitle, UnitOfWork
from sync_service.services.report import ReportRequest, one_key_a_person


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard's pages show for one period."""

    request: ReportRequest
    report: ImpactReport
    detail: ImpactDetail
    needs: Mapping[int, NeedTitle]


def dashboard_figures(make_uow: Callable[[], UnitOfWork], request: ReportRequest,
                      targets: Mapping[str, int], pepper: bytes = TOMBSTONE_PEPPER) -> DashboardFigures:
    """The report's figures and their lists, for the period."""
    period = request.period()
    with make_uow() as uow:
        changes = list(one_key_a_person(uow.history.changes(until=period.end), pepper))
        needs = uow.needs.titles()
    sectors = {topic: title.sector for topic, title in needs.items()}
    return DashboardFigures(request, impact_report(changes, period, targets),
                            impact_detail(changes, period, sectors), needs)
