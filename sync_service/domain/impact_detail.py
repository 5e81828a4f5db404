"""What the dashboard shows beside the report: the results month by month, and the list behind each
figure (the need topics, the people and groups), from the report's own definitions (impact.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sync_service.domain.impact import (
    LOOKING,
    NEED_STATUSES,
    Member,
    Period,
    Split,
    StatusChange,
    answer_waits,
    kpi_members,
    latest_by_need,
)

# Upper bounds (days) of the answer-time bars; an answer later than the last falls in "more".
WAIT_BOUNDS = (1, 3, 7, 14)
GAP_AXES = ("skill", "sector", "commune")


@dataclass(frozen=True)
class Listed:
    """One line of a figure's list: a name (None: a forgotten person) and the need topics behind it."""

    label: str | None
    topics: tuple[int, ...]


@dataclass(frozen=True)
class Proposal:
    """An introduction's row in a list: its need topic and its expert (None once forgotten)."""

    topic: int
    expert: str | None


@dataclass(frozen=True)
class GapNeed:
    """A need still open at the period's end: nobody introduced, nobody accepted."""

    topic: int
    skills: tuple[str, ...]
    commune: str | None
    sector: str | None


@dataclass(frozen=True)
class ImpactDetail:
    """The dashboard's figures: months, lists, funnel and gaps of one period."""

    members: Mapping[str, tuple[Listed, ...]]
    months: tuple[str, ...]
    by_month: Mapping[str, tuple[int, ...]]  # each result, reached at the end of each month
    needs_by_status: Mapping[str, tuple[int, ...]]  # needs posted in the period, by status at its end
    needs_by_commune: Mapping[str, Mapping[str, tuple[int, ...]]]  # commune ("" none) -> status -> needs
    introductions: Mapping[str, tuple[Proposal, ...]]  # proposed, accepted, declined, expired, withdrawn
    strengthened: tuple[int, ...]  # needs that became served or funded in the period
    waits: tuple[tuple[int, float], ...]  # (need, days to answer) of answers given in the period
    gaps: tuple[GapNeed, ...]
    wait_groups: tuple[tuple[str, tuple[int, ...]], ...] = ()  # wait_bars(waits), computed once
    gap_groups: Mapping[str, tuple[tuple[str, tuple[int, ...]], ...]] = field(default_factory=dict)


def impact_detail(changes: Iterable[StatusChange], period: Period,
                  sectors: Mapping[int, str | None] | None = None) -> ImpactDetail:
    """The figures behind the report's, for the dashboard; `sectors`: each need's sector, when known."""
    return detail_of(Split.of(changes, period), period, sectors)


def detail_of(split: Split, period: Period, sectors: Mapping[int, str | None] | None = None) -> ImpactDetail:
    """impact_detail() of a history already split."""
    counted = kpi_members(split)
    at_end = latest_by_need(c for c in split.needs if period.reached(c.at))
    months = _months(split, period)
    by_status: dict[str, list[int]] = {s: [] for s in NEED_STATUSES}
    by_commune: dict[str, dict[str, list[int]]] = {}
    for row in split.posted:
        status = at_end[row.need_topic_id].status
        by_status.setdefault(status, []).append(row.need_topic_id)
        by_commune.setdefault(row.commune or "", {}).setdefault(status, []).append(row.need_topic_id)
    known = sectors or {}
    detail = ImpactDetail(
        members={name: _listed(members.values()) for name, members in counted.items()},
        months=months,
        by_month={name: _cumulative((m.first for m in members.values()), months)
                  for name, members in counted.items()},
        needs_by_status={s: tuple(t) for s, t in by_status.items()},
        needs_by_commune={c: {s: tuple(t) for s, t in line.items()}
                          for c, line in sorted(by_commune.items())},
        introductions=_introductions(split.intros, period),
        strengthened=tuple(c.need_topic_id for c in split.strengthened),
        waits=tuple(answer_waits(split.intros, period)),
        gaps=tuple(GapNeed(r.need_topic_id, tuple(dict.fromkeys(r.skills)), r.commune,
                           known.get(r.need_topic_id)) for r in at_end.values() if r.status == LOOKING),
    )
    return replace(detail, wait_groups=wait_bars(detail.waits),
                   gap_groups={axis: gaps_by(detail.gaps, axis) for axis in GAP_AXES})


def _listed(members: Iterable[Member]) -> tuple[Listed, ...]:
    """Named members by name, then the forgotten ones (no name), each with their topics."""
    found = [Listed(m.label, tuple(m.topics)) for m in members]
    return tuple(sorted(found, key=lambda m: (m.label is None, m.label or "")))


def month_of(at: datetime) -> str:
    """"YYYY-MM", the same in every language."""
    return f"{at.year:04d}-{at.month:02d}"


def _months(split: Split, period: Period) -> tuple[str, ...]:
    """Every month from the period's start (or its first row) to its last row."""
    moments = [c.at for c in (*split.needs, *split.intros) if period.holds(c.at)]
    if not moments:
        return ()
    first = period.start if period.start is not None else min(moments)
    last = max(moments)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def _cumulative(firsts: Iterable[datetime], months: tuple[str, ...]) -> tuple[int, ...]:
    """How many counted by the end of each month."""
    per_month = dict.fromkeys(months, 0)
    for at in firsts:
        key = month_of(at)
        if key in per_month:
            per_month[key] += 1
    total, values = 0, []
    for key in months:
        total += per_month[key]
        values.append(total)
    return tuple(values)


def _introductions(intros: Iterable[StatusChange], period: Period) -> dict[str, tuple[Proposal, ...]]:
    """The introductions behind each of the report's counts (same rule: the row's status in the period)."""
    found: dict[str, list[Proposal]] = {n: [] for n in ("proposed", "accepted", "declined", "expired",
                                                           "withdrawn")}
    for row in intros:
        name = "proposed" if row.status == "pending" else row.status
        if period.holds(row.at) and name in found:
            found[name].append(Proposal(row.need_topic_id, row.expert_username))
    return {name: tuple(rows) for name, rows in found.items()}


def wait_bars(waits: Iterable[tuple[int, float]]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Answers by time to answer: ("1", topics) for up to one day, ..., ("more", topics)."""
    bars: dict[str, list[int]] = {str(b): [] for b in (*WAIT_BOUNDS, "more")}
    for topic, days in waits:
        bound = next((b for b in WAIT_BOUNDS if days <= b), None)
        bars["more" if bound is None else str(bound)].append(topic)
    return tuple((key, tuple(topics)) for key, topics in bars.items())


def gaps_by(gaps: Iterable[GapNeed], axis: str) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The open needs grouped by skill, sector or commune ("" when unknown), most needs first."""
    groups: dict[str, list[int]] = {}
    for need in gaps:
        keys: Iterable[str | None] = need.skills if axis == "skill" else (
            [need.sector] if axis == "sector" else [need.commune])
        for key in keys:
            groups.setdefault(key or "", []).append(need.topic)
    return tuple(sorted(((k, tuple(v)) for k, v in groups.items()), key=lambda kv: (-len(kv[1]), kv[0])))
