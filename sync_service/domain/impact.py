"""The project's four expected results, and the figures beside them, computed from the status history
of needs and introductions (docs/impact.md). Pure: the rows come in, in the order they were written."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

NEED, INTRODUCTION = "need", "introduction"
# Rows of the follow-up: a person's testimony received, a "retour d'expérience" published (no person)
EXPERIENCE = "experience"
EXPERIENCE_FIGURES = ("received", "published")
KPI_NAMES = ("migrants_involved", "communes_engaged", "actors_linked", "communes_strengthened")
NEED_STATUSES = ("open", "matched", "in_progress", "served", "funded", "closed")
ANSWERS = ("accepted", "declined", "expired", "withdrawn")
STRENGTHENED = ("served", "funded")
LOOKING = "open"  # a need nobody serves or is asked to: its skills are a gap


@dataclass(frozen=True)
class StatusChange:
    """One row of the history: a need or an introduction took `status` at `at`.

    `expert` is a stable key of the introduction's expert ("user:<id>", or "forgotten:<hmac>" once the
    person was forgotten); `expert_username` is None once forgotten. `commune` (the need's commune
    group) and `organisation` (its author's actor group) are the need's at the time of the change."""

    kind: str  # NEED | INTRODUCTION
    need_topic_id: int
    status: str
    at: datetime
    expert: str | None = None
    expert_username: str | None = None
    commune: str | None = None
    organisation: str | None = None
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Period:
    """[start, end): None on either side means unbounded (all time)."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, at: datetime) -> bool:
        """Whether the moment falls in the period."""
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)

    def reached(self, at: datetime) -> bool:
        """Whether the moment is before the period's end."""
        return self.end is None or at < self.end


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
    return report_of(Split.of(changes, period), period, targets)


def report_of(split: Split, period: Period, targets: Mapping[str, int]) -> ImpactReport:
    """impact_report() of a history already split (the dashboard splits it once for all its figures)."""
    needs, intros, accepted, posted = split.needs, split.intros, split.accepted, split.posted
    strengthened = split.strengthened
    kpis = {name: Kpi(len(counted), int(targets.get(name, 0)),
                      tuple(sorted({m.label for m in counted.values() if m.label is not None})))
            for name, counted in kpi_members(split).items()}
    at_end = latest_by_need(c for c in needs if period.reached(c.at))
    return ImpactReport(
        kpis=kpis,
        needs_by_status=_by_status(at_end[c.need_topic_id].status for c in posted),
        introductions=_introduction_counts(intros, period),
        median_days_to_answer=_median_days(intros, period),
        skill_gaps=_skill_gaps(at_end.values()),
        per_commune=_per_commune(posted, accepted, strengthened),
        experiences=experience_counts(split.experiences, period),
    )


def experience_counts(rows: Iterable[StatusChange], period: Period) -> dict[str, int]:
    """Testimonies received and experiences published in the period."""
    counts = dict.fromkeys(EXPERIENCE_FIGURES, 0)
    for row in rows:
        if row.kind == EXPERIENCE and row.status in counts and period.holds(row.at):
            counts[row.status] += 1
    return counts
@dataclass(frozen=True)
class Split:
    """The history sorted and split the way every figure reads it."""

    needs: list[StatusChange]
    intros: list[StatusChange]
    accepted: list[StatusChange]  # introductions accepted in the period
    posted: list[StatusChange]  # each need's first row, when it falls in the period
    strengthened: list[StatusChange]  # each need's first served or funded row in the period
    experiences: list[StatusChange] = field(default_factory=list)  # testimonies received, published

    @classmethod
    def of(cls, changes: Iterable[StatusChange], period: Period) -> Split:
        """Sort (stable: rows of one moment keep their written order) and split."""
        rows = sorted(changes, key=lambda c: c.at)
        needs = [c for c in rows if c.kind == NEED]
        intros = [c for c in rows if c.kind == INTRODUCTION]
        accepted = [c for c in intros if c.status == "accepted" and period.holds(c.at)]
        posted = [c for c in _firsts(needs).values() if period.holds(c.at)]
        strengthened = _firsts(c for c in needs if c.status in STRENGTHENED and period.holds(c.at))
        return cls(needs, intros, accepted, posted, list(strengthened.values()),
                   [c for c in rows if c.kind == EXPERIENCE])


@dataclass
class Member:
    """Who counts for a result: their name (None once forgotten), when they first counted in the
    period, and the need topics that made them count."""

    label: str | None
    first: datetime
    topics: list[int] = field(default_factory=list)


def kpi_members(split: Split) -> dict[str, dict[str, Member]]:
    """Each result's members by key (an expert's key, a group's name): the definitions, in one place."""
    return {
        "migrants_involved": _members((c.expert, c.expert_username, c) for c in split.accepted),
        "communes_engaged": _members((c.commune, c.commune, c) for c in split.posted),
        "actors_linked": _members((c.organisation, c.organisation, c) for c in split.accepted),
        "communes_strengthened": _members((c.commune, c.commune, c) for c in split.strengthened),
    }


def _members(rows: Iterable[tuple[str | None, str | None, StatusChange]]) -> dict[str, Member]:
    """Rows in time order; the latest name given wins (an expert renamed is shown by the new name)."""
    found: dict[str, Member] = {}
    for key, label, row in rows:
        if key is None or key == "":
            continue
        member = found.setdefault(key, Member(label, row.at))
        member.label = label
        if row.need_topic_id not in member.topics:
            member.topics.append(row.need_topic_id)
    return found


def _firsts(rows: Iterable[StatusChange]) -> dict[int, StatusChange]:
    firsts: dict[int, StatusChange] = {}
    for row in rows:
        firsts.setdefault(row.need_topic_id, row)
    return firsts


def latest_by_need(rows: Iterable[StatusChange]) -> dict[int, StatusChange]:
    """Each need's last row (rows in time order)."""
    return {row.need_topic_id: row for row in rows}


def _by_status(statuses: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(NEED_STATUSES, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _introduction_counts(intros: Sequence[StatusChange], period: Period) -> dict[str, int]:
    counts = {"proposed": 0, **dict.fromkeys(ANSWERS, 0)}
    for row in intros:
        if period.holds(row.at):
            name = "proposed" if row.status == "pending" else row.status
            if name in counts:
                counts[name] += 1
    return counts


def _median_days(intros: Sequence[StatusChange], period: Period) -> float | None:
    """Median days from the proposal to the expert's answer, over answers given in the period."""
    waits = [days for _topic, days in answer_waits(intros, period)]
    return round(statistics.median(waits), 1) if waits else None


def answer_waits(intros: Sequence[StatusChange], period: Period) -> list[tuple[int, float]]:
    """(need topic, days from the proposal to the expert's answer) of each answer given in the period."""
    proposed: dict[tuple[int, str | None], datetime] = {}
    waits: list[tuple[int, float]] = []
    for row in intros:
        pair = (row.need_topic_id, row.expert)
        if row.status == "pending":
            proposed.setdefault(pair, row.at)
        elif row.status in ("accepted", "declined") and period.holds(row.at) and pair in proposed:
            waits.append((row.need_topic_id, (row.at - proposed[pair]).total_seconds() / 86400))
    return waits


def _skill_gaps(latest: Iterable[StatusChange]) -> tuple[tuple[str, int], ...]:
    """Skills asked by needs still open (nobody introduced or accepted) at the period's end."""
    counts: dict[str, int] = {}
    for row in latest:
        if row.status == LOOKING:
            for skill in dict.fromkeys(row.skills):
                counts[skill] = counts.get(skill, 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _per_commune(posted: Sequence[StatusChange], accepted: Sequence[StatusChange],
                 strengthened: Sequence[StatusChange]) -> dict[str, dict[str, int]]:
    """commune group -> needs posted, introductions accepted, needs served or funded, in the period."""
    table: dict[str, dict[str, int]] = {}
    for column, rows in (("needs", posted), ("accepted", accepted), ("strengthened", strengthened)):
        for row in rows:
            if row.commune:
                line = table.setdefault(row.commune, {"needs": 0, "accepted": 0, "strengthened": 0})
                line[column] += 1
    return dict(sorted(table.items()))


def organisation_of(groups: Iterable[str], actor_groups: frozenset[str],
                    commune_group: str | None) -> str | None:
    """The actor organisation a need's author speaks for: their commune group, else the first of their
    groups that config/forum.yaml declares as an actor (associations, cooperatives, GIE, federations)."""
    if commune_group is not None:
        return commune_group
    return next((g for g in sorted(groups) if g in actor_groups), None)
