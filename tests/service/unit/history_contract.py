"""What every implementation of ports.history.HistoryRepository must give the report: the period's facts
as impact.facts_of() computes them from the whole history, run (as storage_contract.py) on the fakes
(unit/test_fakes.py) and on SQLite and PostgreSQL (integration/test_storage_contract.py), where the SQL
repository computes them with a few queries instead."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sync_service.domain.brokerage import Delays, Introduction, answered, ended, open_introduction
from sync_service.domain.impact import FACT_PARTS, Period, facts_of, introduction_rows
from sync_service.domain.impact_tally import GapNeed, tally_of
from sync_service.domain.needs import NeedDetails
from sync_service.services.ports.storage import UnitOfWork

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DELAYS = Delays(reminder=timedelta(days=3), expiry=timedelta(days=4))
Make = Callable[[], UnitOfWork]
ODD = timedelta(seconds=7, microseconds=3)  # a wait of whole days and a few microseconds, counted exactly
PERIODS = [Period(), Period(None, T0 + timedelta(days=3)), Period(T0 + timedelta(days=3), None),
           Period(T0 + timedelta(days=2), T0 + timedelta(days=9)), Period(T0 + timedelta(days=30), None)]


def day(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _intro(topic: int, expert: int, when: float) -> Introduction:
    return open_introduction(topic, expert, f"expert{expert}", day(when), DELAYS, reviewed=True,
                             approved_by="nadia")


def _year(make: Make) -> None:
    """Needs of two communes and an association, statuses at shared moments, answers written after rows of
    a later moment, an expert forgotten, another renamed."""
    needs = {1: ("commune-anzi", ("hydraulics", "gis_mapping")), 2: ("commune-tafraout", ("fundraising",)),
             3: (None, ("agronomy",)), 4: ("commune-anzi", ("solar_energy",))}
    for topic, (commune, skills) in needs.items():
        need = NeedDetails(topic, f"Besoin {topic}", 100 + topic, f"auteur{topic}", commune_group=commune,
                           organisation=commune or "associations", skills=skills,
                           sector="agriculture" if topic == 3 else None)
        with make() as uow:
            uow.needs.save(need, day(topic - 1), day(topic - 1))
            uow.commit()
    first, second, third = _intro(1, 42, 1), _intro(1, 43, 1), _intro(2, 42, 2)
    fourth = _intro(3, 44, 2.5)
    with make() as uow:
        for made in (first, second, third, fourth):
            uow.introductions.add(made)
        uow.needs.save(_status(uow, 1, "matched"), day(1), day(1))  # the same moment as the proposals
        uow.commit()
    with make() as uow:
        uow.introductions.save(answered(third, True, day(6)))  # written first, answered later
        uow.introductions.save(answered(first, True, day(2) + ODD))
        uow.introductions.save(answered(second, False, day(3)))
        uow.introductions.save(ended(fourth, "expired", day(6.5)))
        uow.needs.save(_status(uow, 1, "in_progress"), day(2), day(2))
        uow.needs.save(_status(uow, 2, "in_progress"), day(6), day(6))
        uow.commit()
    with make() as uow:
        uow.needs.save(_status(uow, 1, "served"), day(8), day(8))
        uow.needs.save(_status(uow, 1, "funded"), day(9), day(9))  # strengthened once, at day 8
        uow.needs.save(_status(uow, 2, "funded"), day(8), day(8))
        uow.needs.save(dataclasses.replace(_status(uow, 4, "open"), skills=("solar_energy", "fundraising")),
                       day(10), day(10))  # no new status: no row
        uow.needs.save(_status(uow, 4, "closed"), day(12), day(12))
        uow.commit()
    with make() as uow:  # need 3: a strong candidate from day 4 (no gap), none again from day 40
        assert uow.history.note_match(3, True, day(4)) and not uow.history.note_match(3, True, day(5))
        assert uow.history.note_match(3, False, day(40)) and uow.history.note_match(2, False, day(1))
        uow.commit()
    with make() as uow:
        uow.history.forget_expert(43, "k" * 64)
        again = _intro(4, 45, 31)
        uow.introductions.add(again)
        uow.introductions.save(answered(again, True, day(31.5)))
        uow.commit()


def _status(uow: UnitOfWork, topic: int, status: str) -> NeedDetails:
    stored = uow.needs.get(topic)
    assert stored is not None
    return dataclasses.replace(stored.details, status=status)


def test_contract_the_period_s_facts_are_those_of_the_whole_history(make: Make) -> None:
    _year(make)
    with make() as uow:
        for period in PERIODS:
            whole = uow.history.changes(until=period.end)
            expected = facts_of(whole, period)
            assert uow.history.facts(period) == expected, period
            for part in FACT_PARTS:  # what one list reads: that part alone, the others empty
                assert uow.history.facts(period, (part,)) == expected.only((part,)), (part, period)
            for status in ("pending", "accepted", "declined", "expired"):
                assert uow.history.introductions(period, status) == introduction_rows(whole, period, status)


def test_contract_the_period_s_tally_counts_its_facts(make: Make) -> None:
    _year(make)
    with make() as uow:
        sectors = {topic: title.sector for topic, title in uow.needs.titles([1, 2, 3, 4]).items()}
        for period in PERIODS:  # the gaps carry each need's sector as the needs table holds it now
            assert uow.history.tally(period) == tally_of(uow.history.facts(period), sectors), period
        tally = uow.history.tally(Period(None, day(30)))
    assert tally.waits == ((("1", 0), ("3", 2), ("7", 1), ("14", 0), ("more", 0)), 2.0)  # 1 day 7 s: over 1
    assert {n: [(s.key, s.label, s.first, s.last) for s in seen] for n, seen in tally.members.items()} == {
        "migrants_involved": [("user:42", "expert42", day(2) + ODD, day(6))],
        "communes_engaged": [("commune-anzi", "commune-anzi", day(0), day(3)),
                             ("commune-tafraout", "commune-tafraout", day(1), day(1))],
        "actors_linked": [("commune-anzi", "commune-anzi", day(2) + ODD, day(2) + ODD),
                          ("commune-tafraout", "commune-tafraout", day(6), day(6))],
        "communes_strengthened": [("commune-anzi", "commune-anzi", day(8), day(8)),
                                  ("commune-tafraout", "commune-tafraout", day(8), day(8))]}
    assert tally.needs_by_commune == {"commune-anzi": {"funded": 1, "closed": 1},
                                      "commune-tafraout": {"funded": 1}, "": {"open": 1}}
    assert tally.per_commune == {"commune-anzi": {"needs": 2, "accepted": 1, "strengthened": 1},
                                 "commune-tafraout": {"needs": 1, "accepted": 1, "strengthened": 1}}
    assert tally.strengthened == 2 and tally.gaps == ()  # need 3 has a strong candidate at day 30
    with make() as uow:
        assert uow.history.tally(Period(None, day(3))).gaps == (  # need 2 weak, need 3 not ranked yet
            GapNeed(2, ("fundraising",), "commune-tafraout"), GapNeed(3, ("agronomy",), None, "agriculture"))
        assert uow.history.tally(Period()).gaps == (GapNeed(3, ("agronomy",), None, "agriculture"),)


def test_contract_the_facts_hold_what_the_figures_count(make: Make) -> None:
    _year(make)
    with make() as uow:
        facts = uow.history.facts(Period(None, day(30)))
        later = uow.history.facts(Period(day(30), None))
        empty = uow.history.facts(Period(day(100), None))
    assert [c.need_topic_id for c in facts.posted] == [1, 2, 3, 4]
    assert {t: c.status for t, c in facts.at_end.items()} == {
        1: "funded", 2: "funded", 3: "open", 4: "closed"}
    assert [(c.need_topic_id, c.status, c.at) for c in facts.strengthened] == [
        (1, "served", day(8)), (2, "funded", day(8))]
    assert [(c.need_topic_id, c.expert, c.at) for c in facts.accepted] == [
        (1, "user:42", day(2) + ODD), (2, "user:42", day(6))]
    assert facts.introductions == {"proposed": 4, "accepted": 2, "declined": 1, "expired": 1}
    assert sorted(facts.waits) == [(1, (timedelta(days=1) + ODD).total_seconds() / 86400), (1, 2.0), (2, 4.0)]
    assert facts.span == (day(0), day(12))
    assert [c.expert_username for c in later.accepted] == ["expert45"] and later.posted == ()
    assert empty.span is None and empty.at_end.keys() == {1, 2, 3, 4} and empty.waits == ()
