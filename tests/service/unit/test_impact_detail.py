"""The dashboard's figures beside the report's (domain/impact_detail.py): the same definitions, by month
and with the need topics behind each figure; and the pure parts of the dashboard's sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_service.domain.impact import INTRODUCTION, NEED, Period, StatusChange, facts_of, introduction_rows
from sync_service.domain.impact_detail import (
    ImpactLists,
    gaps_by,
    impact_detail,
    lists_of,
    proposals,
    wait_groups,
)
from sync_service.domain.impact_tally import GapNeed, impact_report
from sync_service.domain.needs import NeedDetails
from sync_service.entrypoints.dashboard.auth import Person, Refused, local_path, person_of
from sync_service.services.dashboard import FiguresCache, titles
from sync_service.services.report import ReportRequest
from tests.service.unit.fakes.records import FakeStore
from tests.service.unit.fakes.unit_of_work import FakeUnitOfWork
from tests.service.unit.history_rows import as_written

TARGETS = {"migrants_involved": 40, "communes_engaged": 7, "actors_linked": 40, "communes_strengthened": 7}


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def need(topic: int, status: str, when: datetime, commune: str | None = "commune-anzi",
         skills: tuple[str, ...] = ("hydraulics",)) -> StatusChange:
    return StatusChange(NEED, topic, status, when, commune=commune, organisation=commune or "associations",
                        skills=skills)


def intro(topic: int, status: str, when: datetime, expert: str = "user:1",
          name: str | None = "lahcen") -> StatusChange:
    return StatusChange(INTRODUCTION, topic, status, when, expert=expert, expert_username=name,
                        commune="commune-anzi", organisation="commune-anzi")


HISTORY = as_written([
    need(1, "open", at(1, 5)), intro(1, "pending", at(1, 6)), need(1, "matched", at(1, 6)),
    intro(1, "accepted", at(1, 8)), need(1, "in_progress", at(1, 8)), need(1, "served", at(3, 2)),
    need(2, "open", at(2, 1), commune="commune-tanalt", skills=("fundraising", "hydraulics")),
    need(3, "open", at(3, 9), commune=None),
    intro(3, "pending", at(3, 10), expert="forgotten:abc", name=None), need(3, "matched", at(3, 10), None),
    intro(3, "accepted", at(3, 30), expert="forgotten:abc", name=None),
    need(3, "in_progress", at(3, 30), None),
])


def lists(period: Period) -> ImpactLists:
    return lists_of(facts_of(HISTORY, period))


def test_each_result_s_members_are_the_report_s_with_the_topics_behind_them() -> None:
    report = impact_report(HISTORY, Period(), TARGETS)
    listed = lists(Period())

    for name, kpi in report.kpis.items():
        assert len(listed.members[name]) == kpi.value
    migrants = listed.members["migrants_involved"]
    assert [(m.label, m.topics) for m in migrants] == [("lahcen", (1,)), (None, (3,))]  # forgotten last
    assert [(m.label, m.topics) for m in listed.members["communes_engaged"]] == [
        ("commune-anzi", (1,)), ("commune-tanalt", (2,))]


def test_results_by_month_are_reached_at_each_month_s_end() -> None:
    detail = impact_detail(HISTORY, Period())

    assert detail.months == ("2026-01", "2026-02", "2026-03")
    assert detail.by_month["migrants_involved"] == (1, 1, 2)
    assert detail.by_month["communes_engaged"] == (1, 2, 2)
    assert detail.by_month["communes_strengthened"] == (0, 0, 1)


def test_a_period_counts_from_its_start_month() -> None:
    period = Period(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    detail = impact_detail(HISTORY, period)

    assert detail.months == ("2026-02", "2026-03")
    assert detail.by_month["migrants_involved"] == (0, 1)  # Lahcen accepted in January: not this period
    listed = lists(period)
    assert listed.needs_by_status["open"] == (2,) and listed.needs_by_status["in_progress"] == (3,)
    assert impact_report(HISTORY, period, TARGETS).needs_by_status["in_progress"] == 1


def test_needs_by_commune_and_status_and_the_gaps_by_skill_sector_and_commune() -> None:
    detail = impact_detail(HISTORY, Period(), sectors={2: "finance_procurement"})

    assert detail.needs_by_commune == {"": {"in_progress": 1}, "commune-anzi": {"served": 1},
                                       "commune-tanalt": {"open": 1}}
    assert lists(Period()).needs_by_commune == {"": {"in_progress": (3,)}, "commune-anzi": {"served": (1,)},
                                                "commune-tanalt": {"open": (2,)}}
    assert detail.gaps == (
        GapNeed(2, ("fundraising", "hydraulics"), "commune-tanalt", "finance_procurement"),)
    assert gaps_by(detail.gaps, "skill") == (("fundraising", (2,)), ("hydraulics", (2,)))
    assert gaps_by(detail.gaps, "sector") == (("finance_procurement", (2,)),)
    assert gaps_by([GapNeed(5, (), None, None)], "commune") == (("", (5,)),)


def test_the_funnel_and_the_answer_times() -> None:
    detail = impact_detail(HISTORY, Period())

    assert [p.topic for p in proposals(introduction_rows(HISTORY, Period(), "pending"))] == [1, 3]
    assert [p.expert for p in proposals(introduction_rows(HISTORY, Period(), "accepted"))] == ["lahcen", None]
    assert detail.strengthened == 1 and lists(Period()).strengthened == (1,)
    assert lists(Period()).waits == wait_groups(facts_of(HISTORY, Period()).waits) == (
        ("1", ()), ("3", (1,)), ("7", ()), ("14", ()), ("more", (3,)))
    assert detail.wait_bars == (("1", 0), ("3", 1), ("7", 0), ("14", 0), ("more", 1))


@pytest.mark.parametrize(("target", "expected"), [
    ("/dashboard/needs?from=2026-01-01", "/dashboard/needs?from=2026-01-01"),
    ("https://evil.example/dashboard/", "/dashboard/"), ("//evil.example/dashboard/", "/dashboard/"),
    ("/\\evil.example", "/dashboard/"), ("/dashboard/\nSet-Cookie: x", "/dashboard/"),
    ("/healthz", "/dashboard/"), (None, "/dashboard/"), ("javascript:alert(1)", "/dashboard/"),
])
def test_only_paths_of_the_dashboard_are_followed_after_signing_in(target: str | None, expected: str) -> None:
    assert local_path(target) == expected


def test_who_may_enter() -> None:
    allowed = frozenset({"animateurs", "coordination"})
    assert Person(1, "a", admin=True, moderator=False, groups=()).may_enter(allowed)
    assert Person(2, "m", admin=False, moderator=True, groups=()).may_enter(allowed)
    assert Person(3, "k", admin=False, moderator=False,
                  groups=("trust_level_1", "animateurs")).may_enter(allowed)
    assert not Person(4, "s", admin=False, moderator=False, groups=("experts",)).may_enter(allowed)


def test_the_person_keeps_no_e_mail_address() -> None:
    person = person_of({"external_id": "7", "username": "karima", "email": "k@example.org", "name": "Karima",
                        "admin": "false", "moderator": "true", "groups": "animateurs,trust_level_2"})
    assert person == Person(7, "karima", False, True, ("animateurs", "trust_level_2"))
    with pytest.raises(Refused):
        person_of({"external_id": "x", "username": "karima"})


def test_a_period_s_figures_are_kept_while_the_history_is_unchanged() -> None:
    store = FakeStore()
    calls: list[int] = []

    def make_uow() -> FakeUnitOfWork:
        calls.append(1)
        return FakeUnitOfWork(store)

    def post(topic: int, when: datetime) -> None:
        with make_uow() as uow:
            uow.needs.save(NeedDetails(topic, f"Besoin {topic}", 9, "auteur", commune_group="commune-anzi",
                                       organisation="commune-anzi"), when, when)
            uow.commit()

    cache, request, now = FiguresCache(timedelta(seconds=60)), ReportRequest(), at(5, 1)
    post(1, at(1, 5))
    first = cache.figures(make_uow, request, TARGETS, b"pepper", now)
    again = cache.figures(make_uow, request, TARGETS, b"pepper", now + timedelta(seconds=30))
    assert again is first  # computed once
    post(2, at(1, 6))
    changed = cache.figures(make_uow, request, TARGETS, b"pepper", now + timedelta(seconds=31))
    assert changed is not first and changed.report.needs_by_status["open"] == 2
    later = cache.figures(make_uow, request, TARGETS, b"pepper", now + timedelta(seconds=120))
    assert later is not changed  # too old: computed again
    assert titles(make_uow, [2, 9])[2].title == "Besoin 2"
