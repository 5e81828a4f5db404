"""The dashboard's figures: the report and the lists behind it, read in one transaction and computed by
the report's domain (impact.py, impact_detail.py), never a second time here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sync_service.domain.impact import FACT_PARTS, accepted_members
from sync_service.domain.impact_detail import (
    ImpactDetail,
    ImpactLists,
    Listed,
    Proposal,
    detail_of,
    listed,
    lists_of,
    proposals,
)
from sync_service.domain.impact_tally import ImpactReport, report_of
from sync_service.services.forget import TOMBSTONE_PEPPER
from sync_service.services.ports.storage import NeedTitle, UnitOfWork
from sync_service.services.report import ReportRequest, facts, one_key_a_person, tally

T = TypeVar("T")


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard's pages show for one period."""

    request: ReportRequest
    report: ImpactReport
    detail: ImpactDetail


def dashboard_figures(make_uow: Callable[[], UnitOfWork], request: ReportRequest,
                      targets: Mapping[str, int], pepper: bytes = TOMBSTONE_PEPPER) -> DashboardFigures:
    """The report's figures and the dashboard's beside them, for the period."""
    period = request.period()
    with make_uow() as uow:
        found = tally(uow, period, pepper)  # once, for the report's figures and the dashboard's
    return DashboardFigures(request, report_of(found, targets), detail_of(found, period))


def figure_lists(make_uow: Callable[[], UnitOfWork], request: ReportRequest,
                 pepper: bytes = TOMBSTONE_PEPPER, parts: Collection[str] = FACT_PARTS) -> ImpactLists:
    """The lists behind the figures of the period (need topics, people, groups), made of these parts of
    its facts only (impact.FACT_PARTS: the lists of the other parts come empty)."""
    with make_uow() as uow:
        return lists_of(facts(uow, request.period(), pepper, parts))


def accepted_lists(make_uow: Callable[[], UnitOfWork], request: ReportRequest,
                   pepper: bytes = TOMBSTONE_PEPPER) -> Mapping[str, tuple[Listed, ...]]:
    """The migrants involved and the actors linked, with their need topics: only the introductions
    accepted in the period are read."""
    with make_uow() as uow:
        rows = list(one_key_a_person(uow.history.introductions(request.period(), "accepted"), pepper))
    return {name: listed(members.values()) for name, members in accepted_members(rows).items()}


def introduction_list(make_uow: Callable[[], UnitOfWork], request: ReportRequest,
                      figure: str) -> tuple[Proposal, ...]:
    """The introductions behind one of the funnel's counts ("proposed", "accepted", ...)."""
    with make_uow() as uow:
        return proposals(uow.history.introductions(request.period(), "pending" if figure == "proposed"
                                                   else figure))


def titles(make_uow: Callable[[], UnitOfWork], topics: Collection[int]) -> Mapping[int, NeedTitle]:
    """The titles of the needs a list shows."""
    with make_uow() as uow:
        return uow.needs.titles(topics)


class FiguresCache:
    """The figures of each period (and the lists behind them), kept while the history has not changed
    (checked with one small query a page) and for at most `keep`: people click from page to page and
    list to list, and each is counted once instead of at each click. One per web process."""

    def __init__(self, keep: timedelta = timedelta(seconds=60), size: int = 16) -> None:
        self.keep, self.size = keep, size
        self._found: dict[Hashable, tuple[tuple[int, int], datetime, Any]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every period's figures."""
        with self._lock:
            self._found.clear()

    def figures(self, make_uow: Callable[[], UnitOfWork], request: ReportRequest, targets: Mapping[str, int],
                pepper: bytes, now: datetime) -> DashboardFigures:
        """The period's figures, computed again when the history changed or they are too old."""
        found: DashboardFigures = self.kept(make_uow, request, now,
                                            lambda: dashboard_figures(make_uow, request, targets, pepper))
        return found

    def kept(self, make_uow: Callable[[], UnitOfWork], key: Hashable, now: datetime,
             compute: Callable[[], T]) -> T:
        """What `compute` gave for this key, computed again when the history changed or it is too old."""
        with make_uow() as uow:
            version = uow.history.version()
        with self._lock:
            kept = self._found.get(key)
        if kept is not None and kept[0] == version and now - kept[1] < self.keep:
            found: T = kept[2]
            return found
        found = compute()
        with self._lock:
            if len(self._found) >= self.size:
                self._found.pop(min(self._found, key=lambda r: self._found[r][1]))
            self._found[key] = (version, now, found)
        return found
