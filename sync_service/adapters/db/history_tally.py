"""The period's figures counted in the database (impact_tally.HistoryTally): a few queries over
`status_history` whose answers grow with the needs and the people counted, not with the whole history,
and the same counting as impact_tally.tally_of() (the storage contract compares both)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Interval,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)

from sync_service.adapters.db.columns import utc
from sync_service.adapters.db.tables import NeedEndsRecord, NeedRecord, StatusChangeRecord
from sync_service.domain.brokerage import PENDING
from sync_service.domain.impact import (
    ANSWERED,
    ANSWERS,
    EXPERIENCE,
    EXPERIENCE_FIGURES,
    INTRODUCTION,
    LOOKING,
    MATCH,
    NEED,
    STRENGTHENED,
    STRONG,
    WAIT_BARS,
    WAIT_BOUNDS,
    Period,
)
from sync_service.domain.impact_tally import (
    GapNeed,
    HistoryTally,
    Seen,
    WaitFigures,
    per_commune,
    wait_summary,
)

h = StatusChangeRecord


def within(period: Period) -> list[ColumnElement[bool]]:
    """The conditions of a row's moment in the period."""
    return ([h.at >= period.start] if period.start is not None else []) + (
        [h.at < period.end] if period.end is not None else [])


def skills_of(stored: str | None) -> tuple[str, ...]:
    """The skills of a row, from the JSON text of its column."""
    return tuple(str(s) for s in json.loads(stored or "[]") or ())


def expert_key(user_id: int | None, forgotten_key: str | None) -> str | None:
    """The stable key the report counts an expert by: their id while known, the keyed hash after."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"forgotten:{forgotten_key}" if forgotten_key else None


def first_in_need() -> ColumnElement[int]:
    """1 for each need's first row (by moment, then order written) among the rows selected."""
    return func.row_number().over(partition_by=h.need_topic_id, order_by=(h.at, h.id))


def last_in_need() -> ColumnElement[int]:
    """1 for each need's last row among the rows selected."""
    return func.row_number().over(partition_by=h.need_topic_id, order_by=(h.at.desc(), h.id.desc()))


def counts(connection: Connection, period: Period) -> tuple[dict[str, int], dict[str, int]]:
    """Introductions ("proposed": pending rows, and ANSWERS) and experiences in the period, when not 0;
    over all time on PostgreSQL, summed from history_need_ends."""
    found: dict[str, dict[str, int]] = {INTRODUCTION: {}, EXPERIENCE: {}}
    if _all_time_kept(connection, period):
        _kept_counts(connection, found)
        return found[INTRODUCTION], found[EXPERIENCE]
    query = select(h.kind, h.status, func.count()).where(h.kind.in_(found), *within(period))
    for kind, status, count in connection.execute(query.group_by(h.kind, h.status)):
        _count(found, kind, status, count)
    return found[INTRODUCTION], found[EXPERIENCE]


def _all_time_kept(connection: Connection, period: Period) -> bool:
    """Whether the period's counts are those history_need_ends keeps: all time, on PostgreSQL."""
    return period.start is None and period.end is None and connection.dialect.name == "postgresql"


def _count(found: dict[str, dict[str, int]], kind: str, status: str, count: int) -> None:
    """One (kind, status) count where counts() keeps it: pending introductions as "proposed"."""
    if kind == INTRODUCTION and status in (PENDING, *ANSWERS):
        found[kind]["proposed" if status == PENDING else status] = int(count)
    elif kind == EXPERIENCE:
        found[kind][status] = int(count)


def span(connection: Connection, period: Period) -> tuple[datetime, datetime] | None:
    """The first and last need or introduction row in the period."""
    first, last = connection.execute(select(func.min(h.at), func.max(h.at)).where(
        h.kind.in_((NEED, INTRODUCTION)), *within(period))).one()
    return (utc(first), utc(last)) if first is not None else None


def _answered(period: Period) -> list[ColumnElement[bool]]:
    """The experts' answers in the period that know when they were proposed."""
    return [h.kind == INTRODUCTION, h.status.in_(ANSWERED), h.proposed_at.is_not(None), *within(period)]


# A wait as PostgreSQL's interval (the driver gives a timedelta): compared and sorted as exactly as timedelta
# (whole microseconds, a day of 24 hours), at a fraction of the cost of counting its microseconds in SQL
waited = type_coerce(h.at - h.proposed_at, Interval())


def _days(days: int) -> ColumnElement[timedelta]:
    """A number of days as an interval parameter."""
    return literal(timedelta(days=days), Interval())


def waits(connection: Connection, period: Period) -> list[tuple[int, float]]:
    """(need, days from the proposal) of each answer in the period, in the order written."""
    if connection.dialect.name == "postgresql":
        return [(topic, wait.total_seconds() / 86400) for topic, wait in plain_rows(
            connection, select(h.need_topic_id, waited).where(*_answered(period)).order_by(h.at, h.id))]
    query = select(h.need_topic_id, h.at, h.proposed_at).where(*_answered(period)).order_by(h.at, h.id)
    return [(topic, (utc(answered) - utc(asked)).total_seconds() / 86400)
            for topic, answered, asked in connection.execute(query) if asked is not None]


def counts_and_waits(connection: Connection, period: Period) -> tuple[dict[str, int], dict[str, int],
                                                                     WaitFigures]:
    """counts() and the answers by time to answer with their median (impact_tally.wait_summary). On
    PostgreSQL the bars are counted with the counts: over all time, summed from history_need_ends; for a
    period, in one pass over its rows (each bar from the answers within its bound). The median is read
    from the one or two middle waits."""
    if connection.dialect.name != "postgresql":
        introductions, experiences = counts(connection, period)
        return introductions, experiences, wait_summary(days for _topic, days in waits(connection, period))
    found: dict[str, dict[str, int]] = {INTRODUCTION: {}, EXPERIENCE: {}}
    if _all_time_kept(connection, period):
        answers, *upto = _kept_counts(connection, found)
    else:
        timed = and_(h.status.in_(ANSWERED), h.proposed_at.is_not(None))
        within_bounds = [func.count().filter(and_(timed, waited <= _days(bound))) for bound in WAIT_BOUNDS]
        query = select(h.kind, h.status, func.count(), func.count().filter(timed), *within_bounds).where(
            h.kind.in_(found), *within(period)).group_by(h.kind, h.status)
        cumulative = [0] * (len(WAIT_BOUNDS) + 1)
        for kind, status, count, *answered in connection.execute(query):
            _count(found, kind, status, count)
            cumulative = [total + int(n) for total, n in zip(cumulative, answered, strict=True)]
        answers, *upto = cumulative
    upto.append(answers)
    bars = tuple((key, n - below) for key, n, below in zip(WAIT_BARS, upto, [0, *upto[:-1]], strict=True))
    return found[INTRODUCTION], found[EXPERIENCE], (bars, _median(connection, period, answers))


_e = NeedEndsRecord.__table__.c
# history_need_ends' counts, as counts() finds them in the rows; the answers within each bound of the bars
_KEPT = {INTRODUCTION: {"proposed": _e.proposed, **{a: _e[a] for a in ANSWERS}},
         EXPERIENCE: {f: _e[f] for f in EXPERIENCE_FIGURES}}
_TIMED = [_e.answered, *(_e[f"within_{bound}"] for bound in WAIT_BOUNDS)]


def _kept_counts(connection: Connection, found: dict[str, dict[str, int]]) -> list[int]:
    """The counts of all time summed from history_need_ends into `found` (when not 0); the answers timed
    and those within each bound."""
    named = [(kind, name) for kind, columns in _KEPT.items() for name in columns]
    sums = connection.execute(select(*(func.coalesce(func.sum(column), 0) for column in
                                       [*(_KEPT[kind][name] for kind, name in named), *_TIMED]))).one()
    for (kind, name), total in zip(named, sums, strict=False):
        if total:
            found[kind][name] = int(total)
    return [int(n) for n in sums[len(named):]]


def _median(connection: Connection, period: Period, answers: int) -> float | None:
    """The median wait in days to one decimal, from the one or two middle answers (as statistics.median)."""
    if not answers:
        return None
    middle = connection.scalars(select(waited).where(*_answered(period)).order_by(waited)
                                .offset((answers - 1) // 2).limit(2 - answers % 2)).all()
    return round(statistics.median(wait.total_seconds() / 86400 for wait in middle), 1)


def _need_ends(connection: Connection, period: Period) -> Sequence[Any]:
    """Per need with a row before the period's end: its first row's moment and commune, its last row's
    status and commune, its skills when it is still open, and its sector as the needs table holds it.
    On PostgreSQL each need's ends are read as history_need_ends keeps them, and only the needs with a
    row at or after the period's end are ranked; elsewhere every need's rows are."""
    if connection.dialect.name != "postgresql":
        return _ranked_ends(connection, period, None)
    e, end = NeedEndsRecord, period.end
    kept = select(e.need_topic_id, e.first_at, e.first_commune, e.last_status, e.last_commune,
                  case((e.last_status == LOOKING, cast(e.last_skills, Text))), NeedRecord.sector).outerjoin(
        NeedRecord, NeedRecord.topic_id == e.need_topic_id).where(e.first_id.is_not(None))
    if end is None:
        return plain_rows(connection, kept)
    later = select(e.need_topic_id).where(e.first_at < end, e.last_at >= end)
    return [*plain_rows(connection, kept.where(e.last_at < end)), *_ranked_ends(connection, period, later)]


def _ranked_ends(connection: Connection, period: Period, needs: Select[int] | None) -> Sequence[Any]:
    """_need_ends() from the rows themselves, of every need or of `needs`."""
    only = [] if needs is None else [h.need_topic_id.in_(needs)]
    ranked = select(h.need_topic_id, h.at, h.status, h.commune_group, cast(h.skills, Text).label("skills"),
                    first_in_need().label("first"), last_in_need().label("last")).where(
        h.kind == NEED, *within(Period(None, period.end)), *only).subquery()
    r = ranked.c
    first, last = r.first == 1, r.last == 1
    return plain_rows(connection, select(
        r.need_topic_id, func.max(case((first, r.at))), func.max(case((first, r.commune_group))),
        func.max(case((last, r.status))), func.max(case((last, r.commune_group))),
        func.max(case((and_(last, r.status == LOOKING), r.skills))), func.max(NeedRecord.sector)
    ).outerjoin(NeedRecord, NeedRecord.topic_id == r.need_topic_id)
        .where(or_(first, last)).group_by(r.need_topic_id))


def plain_rows(connection: Connection, query: Select[*tuple[Any, ...]]) -> Sequence[Sequence[Any]]:
    """The rows as PostgreSQL's driver gives them, in the connection's transaction: the tally reads tens
    of thousands, and a SQLAlchemy Row each costs as much as the query (bench/dashboard.py); on SQLite,
    whose moments need SQLAlchemy's conversion, the usual rows."""
    if connection.dialect.name != "postgresql":
        return connection.execute(query).all()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()
    finally:
        cursor.close()


def strong_needs(connection: Connection, period: Period) -> frozenset[int]:
    """The needs whose last match row before the period's end says they have a strong candidate."""
    ranked = select(h.need_topic_id, h.status, last_in_need().label("last")).where(
        h.kind == MATCH, *within(Period(None, period.end))).subquery()
    return frozenset(connection.scalars(select(ranked.c.need_topic_id).where(
        ranked.c.last == 1, ranked.c.status == STRONG)))


def _strengthened(connection: Connection, period: Period) -> list[tuple[datetime, str | None]]:
    """(moment, commune) of each need's first served or funded row in the period, in time order: with no
    start, as history_need_ends keeps it on PostgreSQL."""
    if period.start is None and connection.dialect.name == "postgresql":
        e = NeedEndsRecord
        kept = select(e.strengthened_at, e.strengthened_commune).where(e.strengthened_id.is_not(None))
        if period.end is not None:
            kept = kept.where(e.strengthened_at < period.end)
        return [(utc(at), commune) for at, commune in plain_rows(
            connection, kept.order_by(e.strengthened_at, e.strengthened_id))]
    ranked = select(h.at, h.id, h.commune_group, first_in_need().label("first")).where(
        h.kind == NEED, h.status.in_(STRENGTHENED), *within(period)).subquery()
    return [(utc(at), commune) for at, commune in connection.execute(
        select(ranked.c.at, ranked.c.commune_group).where(ranked.c.first == 1)
        .order_by(ranked.c.at, ranked.c.id))]


def _members(rows: Iterable[tuple[str | None, str | None, datetime]]) -> tuple[Seen, ...]:
    """Members of one result from (key, name, moment) rows in time order: first and latest moment, latest
    name; rows without a key are left out. Counted by dict building, not a call a row: the tally reads
    tens of thousands."""
    kept = [(key, label, at) for key, label, at in rows if key]
    firsts = {key: at for key, _label, at in reversed(kept)}
    latest = {key: (label, at) for key, label, at in kept}
    return tuple(Seen(key, label, firsts[key], at) for key, (label, at) in sorted(latest.items()))


def tally(connection: Connection, period: Period) -> HistoryTally:
    """The period's tally (impact_tally.tally_of of the period's facts)."""
    by_commune: dict[str, dict[str, int]] = {}
    posted, gaps, parsed = [], [], {}
    strong = strong_needs(connection, period)
    for topic, at, commune, status, last_commune, skills, sector in _need_ends(connection, period):
        if period.holds(at := utc(at)):
            posted.append((at, commune))
            line = by_commune.setdefault(commune or "", {})
            line[status] = line.get(status, 0) + 1
        if status == LOOKING and topic not in strong:
            if skills not in parsed:
                parsed[skills] = tuple(dict.fromkeys(skills_of(skills)))
            gaps.append(GapNeed(topic, parsed[skills], last_commune, sector))
    posted.sort(key=lambda p: p[0])
    strengthened = _strengthened(connection, period)
    accepted = [(expert_key(user_id, key), username, utc(at), organisation, commune)
                for user_id, key, username, at, organisation, commune in plain_rows(connection, select(
                    h.expert_user_id, h.expert_key, h.expert_username, h.at, h.organisation, h.commune_group)
                    .where(h.kind == INTRODUCTION, h.status == "accepted", *within(period))
                    .order_by(h.at, h.id))]
    introductions, experiences, wait_figures = counts_and_waits(connection, period)
    return HistoryTally(
        members={"migrants_involved": _members((key, name, at) for key, name, at, _o, _c in accepted),
                 "communes_engaged": _members((c, c, at) for at, c in posted),
                 "actors_linked": _members((o, o, at) for _k, _n, at, o, _c in accepted),
                 "communes_strengthened": _members((c, c, at) for at, c in strengthened)},
        needs_by_commune=by_commune,
        per_commune=per_commune([c for _at, c in posted], [c for *_r, c in accepted],
                                [c for _at, c in strengthened]),
        strengthened=len(strengthened),
        gaps=tuple(sorted(gaps, key=lambda g: g.topic)),
        introductions=introductions, experiences=experiences,
        waits=wait_figures,
        span=span(connection, period))
