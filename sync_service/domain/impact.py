"""The project's four expected results, and the figures beside them, computed from the status history
of needs and introductions (docs/impact.md). Pure: the rows come in, in the order they were written."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sync_service.domain.brokerage import PENDING, Introduction

NEED, INTRODUCTION = "need", "introduction"
# Rows of the follow-up: a person's testimony received, a "retour d'expérience" published (no person)
EXPERIENCE = "experience"
EXPERIENCE_FIGURES = ("received", "published")
# Rows of the brokerage: whether a need looking for an expert has a strong candidate ("strong") or not
# ("weak"), written when that changes; a need open at the period's end without a strong one is a gap
MATCH = "match"
STRONG, WEAK = "strong", "weak"
KPI_NAMES = ("migrants_involved", "communes_engaged", "actors_linked", "communes_strengthened")
NEED_STATUSES = ("open", "matched", "in_progress", "served", "funded", "closed")
ANSWERS = ("accepted", "declined", "expired", "withdrawn")
STRENGTHENED = ("served", "funded")
ANSWERED = ("accepted", "declined")  # the expert's own answers (their times are measured)
# Upper bounds (days) of the answer-time bars; an answer later than the last falls in "more".
WAIT_BOUNDS = (1, 3, 7, 14)
WAIT_BARS = (*(str(b) for b in WAIT_BOUNDS), "more")
LOOKING = "open"  # a need nobody serves or is asked to: its skills are a gap


class StatusChange(NamedTuple):
    """One row of the history: a need or an introduction took `status` at `at`.

    `expert` is a stable key of the introduction's expert ("user:<id>", or "forgotten:<hmac>" once the
    person was forgotten); `expert_username` is None once forgotten. `commune` (the need's commune
    group) and `organisation` (its author's actor group) are the need's at the time of the change.
    A named tuple, not a dataclass: a report or a list reads tens of thousands, and a tuple is made in a
    third of the time (bench/dashboard.py); change one with `_replace`."""

    kind: str  # NEED | INTRODUCTION | EXPERIENCE | MATCH
    need_topic_id: int
    status: str
    at: datetime
    expert: str | None = None
    expert_username: str | None = None
    commune: str | None = None
    organisation: str | None = None
    skills: tuple[str, ...] = ()
    proposed_at: datetime | None = None  # an introduction's answer or end: when it was proposed


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
class HistoryFacts:
    """What every figure of a period is computed from: a few rows a need, the introductions accepted in
    the period, and counts. facts_of() gives them from the whole history; the SQL repository gives the
    same without reading it all (the storage contract compares both)."""

    posted: tuple[StatusChange, ...]  # each need's first row, when it falls in the period
    at_end: Mapping[int, StatusChange]  # each need's last row before the period's end
    strengthened: tuple[StatusChange, ...]  # each need's first served or funded row in the period
    accepted: tuple[StatusChange, ...]  # introductions accepted in the period
    introductions: Mapping[str, int]  # "proposed" (pending rows) and ANSWERS in the period, when not 0
    experiences: Mapping[str, int]  # EXPERIENCE_FIGURES in the period, when not 0
    waits: tuple[tuple[int, float], ...]  # (need topic, days from proposal to answer), answers in the period
    span: tuple[datetime, datetime] | None  # first and last need or introduction row in the period
    strong: frozenset[int] = frozenset()  # needs whose last match row before the period's end is strong

    def with_accepted(self, accepted: Iterable[StatusChange]) -> HistoryFacts:
        """The same facts with the accepted rows re-keyed (services/report.one_key_a_person)."""
        return dataclasses.replace(self, accepted=tuple(accepted))

    def only(self, parts: Collection[str]) -> HistoryFacts:
        """The same facts with only these FACT_PARTS kept, the others empty (what a list reads)."""
        kept = {name for part in parts for name in FACT_PARTS[part]}
        empty: dict[str, Any] = {name: value for name, value in EMPTY_FACTS.items() if name not in kept}
        return dataclasses.replace(self, **empty)


# The facts a list may read alone, by part: each need's ends, the first served or funded rows, the
# acceptances, the counts (with the span and the strong candidates), the answers' waits
FACT_PARTS: Mapping[str, tuple[str, ...]] = {
    "ends": ("posted", "at_end"), "strengthened": ("strengthened",), "accepted": ("accepted",),
    "counts": ("introductions", "experiences", "span", "strong"), "waits": ("waits",)}
EMPTY_FACTS: Mapping[str, object] = {
    "posted": (), "at_end": {}, "strengthened": (), "accepted": (), "introductions": {}, "experiences": {},
    "waits": (), "span": None, "strong": frozenset()}


def facts_of(changes: Iterable[StatusChange], period: Period) -> HistoryFacts:
    """The period's facts from the history (rows sorted by time, stable: rows of one moment keep the
    order they were written in)."""
    rows = sorted((c for c in changes if period.reached(c.at)), key=lambda c: c.at)
    needs = [c for c in rows if c.kind == NEED]
    intros = [c for c in rows if c.kind == INTRODUCTION]
    moments = [c.at for c in (*needs, *intros) if period.holds(c.at)]
    return HistoryFacts(
        posted=tuple(c for c in _firsts(needs).values() if period.holds(c.at)),
        at_end=latest_by_need(needs),
        strengthened=tuple(_firsts(c for c in needs if c.status in STRENGTHENED and period.holds(c.at))
                           .values()),
        accepted=tuple(c for c in intros if c.status == "accepted" and period.holds(c.at)),
        introductions=dict(Counter(("proposed" if c.status == PENDING else c.status) for c in intros
                                   if period.holds(c.at) and c.status in (PENDING, *ANSWERS))),
        experiences=dict(Counter(c.status for c in rows if c.kind == EXPERIENCE
                                 and c.status in EXPERIENCE_FIGURES and period.holds(c.at))),
        waits=tuple(answer_waits(intros, period)),
        span=(min(moments), max(moments)) if moments else None,
        strong=frozenset(t for t, c in latest_by_need(c for c in rows if c.kind == MATCH).items()
                         if c.status == STRONG),
    )


def gap_topics(facts: HistoryFacts) -> list[int]:
    """The needs still open at the period's end (nobody introduced, nobody accepted) without a strong
    candidate: the skill gaps."""
    return [t for t, row in facts.at_end.items() if row.status == LOOKING and t not in facts.strong]


def introduction_rows(changes: Iterable[StatusChange], period: Period, status: str) -> list[StatusChange]:
    """The introductions that took `status` in the period (those behind a count), in time order."""
    found = (c for c in changes if c.kind == INTRODUCTION and c.status == status and period.holds(c.at))
    return sorted(found, key=lambda c: c.at)


@dataclass
class Member:
    """Who counts for a result: their name (None once forgotten), when they first counted in the
    period, and the need topics that made them count."""

    label: str | None
    first: datetime
    last: datetime
    topics: list[int] = field(default_factory=list)


def kpi_members(facts: HistoryFacts) -> dict[str, dict[str, Member]]:
    """Each result's members by key (an expert's key, a group's name): the definitions, in one place."""
    return {
        **accepted_members(facts.accepted),
        "communes_engaged": _members((c.commune, c.commune, c) for c in facts.posted),
        "communes_strengthened": _members((c.commune, c.commune, c) for c in facts.strengthened),
    }


def accepted_members(accepted: Sequence[StatusChange]) -> dict[str, dict[str, Member]]:
    """The members of the two results counted from the introductions accepted in the period."""
    return {"migrants_involved": _members((c.expert, c.expert_username, c) for c in accepted),
            "actors_linked": _members((c.organisation, c.organisation, c) for c in accepted)}


def _members(rows: Iterable[tuple[str | None, str | None, StatusChange]]) -> dict[str, Member]:
    """Rows in time order; the latest name given wins (an expert renamed is shown by the new name)."""
    found: dict[str, Member] = {}
    for key, label, row in rows:
        if key is None or key == "":
            continue
        member = found.get(key)
        if member is None:
            member = found[key] = Member(label, row.at, row.at)
        member.label, member.last = label, row.at
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


def answer_waits(intros: Iterable[StatusChange], period: Period) -> list[tuple[int, float]]:
    """(need topic, days from the proposal to the expert's answer) of each answer given in the period."""
    return [(row.need_topic_id, (row.at - row.proposed_at).total_seconds() / 86400) for row in intros
            if row.status in ANSWERED and row.proposed_at is not None and period.holds(row.at)]


def bar_of(days: float) -> str:
    """The answer-time bar of a wait: the first bound it is within, else "more"."""
    bound = next((b for b in WAIT_BOUNDS if days <= b), None)
    return "more" if bound is None else str(bound)


def proposed_at(intro: Introduction) -> datetime | None:
    """What an introduction's history row keeps of its proposal: the moment, on its answer or end."""
    return None if intro.status == PENDING else intro.opened_at


def organisation_of(groups: Iterable[str], actor_groups: frozenset[str],
                    commune_group: str | None) -> str | None:
    """The actor organisation a need's author speaks for: their commune group, else the first of their
    groups that config/forum.yaml declares as an actor (associations, cooperatives, GIE, federations)."""
    if commune_group is not None:
        return commune_group
    return next((g for g in sorted(groups) if g in actor_groups), None)
