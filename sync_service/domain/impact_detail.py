"""What the dashboard shows beside the report: the results month by month, the funnel and the gaps
(from the tally), and the list behind each figure (the need topics, the people and groups, from the
facts): the report's own definitions (impact.py, impact_tally.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sync_service.domain.impact import (
    NEED_STATUSES,
    WAIT_BARS,
    HistoryFacts,
    Member,
    Period,
    StatusChange,
    bar_of,
    facts_of,
    kpi_members,
)
from sync_service.domain.impact_tally import GapNeed, HistoryTally, tally_of

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
class ImpactDetail:
    """The dashboard's figures beside the report's: months, needs by commune, the funnel, the gaps."""

    months: tuple[str, ...]
    by_month: Mapping[str, tuple[int, ...]]  # each result, reached at the end of each month
    needs_by_commune: Mapping[str, Mapping[str, int]]  # needs posted: commune ("" none) -> status at end
    strengthened: int  # needs that became served or funded in the period
    wait_bars: tuple[tuple[str, int], ...]  # answers by time to answer (WAIT_BOUNDS, "more")
    gaps: tuple[GapNeed, ...]  # with their sectors
    gap_groups: Mapping[str, tuple[tuple[str, tuple[int, ...]], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ImpactLists:
    """The lists behind the figures (need topics, people and groups), from the period's facts."""

    members: Mapping[str, tuple[Listed, ...]]
    needs_by_status: Mapping[str, tuple[int, ...]]  # needs posted in the period, by status at its end
    needs_by_commune: Mapping[str, Mapping[str, tuple[int, ...]]]  # commune ("" none) -> status -> needs
    strengthened: tuple[int, ...]  # needs that became served or funded in the period
    waits: tuple[tuple[str, tuple[int, ...]], ...]  # wait_groups() of the answers in the period


def impact_detail(changes: Iterable[StatusChange], period: Period,
                  sectors: Mapping[int, str | None] | None = None) -> ImpactDetail:
    """The figures beside the report's, for the dashboard; `sectors`: each need's sector, when known."""
    return detail_of(tally_of(facts_of(changes, period), sectors), period)


def detail_of(tally: HistoryTally, period: Period) -> ImpactDetail:
    """impact_detail() of the period's tally."""
    months = _months(tally.span, period)
    gaps = tally.gaps
    return ImpactDetail(
        months=months,
        by_month={name: _cumulative((s.first for s in seen), months) for name, seen in tally.members.items()},
        needs_by_commune={c: dict(line) for c, line in sorted(tally.needs_by_commune.items())},
        strengthened=tally.strengthened,
        wait_bars=tally.waits[0],
        gaps=gaps,
        gap_groups={axis: gaps_by(gaps, axis) for axis in GAP_AXES},
    )


def lists_of(facts: HistoryFacts) -> ImpactLists:
    """The lists behind the figures of the period's facts."""
    by_status: dict[str, list[int]] = {s: [] for s in NEED_STATUSES}
    by_commune: dict[str, dict[str, list[int]]] = {}
    for row in facts.posted:
        status = facts.at_end[row.need_topic_id].status
        by_status.setdefault(status, []).append(row.need_topic_id)
        by_commune.setdefault(row.commune or "", {}).setdefault(status, []).append(row.need_topic_id)
    return ImpactLists(
        members={name: listed(members.values()) for name, members in kpi_members(facts).items()},
        needs_by_status={s: tuple(t) for s, t in by_status.items()},
        needs_by_commune={c: {s: tuple(t) for s, t in line.items()}
                          for c, line in sorted(by_commune.items())},
        strengthened=tuple(c.need_topic_id for c in facts.strengthened),
        waits=wait_groups(facts.waits),
    )


def listed(members: Iterable[Member]) -> tuple[Listed, ...]:
    """Named members by name, then the forgotten ones (no name), each with their topics."""
    found = [Listed(m.label, tuple(m.topics)) for m in members]
    return tuple(sorted(found, key=lambda m: (m.label is None, m.label or "")))


def month_of(at: datetime) -> str:
    """"YYYY-MM", the same in every language."""
    return f"{at.year:04d}-{at.month:02d}"


def _months(span: tuple[datetime, datetime] | None, period: Period) -> tuple[str, ...]:
    """Every month from the period's start (or its first row) to its last row."""
    if span is None:
        return ()
    first = period.start if period.start is not None else span[0]
    last = span[1]
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


def proposals(rows: Iterable[StatusChange]) -> tuple[Proposal, ...]:
    """The introductions behind one of the report's counts (impact.introduction_rows), as listed."""
    return tuple(Proposal(row.need_topic_id, row.expert_username) for row in rows)


def wait_groups(waits: Iterable[tuple[int, float]]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Answers by time to answer: ("1", topics) for up to one day, ..., ("more", topics)."""
    bars: dict[str, list[int]] = {key: [] for key in WAIT_BARS}
    for topic, days in waits:
        bars[bar_of(days)].append(topic)
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
