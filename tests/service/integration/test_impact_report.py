"""The impact report end to end on SQLite and PostgreSQL: a small scripted story played by the real use
cases (brokerage, answers, forget) on the SQL unit of work writes the history, and `codev report
--format json` and the dashboard's pages give the figures this test counts by hand from the story."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.bootstrap import Codev
from sync_service.config.settings import DashboardSettings, Settings
from sync_service.domain.brokerage import Introduction, ReviewThread
from sync_service.domain.needs import NeedDetails
from sync_service.entrypoints.cli import cli
from sync_service.entrypoints.dashboard import pages
from sync_service.entrypoints.web import build_app
from sync_service.services.forget import forget_person
from tests.configured import configured
from tests.service.unit.brokerage_world import (
    AUTHOR,
    AUTHOR_ID,
    FATIMA,
    HASSAN,
    LAHCEN,
    MANAGER,
    NEED,
    OTHER_NEED,
    THIRD_NEED,
    USERNAMES,
    World,
    day,
)


@dataclass
class SqlWorld(World):
    """The brokerage world on the SQL unit of work instead of the fakes."""

    engine: Engine | None = None

    def uow(self) -> SqlUnitOfWork:  # type: ignore[override]
        assert self.engine is not None
        return SqlUnitOfWork(self.engine)

    def need(self, topic_id: int = NEED) -> NeedDetails:
        with self.uow() as uow:
            stored = uow.needs.get(topic_id)
        assert stored is not None
        return stored.details

    def review(self, topic_id: int = NEED) -> ReviewThread:
        with self.uow() as uow:
            thread = uow.reviews.get(topic_id)
        assert thread is not None
        return thread

    def intro(self, expert: int, topic_id: int = NEED) -> Introduction:
        with self.uow() as uow:
            found = uow.introductions.get(topic_id, expert)
        assert found is not None
        return found


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def post_need(world: SqlWorld, topic_id: int, at: int, group: str | None, organisation: str) -> None:
    need = NeedDetails(topic_id, f"Besoin {topic_id}", AUTHOR_ID, AUTHOR, commune_group=group,
                       organisation=organisation, skills=(f"compétence {topic_id}",))
    with world.uow() as uow:
        uow.needs.save(need, day(at), day(at))
        uow.commit()


def approve_and_answer(world: SqlWorld, topic_id: int, expert: int, approved: int, answered: int,
                       answer: str) -> None:
    world.rank(topic_id, expert)
    world.refresh(topic_id, day(approved))
    world.send(day(approved))
    review = world.review_topic(topic_id)
    world.forum.post(review.topic_id, MANAGER, f"approuver {USERNAMES[expert]}")
    assert world.read(review.topic_id, day(approved)) == "approved"
    world.send(day(approved))
    pm = world.pm(expert, topic_id)
    world.forum.post(pm.topic_id, USERNAMES[expert], answer)
    world.read(pm.topic_id, day(answered))


def story(engine: Engine) -> SqlWorld:
    """T0 is 2026-12-01 09:00 UTC; day(n) n days later.
    - day 0: Anzi posts needs 7 and 8; day 3: the association posts need 9.
    - need 7: Lahcen approved day 1, accepts day 2; the manager marks it served day 5.
    - need 8: Fatima approved day 1, declines day 4.
    - need 9: Hassan approved day 3, accepts day 6; then Hassan is forgotten (day 8)."""
    world = SqlWorld(engine=engine)
    for user_id in (LAHCEN, FATIMA, HASSAN):
        world.add_expert(user_id)
    post_need(world, NEED, 0, "commune-anzi", "commune-anzi")
    post_need(world, OTHER_NEED, 0, "commune-anzi", "commune-anzi")
    post_need(world, THIRD_NEED, 3, None, "associations")
    approve_and_answer(world, NEED, LAHCEN, 1, 2, "J'accepte")
    approve_and_answer(world, OTHER_NEED, FATIMA, 1, 4, "Je décline, désolée")
    world.ranker.put(OTHER_NEED)  # nobody else fits
    world.refresh(OTHER_NEED, day(4))
    approve_and_answer(world, THIRD_NEED, HASSAN, 3, 6, "J'accepte")
    world.forum.post(world.review_topic(NEED).topic_id, MANAGER, "servi, merci")
    world.read(world.review_topic(NEED).topic_id, day(5))
    with world.uow() as uow:
        forget_person(uow, HASSAN, USERNAMES[HASSAN], day(8), gone=True)
        uow.commit()
    return world


def report(database_url: str, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["report", "--format", "json", *args],
                                env={"CODEV_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def test_the_story_s_history_is_written_by_the_use_cases(engine: Engine) -> None:
    world = story(engine)

    with world.uow() as uow:
        rows = [(r.kind, r.need_topic_id, r.status, r.at) for r in uow.history.changes()]
    assert ("need", NEED, "served", day(5)) in rows
    assert ("introduction", OTHER_NEED, "declined", day(4)) in rows
    assert ("match", THIRD_NEED, "strong", day(3)) in rows  # a strong candidate while it looked
    assert [r for r in rows if r[1] == THIRD_NEED and r[0] != "match"] == [
        ("need", THIRD_NEED, "open", day(3)), ("introduction", THIRD_NEED, "pending", day(3)),
        ("need", THIRD_NEED, "matched", day(3)), ("introduction", THIRD_NEED, "accepted", day(6)),
        ("need", THIRD_NEED, "in_progress", day(6))]


def test_codev_report_json_gives_the_figures_of_the_story(engine: Engine, database_url: str) -> None:
    story(engine)

    whole = report(database_url)
    window = report(database_url, "--from", "2026-12-03", "--to", "2026-12-06")
    anonymous = report(database_url, "--anonymous")

    # by hand: Lahcen and Hassan accepted (Hassan forgotten: counted, not named); Anzi posted needs 7
    # and 8, the association need 9; Anzi's need 7 was served.
    assert whole == {
        "from": None, "to": None,
        "kpis": {
            "migrants_involved": {"value": 2, "target": 40, "members": ["lahcen.oubaha"]},
            "communes_engaged": {"value": 1, "target": 7, "members": ["commune-anzi"]},
            "actors_linked": {"value": 2, "target": 40, "members": ["associations", "commune-anzi"]},
            "communes_strengthened": {"value": 1, "target": 7, "members": ["commune-anzi"]},
        },
        "needs": {"by_status": {"open": 1, "matched": 0, "in_progress": 1, "served": 1, "funded": 0,
                                "closed": 0}},
        # answers after 1 (Lahcen), 3 (Fatima) and 3 (Hassan) days
        "introductions": {"proposed": 3, "accepted": 2, "declined": 1, "expired": 0, "withdrawn": 0,
                          "median_days_to_answer": 3.0},
        "skill_gaps": [{"skill": "compétence 8", "needs": 1}],
        "experiences": {"received": 0, "published": 0},
        "campaigns": [],  # no recruitment campaign in this story (tests/service/e2e/test_campaign_story.py)
    }
    # 3 to 6 December, both included: Lahcen accepts (Dec 3), Fatima declines (Dec 5), need 7 served
    # (Dec 6), the association posts (Dec 4); Hassan accepts on Dec 7, after the period
    assert window["from"] == "2026-12-03" and window["to"] == "2026-12-06"
    assert {name: kpi["value"] for name, kpi in window["kpis"].items()} == {
        "migrants_involved": 1, "communes_engaged": 0, "actors_linked": 1, "communes_strengthened": 1}
    assert window["needs"]["by_status"]["matched"] == 1  # need 9, Hassan not answered yet on Dec 6
    assert window["introductions"] == {"proposed": 1, "accepted": 1, "declined": 1, "expired": 0,
                                       "withdrawn": 0, "median_days_to_answer": 2.0}
    assert all(kpi["members"] == [] for kpi in anonymous["kpis"].values())


def test_codev_report_refuses_a_period_that_ends_before_it_starts(database_url: str, engine: Engine) -> None:
    result = CliRunner().invoke(cli, ["report", "--from", "2026-12-06", "--to", "2026-12-01"],
                                env={"CODEV_DATABASE_URL": database_url})

    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("codev: --from 2026-12-06 comes after")


def test_codev_report_md_csv_and_html_speak_the_locale(database_url: str, engine: Engine) -> None:
    story(engine)
    runner = CliRunner()
    env = {"CODEV_DATABASE_URL": database_url}

    md = runner.invoke(cli, ["report", "--format", "md"], env=env).output
    csv = runner.invoke(cli, ["report", "--format", "csv", "--locale", "en"], env=env).output
    page = runner.invoke(cli, ["report", "--format", "html", "--locale", "ar", "--anonymous"], env=env).output

    assert "| Migrants impliqués dans des projets de développement | 2 | 40 | lahcen.oubaha |" in md
    assert "| commune-anzi | 2 | 1 | 1 |" in md
    assert "résultats" not in csv and "Migrants involved in development projects,2,40,lahcen.oubaha" in csv
    assert 'dir="rtl"' in page and "@page { size: A4" in page and "lahcen" not in page
    assert "مهاجرون منخرطون في مشاريع التنمية" in page


def _dashboard(database_url: str) -> FlaskClient:
    """The dashboard on the story's database, a community manager already signed in (signing in is
    tested in test_dashboard_sign_in.py)."""
    settings = dataclasses.replace(Settings(), database_url=database_url,
                                   dashboard=DashboardSettings("http://codev.test", "story-connect-secret"))
    client = build_app(Codev(configured(settings))).test_client()
    with client.session_transaction() as session:
        session["user"] = {"id": 1, "username": MANAGER, "staff": False}
    return client


def _values(page: str, attribute: str) -> dict[str, int]:
    """attribute value -> the figure shown beside it (data-kpi="x" ... <span class="value">N)."""
    found = re.findall(rf'{attribute}="([^"]+)"[^>]*>\s*<span class="value">(\d+)', page)
    return {name: int(value) for name, value in found}


def _bars(page: str) -> dict[str, int]:
    """list key -> the value of its bar, from the charts' links."""
    return {unquote_plus(m[0]): int(m[1])
            for m in re.findall(r'<a href="/dashboard/list/[a-z-]+\?key=([^"&]*)[^"]*" class="bar" '
                                r'data-value="(\d+)"', page)}


def test_the_dashboard_shows_the_figures_of_the_story(engine: Engine, database_url: str) -> None:
    story(engine)
    client = _dashboard(database_url)

    results = client.get("/dashboard/").text
    needs = client.get("/dashboard/needs").text
    funnel = client.get("/dashboard/introductions").text
    gaps = client.get("/dashboard/gaps").text
    migrants = client.get("/dashboard/list/kpi?key=migrants_involved").text
    window = client.get("/dashboard/?from=2026-12-03&to=2026-12-06").text

    # the same figures as counted by hand in the test above
    assert _values(results, "data-kpi") == {"migrants_involved": 2, "communes_engaged": 1,
                                            "actors_linked": 2, "communes_strengthened": 1}
    assert re.findall(r'data-month="([^"]+)" data-value="(\d+)"', results) == [
        ("2026-12", "2"), ("2026-12", "1"), ("2026-12", "2"), ("2026-12", "1")]
    assert _bars(needs) == {"open": 1, "matched": 0, "in_progress": 1, "served": 1, "funded": 0, "closed": 0,
                            "commune-anzi": 2, "": 1}
    # proposed 3, accepted 2; served or funded: need 7; answers after 1, 3 and 3 days
    assert list(_bars(funnel).values())[:3] == [3, 2, 1]
    assert {k: v for k, v in _bars(funnel).items() if k in ("1", "3", "7", "14", "more")} == {
        "1": 1, "3": 2, "7": 0, "14": 0, "more": 0}
    assert "Délai médian de réponse : 3 jours" in funnel
    assert _bars(gaps) == {"compétence 8": 1, "": 1, "commune-anzi": 1}  # need 8; its sector is not known
    # Lahcen by name, with his need; Hassan forgotten: counted, without a name
    assert "<strong class=\"label\">lahcen.oubaha</strong>" in migrants
    assert f'data-topic="{NEED}"' in migrants and "(personne effacée à sa demande)" in migrants
    assert "hassan" not in migrants.lower()
    assert _values(window, "data-kpi") == {"migrants_involved": 1, "communes_engaged": 0, "actors_linked": 1,
                                           "communes_strengthened": 1}


def test_a_long_list_comes_a_page_at_a_time(engine: Engine, database_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    story(engine)
    monkeypatch.setattr(pages, "LIST_PAGE", 1)
    client = _dashboard(database_url)

    first = client.get("/dashboard/list/kpi?key=migrants_involved").text
    second = client.get("/dashboard/list/kpi?key=migrants_involved&page=2").text

    assert "Lignes 1 à 1 sur 2" in first and "lahcen.oubaha" in first and 'rel="next"' in first
    assert "Lignes 2 à 2 sur 2" in second and "lahcen.oubaha" not in second and 'rel="prev"' in second
