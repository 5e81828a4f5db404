"""The period's figures counted, and the report made of them: who counts for each result and since
when, needs and introductions by status, the open needs and the answer times. The report and the
dashboard's pages read only the tally; tally_of() gives it from the period's facts (impact.py), the SQL
repository counts it in the database (the storage contract compares both). The lists behind the figures
come from the facts."""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sync_service.domain.impact import (
    ANSWERS,
    EXPERIENCE_FIGURES,
    NEED_STATUSES,
    WAIT_BARS,
    HistoryFacts,
    Period,
    StatusChange,
    bar_of,
    facts_of,
    gap_topics,
    kpi_members,
)

WaitFigures = tuple[tuple[tuple[str, int], ...], float | None]


class Seen(NamedTuple):
    """A member of one result: their key (an expert's key, a group's name), the name shown (None for a
    forgotten person: the name of their latest row in the period) and their first and latest moments.
    A named tuple: a tally makes one for each of thousands of people (impact.StatusChange)."""

    key: str
    label: str | None
    first: datetime
    last: datetime


class GapNeed(NamedTuple):
    """A need still open at the period's end: nobody introduced, nobody accepted (a named tuple, as Seen)."""

    topic: int
    skills: tuple[str, ...]
    commune: str | None
    sector: str | None = None


@dataclass(frozen=True)
class HistoryTally:
    """The period's figures, counted."""

    members: Mapping[str, tuple[Seen, ...]]  # each result's members, by key
    needs_by_commune: Mapping[str, Mapping[str, int]]  # needs posted: commune ("" none) -> status at end
    per_commune: Mapping[str, Mapping[str, int]]  # commune -> needs posted, accepted, strengthened
    strengthened: int  # needs that became served or funded in the period
    gaps: tuple[GapNeed, ...]  # by topic
    introductions: Mapping[str, int]  # as HistoryFacts.introductions
    experiences: Mapping[str, int]
    waits: WaitFigures  # the answers in the period by time to answer, and the median (days)
    span: tuple[datetime, datetime] | None

    @property
    def needs_by_status(self) -> dict[str, int]:
        """Needs posted in the period by their status at its end."""
        counts: Counter[str] = Counter()
        for line in self.needs_by_commune.values():
            counts.update(line)
        return dict(counts)


def tally_of(facts: HistoryFacts, sectors: Mapping[int, str | None] | None = None) -> HistoryTally:
    """The facts counted (the definitions of impact.py, kpi_members); `sectors`: each need's sector as
    stored now, for the gaps."""
    known = sectors or {}
    by_commune: dict[str, dict[str, int]] = {}
    ends = facts.at_end
    for row in facts.posted:
        line = by_commune.setdefault(row.commune or "", {})
        status = ends[row.need_topic_id].status
        line[status] = line.get(status, 0) + 1
    return HistoryTally(
        members={name: tuple(sorted((Seen(key, m.label, m.first, m.last) for key, m in found.items()),
                                    key=lambda s: s.key))
                 for name, found in kpi_members(facts).items()},
        needs_by_commune=by_commune,
        per_commune=per_commune([r.commune for r in facts.posted], [r.commune for r in facts.accepted],
                                [r.commune for r in facts.strengthened]),
        strengthened=len(facts.strengthened),
        gaps=tuple(GapNeed(t, tuple(dict.fromkeys(ends[t].skills)), ends[t].commune, known.get(t))
                   for t in sorted(gap_topics(facts))),
        introductions=facts.introductions,
        experiences=facts.experiences,
        waits=wait_summary(days for _topic, days in facts.waits),
        span=facts.span,
    )


def wait_summary(days: Iterable[float]) -> WaitFigures:
    """The answers by time to answer (WAIT_BARS, each how many), and the median in days to one decimal."""
    found = sorted(days)
    counts = dict.fromkeys(WAIT_BARS, 0)
    for waited in found:
        counts[bar_of(waited)] += 1
    return tuple(counts.items()), round(statistics.median(found), 1) if found else None


PER_COMMUNE = ("needs", "accepted", "strengthened")


def per_commune(needs: Iterable[str | None], accepted: Iterable[str | None],
                strengthened: Iterable[str | None]) -> dict[str, dict[str, int]]:
    """commune group -> needs posted, introductions accepted, needs served or funded (the commune of each
    row of each); rows without a commune are left out."""
    counted = [Counter(communes) for communes in (needs, accepted, strengthened)]
    found = sorted({commune for counts in counted for commune in counts if commune})
    return {commune: {name: counts[commune] for name, counts in zip(PER_COMMUNE, counted, strict=True)}
            for commune in found}


def merged(members: Iterable[Seen]) -> tuple[Seen, ...]:
    """Members of one key merged (a person under two keys, re-keyed as one): the first moment of all,
    the name of the latest."""
    found: dict[str, Seen] = {}
    for seen in members:
        kept = found.get(seen.key)
        if kept is None:
            found[seen.key] = seen
            continue
        latest = seen if seen.last > kept.last else kept
        found[seen.key] = Seen(seen.key, latest.label, min(seen.first, kept.first), latest.last)
    return tuple(sorted(found.values(), key=lambda s: s.key))


def with_members(tally: HistoryTally, name: str, members: Iterable[Seen]) -> HistoryTally:
    """The tally with one result's members replaced."""
    return dataclasses.replace(tally, members={**tally.members, name: tuple(members)})


@dataclass(frozen=True)
class Kpi:
    """One expected result: its value, its target and who counts (names; a forgotten person counts
    without a name, so `value` may exceed len(members))."""

    value: int
    target: int
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImpactReport:
    """What `codev report` prints."""

    kpis: Mapping[str, Kpi]
    needs_by_status: Mapping[str, int]
    introductions: Mapping[str, int]
    median_days_to_answer: float | None
    skill_gaps: tuple[tuple[str, int], ...]
    per_commune: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    experiences: Mapping[str, int] = field(default_factory=dict)  # EXPERIENCE_FIGURES in the period


def impact_report(changes: Iterable[StatusChange], period: Period,
                  targets: Mapping[str, int]) -> ImpactReport:
    """The four results against their targets, and the figures of needs and introductions."""
    return report_of(tally_of(facts_of(changes, period)), targets)


def report_of(tally: HistoryTally, targets: Mapping[str, int]) -> ImpactReport:
    """impact_report() of the period's tally (the history's repository counts it without reading it all)."""
    kpis = {name: Kpi(len(seen), int(targets.get(name, 0)),
                      tuple(sorted({s.label for s in seen if s.label is not None})))
            for name, seen in tally.members.items()}
    return ImpactReport(
        kpis=kpis,
        needs_by_status={**dict.fromkeys(NEED_STATUSES, 0), **tally.needs_by_status},
        introductions={"proposed": 0, **dict.fromkeys(ANSWERS, 0), **tally.introductions},
        median_days_to_answer=tally.waits[1],
        skill_gaps=skill_gaps(tally.gaps),
        per_commune=tally.per_commune,
        experiences={**dict.fromkeys(EXPERIENCE_FIGURES, 0), **tally.experiences},
    )


def skill_gaps(gaps: Iterable[GapNeed]) -> tuple[tuple[str, int], ...]:
    """Skills asked by needs still open (nobody introduced or accepted) at the period's end, most first."""
    counts = Counter(skill for need in gaps for skill in need.skills)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
