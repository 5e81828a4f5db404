"""The four expected results and the figures beside them (domain/impact.py), from history rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync_service.domain.impact import (
    INTRODUCTION,
    MATCH,
    NEED,
    Period,
    StatusChange,
    organisation_of,
)
from sync_service.domain.impact_tally import ImpactReport
from sync_service.domain.impact_tally import impact_report as report_of_rows
from tests.service.unit.history_rows import as_written

T0 = datetime(2026, 3, 1, tzinfo=UTC)
TARGETS = {"migrants_involved": 40, "communes_engaged": 7, "actors_linked": 40, "communes_strengthened": 7}
ALL = Period()


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def need(topic: int, status: str, at: datetime, commune: str | None = "commune-anzi",
         organisation: str | None = None, skills: tuple[str, ...] = ()) -> StatusChange:
    return StatusChange(NEED, topic, status, at, commune=commune, organisation=organisation or commune,
                        skills=skills)


def intro(topic: int, expert: int | str, status: str, at: datetime, commune: str | None = "commune-anzi",
          organisation: str | None = None) -> StatusChange:
    key = f"user:{expert}" if isinstance(expert, int) else f"forgotten:{expert}"
    name = f"expert{expert}" if isinstance(expert, int) else None
    return StatusChange(INTRODUCTION, topic, status, at, expert=key, expert_username=name,
                        commune=commune, organisation=organisation or commune)


def match(topic: int, status: str, at: datetime) -> StatusChange:
    return StatusChange(MATCH, topic, status, at)


def impact_report(rows: list[StatusChange], period: Period, targets: dict[str, int]) -> ImpactReport:
    """The report of rows written as the repositories write them."""
    return report_of_rows(as_written(rows), period, targets)


def test_nothing_happened_gives_zeros_against_the_targets() -> None:
    report = impact_report([], ALL, TARGETS)

    assert {name: (k.value, k.target, k.members) for name, k in report.kpis.items()} == {
        "migrants_involved": (0, 40, ()), "communes_engaged": (0, 7, ()), "actors_linked": (0, 40, ()),
        "communes_strengthened": (0, 7, ())}
    assert report.median_days_to_answer is None and report.skill_gaps == ()
    assert set(report.needs_by_status.values()) == {0}


def test_a_migrant_counts_once_for_all_the_introductions_they_accepted() -> None:
    rows = [need(1, "open", day(0)), need(2, "open", day(0), commune="commune-tanalt"),
            intro(1, 42, "pending", day(1)), intro(2, 42, "pending", day(1), commune="commune-tanalt"),
            intro(1, 42, "accepted", day(2)), intro(2, 42, "accepted", day(3), commune="commune-tanalt"),
            intro(1, 43, "pending", day(1)), intro(1, 43, "declined", day(2))]

    report = impact_report(rows, ALL, TARGETS)

    assert report.kpis["migrants_involved"].value == 1
    assert report.kpis["migrants_involved"].members == ("expert42",)
    assert report.kpis["actors_linked"].members == ("commune-anzi", "commune-tanalt")
    assert report.introductions == {"proposed": 3, "accepted": 2, "declined": 1, "expired": 0, "withdrawn": 0}
    assert report.median_days_to_answer == 1.0  # waits of 1, 1 and 2 days


def test_period_bounds_hold_the_start_and_leave_out_the_end() -> None:
    rows = [need(1, "open", day(0)), intro(1, 42, "pending", day(0)),
            intro(1, 42, "accepted", day(10)), need(2, "open", day(20), commune="commune-tanalt"),
            intro(2, 43, "pending", day(20), commune="commune-tanalt"),
            intro(2, 43, "accepted", day(30), commune="commune-tanalt")]

    inside = impact_report(rows, Period(day(10), day(30)), TARGETS)

    assert inside.kpis["migrants_involved"].members == ("expert42",)  # accepted at the start: in
    assert inside.kpis["communes_engaged"].members == ("commune-tanalt",)  # anzi's need came before
    assert inside.introductions["proposed"] == 1 and inside.introductions["accepted"] == 1
    assert inside.needs_by_status["open"] == 1  # need 2, posted in the period, open at its end


def test_a_forgotten_expert_still_counts_without_a_name() -> None:
    rows = [need(1, "open", day(0)), intro(1, "3f9a", "pending", day(1)),
            intro(1, "3f9a", "accepted", day(2)),
            intro(1, 42, "pending", day(1)), intro(1, 42, "accepted", day(4))]

    report = impact_report(rows, ALL, TARGETS)

    assert report.kpis["migrants_involved"].value == 2
    assert report.kpis["migrants_involved"].members == ("expert42",)


def test_an_introduction_accepted_then_the_need_closed_still_counts() -> None:
    rows = [need(1, "open", day(0)), need(1, "matched", day(1)), intro(1, 42, "pending", day(1)),
            intro(1, 42, "accepted", day(2)), need(1, "in_progress", day(2)), need(1, "closed", day(9))]

    report = impact_report(rows, ALL, TARGETS)

    assert report.kpis["migrants_involved"].value == 1 and report.kpis["actors_linked"].value == 1
    assert report.kpis["communes_strengthened"].value == 0  # closed is not served nor funded
    assert report.needs_by_status["closed"] == 1 and report.needs_by_status["in_progress"] == 0


def test_two_needs_of_one_commune_make_one_commune() -> None:
    rows = [need(1, "open", day(0)), need(2, "open", day(1)), need(1, "served", day(5)),
            need(2, "funded", day(6))]

    report = impact_report(rows, ALL, TARGETS)

    assert report.kpis["communes_engaged"].value == 1
    assert report.kpis["communes_strengthened"].members == ("commune-anzi",)
    assert report.per_commune == {"commune-anzi": {"needs": 2, "accepted": 0, "strengthened": 2}}


def test_strengthened_counts_the_moment_the_need_became_served_or_funded() -> None:
    rows = [need(1, "open", day(0)), need(1, "served", day(5))]

    assert impact_report(rows, Period(day(6), None), TARGETS).kpis["communes_strengthened"].value == 0
    assert impact_report(rows, Period(day(5), day(6)), TARGETS).kpis["communes_strengthened"].value == 1
    assert impact_report(rows, Period(None, day(5)), TARGETS).needs_by_status["open"] == 1


def test_an_association_is_an_actor_not_a_commune() -> None:
    rows = [need(1, "open", day(0), commune=None, organisation="associations"),
            intro(1, 42, "pending", day(1), commune=None, organisation="associations"),
            intro(1, 42, "accepted", day(2), commune=None, organisation="associations")]

    report = impact_report(rows, ALL, TARGETS)

    assert report.kpis["communes_engaged"].value == 0
    assert report.kpis["actors_linked"].members == ("associations",)


def test_skill_gaps_are_the_skills_of_needs_still_open_at_the_end() -> None:
    rows = [need(1, "open", day(0), skills=("hydraulique", "topographie")),
            need(2, "open", day(0), skills=("hydraulique",)),
            need(3, "open", day(0), skills=("comptabilité",)),
            need(3, "matched", day(1), skills=("comptabilité",))]

    assert impact_report(rows, ALL, TARGETS).skill_gaps == (("hydraulique", 2), ("topographie", 1))
    assert impact_report(rows, Period(None, day(1)), TARGETS).skill_gaps[-1] == ("topographie", 1)
    assert ("comptabilité", 1) in impact_report(rows, Period(None, day(1)), TARGETS).skill_gaps


def test_a_need_s_organisation_is_its_commune_else_a_declared_actor_group() -> None:
    actors = frozenset({"associations", "cooperatives"})

    assert organisation_of(("experts", "commune-anzi"), actors, "commune-anzi") == "commune-anzi"
    assert organisation_of(("trust_level_1", "cooperatives"), actors, None) == "cooperatives"
    assert organisation_of(("trust_level_1",), actors, None) is None


def test_a_need_open_with_a_strong_candidate_is_no_skill_gap_while_it_has_one() -> None:
    rows = [need(1, "open", day(0), skills=("hydraulique",))]
    rows += [need(2, "open", day(0), skills=("topographie",))]
    rows += [match(1, "strong", day(1)), match(2, "weak", day(1)), match(1, "weak", day(5))]

    assert impact_report(rows, Period(None, day(3)), TARGETS).skill_gaps == (("topographie", 1),)
    assert impact_report(rows, ALL, TARGETS).skill_gaps == (("hydraulique", 1), ("topographie", 1))
