"""The impact report: the status history read in one transaction, the figures computed by the domain."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sync_service.domain.impact import FACT_PARTS, HistoryFacts, Period, StatusChange
from sync_service.domain.impact_tally import HistoryTally, ImpactReport, merged, report_of, with_members
from sync_service.services.forget import TOMBSTONE_PEPPER, tombstone_key
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


def impact(make_uow: Callable[[], UnitOfWork], request: ReportRequest, targets: Mapping[str, int],
           pepper: bytes = TOMBSTONE_PEPPER) -> ImpactReport:
    """The four results against their targets, and the figures beside them, for the period."""
    with make_uow() as uow:
        found = tally(uow, request.period(), pepper)
    return report_of(found, targets)


def tally(uow: UnitOfWork, period: Period, pepper: bytes) -> HistoryTally:
    """The period's figures counted, every expert under one key (one_key_a_person)."""
    with collector_paused():
        found = uow.history.tally(period)
    migrants = found.members["migrants_involved"]
    if not any(s.key.startswith("forgotten:") for s in migrants):
        return found
    keys: dict[str, str] = {}
    return with_members(found, "migrants_involved", merged(
        s._replace(key=_one_key(s.key, pepper, keys)) for s in migrants))


class _Collector:
    """Python's cyclic garbage collector, paused while at least one caller asks (threads of a web
    process share it): on again when the last one is done, if it was on before the first."""

    def __init__(self) -> None:
        self.lock, self.pausing, self.was_on = threading.Lock(), 0, False

    def pause(self) -> None:
        with self.lock:
            if not self.pausing:
                self.was_on = gc.isenabled()
                gc.disable()
            self.pausing += 1

    def resume(self) -> None:
        with self.lock:
            self.pausing -= 1
            if not self.pausing and self.was_on:
                gc.enable()


COLLECTOR = _Collector()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a tally (or a page made from one) makes its tens of
    thousands of small objects (none of them in a cycle): its passes over every object the process holds
    would otherwise cost a third of the tally (bench/dashboard.py)."""
    COLLECTOR.pause()
    try:
        yield
    finally:
        COLLECTOR.resume()


def facts(uow: UnitOfWork, period: Period, pepper: bytes,
          parts: Collection[str] = FACT_PARTS) -> HistoryFacts:
    """The period's facts (for the lists behind the figures; only these parts), every expert under one
    key."""
    found = uow.history.facts(period, parts)
    return found.with_accepted(one_key_a_person(found.accepted, pepper))


def _one_key(key: str, pepper: bytes, keys: dict[str, str]) -> str:
    """An expert's key as the keyed hash their rows take when forgotten (each hash computed once)."""
    if not key.startswith("user:"):
        return key
    if key not in keys:
        keys[key] = f"forgotten:{tombstone_key('person', int(key.removeprefix('user:')), pepper)}"
    return keys[key]


def one_key_a_person(changes: Iterable[StatusChange], pepper: bytes, *,
                     always: bool = False) -> Iterator[StatusChange]:
    """Every expert under the keyed hash their rows take when they are forgotten: a person forgotten
    (consent withdrawn) who comes back is one person, before and after. Without any forgotten row the
    user ids already tell people apart, and no hash is computed unless `always` (to meet keys kept
    elsewhere, as a campaign's members)."""
    rows = list(changes)
    if not always and not any(c.expert is not None and c.expert.startswith("forgotten:") for c in rows):
        yield from rows
        return
    keys: dict[str, str] = {}
    for change in rows:
        if change.expert is not None and change.expert.startswith("user:"):
            change = change._replace(expert=_one_key(change.expert, pepper, keys))
        yield change
