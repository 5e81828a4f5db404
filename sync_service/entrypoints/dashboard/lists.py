"""The list behind each figure of the dashboard, by the figure's name and key: rows of a name (a person,
a group, a status) and the need topics behind it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sync_service.domain.impact import KPI_NAMES, NEED_STATUSES, WAIT_BARS
from sync_service.domain.impact_detail import GAP_AXES, ImpactLists, Listed, Proposal
from sync_service.services.dashboard import DashboardFigures
from sync_service.services.report_views import INTRODUCTION_FIGURES


@dataclass(frozen=True)
class Row:
    """One line of a list: a name (None: none to show) and need topics."""

    label: str | None
    topics: tuple[int, ...]


@dataclass(frozen=True)
class Readers:
    """What a list reads, each only when its figure is asked: the figures (whose gap groups a list shows),
    the lists behind the figures made of the parts of the period's facts they need (impact.FACT_PARTS),
    the people and groups of the acceptances alone, the introductions behind a count of the funnel."""

    figures: Callable[[], DashboardFigures]
    lists: Callable[[tuple[str, ...]], ImpactLists]
    accepted: Callable[[], Mapping[str, tuple[Listed, ...]]]
    introductions: Callable[[str], tuple[Proposal, ...]]


def rows(figure: str, key: str, t: Callable[..., str], read: Readers) -> list[Row] | None:
    """The rows of the figure, or None when there is no such figure."""
    lists, introductions = read.lists, read.introductions
    if figure == "kpi" and key in KPI_NAMES:
        members = read.accepted()[key] if key in ACCEPTED_KPIS else lists(KPI_PARTS[key]).members[key]
        return [Row(m.label if m.label is not None else t("forgotten"), m.topics) for m in members]
    if figure == "status" and key in NEED_STATUSES:
        return _needs(lists(ENDS).needs_by_status.get(key, ()))
    if figure == "commune" and key in lists(ENDS).needs_by_commune:
        return [Row(t(f"report.status.{s}"), topics)
                for s, topics in sorted(lists(ENDS).needs_by_commune.get(key, {}).items(),
                                        key=lambda item: NEED_STATUSES.index(item[0])
                                        if item[0] in NEED_STATUSES else 99)]
    if figure == "introductions" and key in INTRODUCTION_FIGURES:
        return [Row(p.expert or t("forgotten"), (p.topic,)) for p in introductions(key)]
    if figure == "strengthened":
        return _needs(lists(STRENGTHENED).strengthened)
    if figure == "wait" and key in WAIT_BARS:
        return _needs(dict(lists(WAITS).waits)[key])
    axis = figure.removeprefix("gap-")
    if figure.startswith("gap-") and axis in GAP_AXES:
        groups = dict(read.figures().detail.gap_groups[axis])
        return _needs(groups[key]) if key in groups else None
    return None


def _needs(topics: tuple[int, ...]) -> list[Row]:
    return [Row(None, (topic,)) for topic in dict.fromkeys(topics)]


ACCEPTED_KPIS = ("migrants_involved", "actors_linked")  # counted from the acceptances alone
ENDS, STRENGTHENED, WAITS = ("ends",), ("strengthened",), ("waits",)  # the parts of the facts a list reads
KPI_PARTS = {"communes_engaged": ENDS, "communes_strengthened": STRENGTHENED}
PAGE_OF = {"kpi": "/dashboard/", "status": "/dashboard/needs", "commune": "/dashboard/needs",
           "introductions": "/dashboard/introductions", "strengthened": "/dashboard/introductions",
           "wait": "/dashboard/introductions"}


def heading(figure: str, key: str, t: Callable[..., str]) -> tuple[str, str]:
    """The list's title, and the page its figure is on."""
    back = PAGE_OF.get(figure, "/dashboard/gaps")
    if figure == "kpi":
        return t(f"report.kpi.{key}"), back
    if figure == "status":
        return t("list.heading", figure=t("needs.by_status"), what=t(f"report.status.{key}")), back
    if figure == "commune":
        return t("list.heading", figure=t("needs.commune"), what=key or t("no_commune")), back
    if figure == "introductions":
        return t("list.heading", figure=t("nav.introductions"), what=t(f"report.introductions.{key}")), back
    if figure == "strengthened":
        return t("funnel.strengthened"), back
    if figure == "wait":
        return t("list.heading", figure=t("funnel.waits"), what=t(f"funnel.wait.{key}")), back
    axis = figure.removeprefix("gap-")
    unknown = t("no_commune" if axis == "commune" else "unknown")
    return t("list.heading", figure=t(f"gaps.by_{axis}"), what=key or unknown), back
