"""Dashboard benchmark: each page and `codev report`, p50/p95 and queries per page, beside a naive
baseline in the same process.

    .venv/bin/python bench/dashboard.py [--quick] [--postgres-url URL]

On PostgreSQL (--postgres-url or CODEV_TEST_POSTGRES_URL; a schema of its own is created and dropped,
nothing else is touched), it writes 10,000 needs, 100,000 experts and 50,000 introductions with their
status history (--quick: a tenth), then asks each page of the dashboard (Flask's test client, a
manager signed in) and runs `codev report --format json` (in process, as the command does:
settings, engine, one transaction, the domain) a number of times. Each page is timed on its first
view of a period (the period's figures counted by the database: adapters/db/history_tally.py, from
what history_need_ends keeps per need for all time) and on the next views (the figures kept while the
history has not changed: one small query checks it; services/dashboard.py FiguresCache). The list page
reads the rows behind its figure (the migrants: the acceptances alone; the open needs and a wait bar:
the period's facts, each need's rows and the answers); "results, one year" is a period with bounds,
whose counts are read from the period's rows. The
baseline is the dashboard built the naive way: the month-by-month figures by running the report once
per month, over history rows loaded as ORM objects, and each list's need titles read one query a
need. Goal: p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from sync_service.adapters.db.engine import make_engine  # noqa: E402
from sync_service.adapters.db.migrate import upgrade  # noqa: E402
from sync_service.adapters.db.tables import (  # noqa: E402
    ExpertRecord,
    IntroductionRecord,
    NeedRecord,
    StatusChangeRecord,
)
from sync_service.bootstrap import Codev  # noqa: E402
from sync_service.config.load import assemble  # noqa: E402
from sync_service.config.settings import DashboardSettings, Settings  # noqa: E402
from sync_service.domain.impact import Period, StatusChange  # noqa: E402
from sync_service.domain.impact_detail import month_of  # noqa: E402
from sync_service.domain.impact_tally import impact_report  # noqa: E402
from sync_service.entrypoints.cli import cli  # noqa: E402
from sync_service.entrypoints.web import build_app  # noqa: E402

START = datetime(2025, 1, 6, 9, tzinfo=UTC)
SKILLS = ["hydraulics", "rural_water_supply", "civil_engineering", "fundraising", "earth_architecture",
          "software_development", "public_finance", "agronomy", "solar_energy", "gis_mapping"]
SECTORS = ["drinking_water", "roads_structures", "buildings_heritage", "finance_procurement", "digital"]
PAGES = {"results": "/dashboard/", "needs": "/dashboard/needs", "introductions": "/dashboard/introductions",
         "gaps": "/dashboard/gaps", "list (migrants)": "/dashboard/list/kpi?key=migrants_involved",
         # the lists read from the period's facts (each need's rows, the answers, the acceptances)
         "list (open needs)": "/dashboard/list/status?key=open",
         "list (a wait bar)": "/dashboard/list/wait?key=3",
         # a period with bounds: what history_need_ends keeps of all time serves it only in part
         "results, one year": "/dashboard/?from=2025-07-01&to=2026-06-30"}
GOAL_MS = 200.0


def postgres_schema_url(base_url: str, schema: str) -> str:
    """The same database, with every table in `schema` (search_path set on each connection)."""
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}"


def fill(engine: Engine, needs: int, experts: int, introductions: int, seed: int = 12) -> int:
    """Needs, experts, introductions and the history rows the repositories would have written."""
    rng = random.Random(seed)
    communes = [f"commune-{i}" for i in range(60)]
    need_rows, history, intro_rows = [], [], []
    span = 600  # days
    for topic in range(1, needs + 1):
        posted = START + timedelta(days=span * topic / needs, minutes=rng.randrange(600))
        commune = communes[topic % len(communes)] if topic % 9 else None
        skills = rng.sample(SKILLS, 2)
        need_rows.append({"topic_id": topic, "title": f"Besoin {topic}", "author_user_id": 10_000_000 + topic,
                          "author_username": f"auteur{topic}", "commune_group": commune,
                          "organisation": commune or "associations", "sector": rng.choice(SECTORS),
                          "skills": skills, "languages": ["fr"], "status": "open", "post_version": 1,
                          "fetched_at": posted, "updated_at": posted})
        history.append(_row("need", topic, "open", posted, commune, skills))
    by_topic = {row["topic_id"]: row for row in need_rows}
    pairs: set[tuple[int, int]] = set()
    while len(intro_rows) < introductions:
        topic, expert = rng.randrange(1, needs + 1), rng.randrange(1, experts + 1)
        if (topic, expert) in pairs:
            continue
        pairs.add((topic, expert))
        need = by_topic[topic]
        opened = need["fetched_at"] + timedelta(days=rng.uniform(0.5, 20))
        answered = opened + timedelta(days=rng.choice([0.3, 1, 2, 4, 8, 15]))
        status = rng.choices(["accepted", "declined", "expired", "pending"], [3, 3, 2, 1])[0]
        intro_rows.append({"need_topic_id": topic, "expert_user_id": expert,
                           "expert_username": f"expert{expert}", "status": status, "reviewed": True,
                           "opened_at": opened,
                           "remind_at": opened + timedelta(days=7), "expire_at": opened + timedelta(days=14),
                           "answered_at": answered if status in ("accepted", "declined") else None,
                           "closed_at": None if status in ("accepted", "pending") else answered,
                           "last_post_number": 1})
        history.append(_row("introduction", topic, "pending", opened, need["commune_group"], need["skills"],
                            expert))
        if status != "pending":
            history.append({**_row("introduction", topic, status, answered, need["commune_group"],
                                   need["skills"], expert), "proposed_at": opened})
        if status == "accepted" and need["status"] in ("open", "matched"):
            need["status"] = rng.choice(["in_progress", "served", "funded"])
            history.append(_row("need", topic, "in_progress", answered, need["commune_group"],
                                need["skills"]))
            if need["status"] != "in_progress":
                history.append(_row("need", topic, need["status"], answered + timedelta(days=30),
                                    need["commune_group"], need["skills"]))
    with engine.begin() as connection:
        connection.execute(insert(NeedRecord), need_rows)
        for chunk in range(0, experts, 20_000):
            connection.execute(insert(ExpertRecord), [
                {"user_id": i, "username": f"expert{i}", "skills": rng.sample(SKILLS, 3),
                 "sectors": [rng.choice(SECTORS)], "languages": ["fr", "ar"], "modes": ["remote"],
                 "matchable": True, "fetched_at": START, "updated_at": START}
                for i in range(chunk + 1, min(chunk + 20_000, experts) + 1)])
        connection.execute(insert(IntroductionRecord), intro_rows)
        history.sort(key=lambda r: r["at"])
        for chunk in range(0, len(history), 20_000):
            connection.execute(insert(StatusChangeRecord), history[chunk:chunk + 20_000])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # as autovacuum leaves tables that have settled (their statistics, the visibility map)
        connection.execute(text("VACUUM ANALYZE status_history, history_need_ends, needs, introductions, "
                                "experts"))
        connection.execute(text("CHECKPOINT"))  # the fill's pages written out before anything is timed
    return len(history)


def _row(kind: str, topic: int, status: str, at: datetime, commune: str | None, skills: list[str],
         expert: int | None = None) -> dict[str, Any]:
    return {"kind": kind, "need_topic_id": topic, "status": status, "at": at,
            "expert_user_id": expert, "expert_username": f"expert{expert}" if expert else None,
            "commune_group": commune, "organisation": commune or "associations", "skills": skills,
            "proposed_at": None}


class Queries:
    """Counts the statements an engine runs."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args: Any) -> None:
        self.count += 1


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each run, after one warm-up run."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def naive_page(engine: Engine, codev: Codev) -> None:
    """The results and a list the naive way: ORM rows, the report once per month, a query per title."""
    targets = dataclasses.asdict(codev.settings.impact.targets)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        rows = [StatusChange(r.kind, r.need_topic_id, r.status, r.at.replace(tzinfo=UTC),
                             f"user:{r.expert_user_id}" if r.expert_user_id else None, r.expert_username,
                             r.commune_group, r.organisation, tuple(r.skills or ()),
                             r.proposed_at.replace(tzinfo=UTC) if r.proposed_at else None)
                for r in session.scalars(select(StatusChangeRecord).order_by(StatusChangeRecord.at))]
        months = sorted({month_of(r.at) for r in rows})
        for month in months:
            year, number = int(month[:4]), int(month[5:])
            end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
            impact_report(rows, Period(None, end), targets)
        report = impact_report(rows, Period(), targets)
        for _ in report.kpis["migrants_involved"].members[:200]:
            session.scalar(select(NeedRecord.title).where(NeedRecord.topic_id == rows[0].need_topic_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, fewer runs")
    parser.add_argument("--postgres-url", default=os.environ.get("CODEV_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.postgres_url:
        print("bench/dashboard.py: skipped, PostgreSQL needed (--postgres-url or CODEV_TEST_POSTGRES_URL)")
        return
    scale = 10 if args.quick else 1
    repeat = 5 if args.quick else 20
    schema = f"codev_bench_dash_{os.getpid()}"
    admin = make_engine(args.postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        run(postgres_schema_url(args.postgres_url, schema), scale, repeat)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(url: str, scale: int, repeat: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    rows = fill(engine, 10_000 // scale, 100_000 // scale, 50_000 // scale)
    print(f"data: {10_000 // scale} needs, {100_000 // scale} experts, {50_000 // scale} introductions, "
          f"{rows} history rows (written in {time.perf_counter() - started:.1f} s)")
    settings = dataclasses.replace(Settings(), database_url=url,
                                   dashboard=DashboardSettings("http://codev.bench", "bench-connect-secret"))
    codev = Codev(assemble(settings))
    client = build_app(codev).test_client()
    with client.session_transaction() as session:
        session["user"] = {"id": 1, "username": "bench", "staff": True}
    queries = Queries(codev.lazy_engine)
    cache = client.application.extensions["codev_dashboard"].cache
    print(f"{'what':<30}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}  goal p95 <= {GOAL_MS:.0f} ms")
    for name, path in PAGES.items():
        assert client.get(path).status_code == 200  # the process's first: templates compiled, not timed
        cold: list[float] = []
        for _ in range(repeat):
            cache.clear()
            before, started = queries.count, time.perf_counter()
            assert client.get(path).status_code == 200
            cold.append((time.perf_counter() - started) * 1000)
            cold_queries = queries.count - before
        before = queries.count
        assert client.get(path).status_code == 200
        warm_queries = queries.count - before
        _line(f"{name}: first view", cold, cold_queries)
        _line(f"{name}: next views", timed(lambda path=path: client.get(path), repeat), warm_queries)
    env = {"CODEV_DATABASE_URL": url}
    times = timed(lambda: CliRunner().invoke(cli, ["report", "--format", "json"], env=env), repeat)
    _line("codev report (json)", times, None)
    naive = timed(lambda: naive_page(codev.lazy_engine, codev), max(2, repeat // 5))
    _line("baseline: naive page", naive, None)
    codev.close()
    engine.dispose()


def _line(name: str, times: list[float], queries: int | None) -> None:
    mark = "" if p95(times) <= GOAL_MS else "  (over the goal)"
    shown = "" if queries is None else str(queries)
    print(f"{name:<30}{statistics.median(times):>9.1f}{p95(times):>9.1f}{shown:>9}{mark}")


if __name__ == "__main__":
    main()
