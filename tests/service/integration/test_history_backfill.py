"""Migration 0011 backfills the status history from the needs and introductions already stored, on
SQLite and PostgreSQL, with the best time the tables know (docs/impact.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.domain.impact import Period
from sync_service.domain.impact_tally import impact_report

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


NEED_ROW = ("INSERT INTO needs (topic_id, title, commune_group, skills, languages, status, post_version, "
            "fetched_at, updated_at) VALUES (:id, 'Besoin', :group, :skills, '[]', :status, 1, :at, :at)")
INTRO_ROW = ("INSERT INTO introductions (need_topic_id, expert_user_id, expert_username, status, reviewed, "
             "opened_at, remind_at, expire_at, answered_at, closed_at, last_post_number) VALUES "
             "(:need, :expert, :name, :status, true, :opened, :opened, :opened, :answered, :answered, 1)")


def test_the_backfill_gives_each_need_and_introduction_its_statuses(database_url: str) -> None:
    upgrade(database_url, "0010")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(NEED_ROW), [
            {"id": 7, "group": "commune-anzi", "skills": '["hydraulique"]', "status": "served", "at": day(9)},
            {"id": 8, "group": "commune-tanalt", "skills": '["topographie"]', "status": "open",
             "at": day(4)}])
        conn.execute(text(INTRO_ROW), [
            {"need": 7, "expert": 42, "name": "lahcen.oubaha", "status": "accepted", "opened": day(1),
             "answered": day(3)},
            {"need": 8, "expert": 43, "name": "fatima.z", "status": "declined", "opened": day(2),
             "answered": day(4)}])
    upgrade(database_url)

    with SqlUnitOfWork(engine) as uow:
        rows = [(r.kind, r.need_topic_id, r.status, r.at, r.expert) for r in uow.history.changes()]
        proposed = [r.proposed_at for r in uow.history.changes() if r.kind == "introduction"]
        organisation = uow.needs.get(7).details.organisation  # type: ignore[union-attr]
        report = impact_report(uow.history.changes(), Period(), {})
    engine.dispose()
    assert organisation == "commune-anzi"
    assert rows == [
        ("need", 7, "open", day(1), None),  # posted at its first introduction, before its last update
        ("introduction", 7, "pending", day(1), "user:42"),
        ("need", 8, "open", day(2), None),
        ("introduction", 8, "pending", day(2), "user:43"),
        ("need", 7, "in_progress", day(3), None),  # at the accepted answer
        ("introduction", 7, "accepted", day(3), "user:42"),
        ("introduction", 8, "declined", day(4), "user:43"),
        ("need", 7, "served", day(9), None),  # at the need's last update
    ]
    assert report.kpis["communes_engaged"].members == ("commune-anzi", "commune-tanalt")
    assert report.kpis["communes_strengthened"].members == ("commune-anzi",)
    assert report.kpis["migrants_involved"].members == ("lahcen.oubaha",)
    assert proposed == [None, None, day(1), day(2)] and report.median_days_to_answer == 2.0  # 0021


HISTORY_ROW = ("INSERT INTO status_history (kind, need_topic_id, status, at, expert_user_id, expert_key, "
               "skills) VALUES ('introduction', :need, :status, :at, :user, :key, '[]')")


def test_migration_0021_gives_each_answer_the_moment_of_its_first_proposal_before_it(
        database_url: str) -> None:
    upgrade(database_url, "0019")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(HISTORY_ROW), [
            {"need": 7, "status": "pending", "at": day(1), "user": None, "key": "k" * 64},
            {"need": 7, "status": "pending", "at": day(2), "user": 42, "key": None},  # another expert
            {"need": 7, "status": "accepted", "at": day(5), "user": None, "key": "k" * 64},
            {"need": 7, "status": "expired", "at": day(9), "user": 42, "key": None},
            {"need": 8, "status": "declined", "at": day(3), "user": 42, "key": None},  # never proposed
            {"need": 8, "status": "pending", "at": day(4), "user": 42, "key": None}])  # after the answer
    upgrade(database_url)

    with SqlUnitOfWork(engine) as uow:
        found = [(r.need_topic_id, r.status, r.proposed_at) for r in uow.history.changes()]
    engine.dispose()
    assert found == [(7, "pending", None), (7, "pending", None), (8, "declined", None), (8, "pending", None),
                     (7, "accepted", day(1)), (7, "expired", day(2))]
