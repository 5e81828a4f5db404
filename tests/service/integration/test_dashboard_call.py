"""The call for experts on the dashboard (Flask's test client as the browser, the sample community in the
sandbox): the draft in the call's language, published through the outbox once, by the person signed
in, with CSRF; refusals in the reader's language. Discourse's limits: max_post_length 32000 and
max_topic_title_length 255 (config/site_settings.yml), compared with the raw text as sent
(lib/validators/stripped_length_validator.rb, discourse/discourse)."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from discourse_sandbox import Sandbox
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import OutboxIntent
from sync_service.bootstrap import Clocks, Codev
from sync_service.config.files import SAMPLE_SEED
from sync_service.config.settings import DashboardSettings, DiscourseSettings, Settings
from sync_service.entrypoints.web import build_app
from sync_service.services.outbox import SendPolicy, send_due
from tests.browser import world
from tests.configured import configured, packaged
from tests.conftest import ADMIN_API_KEY, start_sandbox
from tests.service.integration.test_dashboard_sign_in import (
    DASHBOARD,
    SECRET,
    Clock,
    at_forum,
    sign_in,
    start,
)

MANAGER = "youness.azougagh"  # a moderator in the sample community
MEMBER = "lahcen.oubaha"  # an expert: refused


@pytest.fixture(scope="module")
def forum() -> Iterator[Sandbox]:
    sandbox = start_sandbox(seed=str(packaged().path(SAMPLE_SEED)))
    with sandbox.state.transaction() as state:
        state.sso_secrets["codev.test"] = SECRET
    yield sandbox
    sandbox.stop()


@dataclasses.dataclass(frozen=True)
class Intent:
    key: str
    payload: dict[str, Any]
    topic_id: int | None


@dataclasses.dataclass
class Site:
    codev: Codev
    client: FlaskClient

    def intents(self) -> list[Intent]:
        """The topics queued: (key, payload, topic id once sent)."""
        o = OutboxIntent
        with self.codev.uow() as uow:
            rows = uow.session.execute(  # type: ignore[attr-defined]
                select(o.intent_key, o.payload, o.topic_id).where(o.kind == "create_topic")).all()
        return [Intent(key, payload, topic_id) for key, payload, topic_id in rows]


def make_site(forum: Sandbox, url: str) -> Iterator[Site]:
    upgrade(url)
    engine = make_engine(url)
    world.fill(engine, needs=14)
    engine.dispose()
    settings = dataclasses.replace(
        Settings(), database_url=url, discourse=DiscourseSettings(forum.base_url, ADMIN_API_KEY, "system"),
        dashboard=DashboardSettings(DASHBOARD, SECRET))
    codev = Codev(configured(settings), clocks=Clocks(now=Clock()))
    yield Site(codev, build_app(codev, secure_cookies=True).test_client())
    codev.close()


@pytest.fixture
def site(forum: Sandbox, tmp_path: Path) -> Iterator[Site]:
    yield from make_site(forum, f"sqlite:///{tmp_path / 'codev.db'}")


def token(page: str) -> str:
    marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def open_call(site: Site, language: str = "fr") -> tuple[str, str]:
    """The call page as the manager sees it: (its CSRF token, the draft in the textarea)."""
    page = site.client.get(f"/dashboard/call?language={language}").text
    draft = page.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    return token(page), html.unescape(draft)


def test_the_gaps_page_leads_to_a_draft_in_the_call_s_language(site: Site) -> None:
    sign_in(site.client, MANAGER)

    gaps = site.client.get("/dashboard/gaps").text
    french = site.client.get("/dashboard/call").text
    arabic = site.client.get("/dashboard/call?language=ar").text

    assert 'href="/dashboard/call"' in gaps and "Préparer un appel à experts" in gaps
    assert '<html lang="fr" dir="ltr">' in french and 'lang="fr" dir="ltr"' in french.split("<textarea")[1]
    assert "# Appel à experts de la diaspora : " in french.split("<textarea")[1]
    textarea = arabic.split("<textarea", 1)[1]
    assert '<html lang="fr" dir="ltr">' in arabic  # the reader's language; the call's is Arabic
    assert 'lang="ar" dir="rtl"' in textarea and "&lt;div dir=&#34;rtl&#34;" in textarea
    assert 'value="ar" checked' in arabic


def test_publishing_without_the_csrf_token_is_refused(site: Site) -> None:
    sign_in(site.client, MANAGER)
    _, draft = open_call(site)

    refused = site.client.post("/dashboard/call", data={"text": draft})
    forged = site.client.post("/dashboard/call", data={"text": draft, "csrf_token": "forged"})

    assert (refused.status_code, forged.status_code) == (400, 400)
    assert site.intents() == []


def test_someone_not_signed_in_cannot_publish_even_with_a_valid_token(site: Site) -> None:
    text = "# Appel à experts de la diaspora\n\nUn texte assez long pour le forum."
    anonymous = site.client.post("/dashboard/call", data={"text": text})

    refused = site.client.get(at_forum(start(site.client), MEMBER))  # the 403 page has the language form
    answer = site.client.post("/dashboard/call", data={"text": text, "csrf_token": token(refused.text)})

    assert anonymous.status_code == 400  # no session, no token
    assert refused.status_code == 403
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/discourse/login")
    assert site.intents() == []


def test_pressing_publish_twice_queues_one_topic_with_the_signed_in_username(
        forum: Sandbox, database_url: str) -> None:
    for site in make_site(forum, database_url):
        sign_in(site.client, MANAGER)
        csrf, draft = open_call(site, "ar")
        edited = draft.replace("\n\n", "\n\nمرحبا بكم، هذا نداء معدل.\n\n", 1)

        form = {"text": edited, "csrf_token": csrf, "language": "ar"}
        first = site.client.post("/dashboard/call", data=form)
        again = site.client.post("/dashboard/call", data=form)  # pressed twice, or the form resubmitted

        assert (first.status_code, again.status_code) == (303, 303)
        first_query = parse_qs(urlsplit(first.headers["Location"]).query)
        again_query = parse_qs(urlsplit(again.headers["Location"]).query)
        assert first_query["key"] == again_query["key"] and again_query["again"] == ["1"]
        [intent] = site.intents()
        category = site.codev.gateway.category_id("pratiques")
        assert intent.payload["decided_by"] == MANAGER and intent.payload["category"] == category
        assert "مرحبا بكم، هذا نداء معدل." in intent.payload["raw"]
        confirmation = html.unescape(site.client.get(again.headers["Location"]).text)
        assert "il ne paraîtra qu'une fois" in confirmation


def test_an_empty_or_too_long_call_is_refused_in_the_reader_s_language(site: Site) -> None:
    sign_in(site.client, MANAGER)
    csrf, draft = open_call(site)

    empty = site.client.post("/dashboard/call", data={"text": "  \n", "csrf_token": csrf})
    untitled = site.client.post("/dashboard/call", data={"text": "Pas de titre\n\ntexte", "csrf_token": csrf})
    long = site.client.post("/dashboard/call", data={"text": draft + "x" * 32000, "csrf_token": csrf})
    switch = {"lang": "ar", "next": "/dashboard/call", "csrf_token": csrf}
    site.client.post("/dashboard/language", data=switch)
    arabic = site.client.post("/dashboard/call", data={"text": "", "csrf_token": csrf})

    assert [r.status_code for r in (empty, untitled, long, arabic)] == [400] * 4
    assert "L'appel est vide" in html.unescape(empty.text)
    assert "La première ligne doit être le titre" in untitled.text
    assert "le forum en accepte 32000 au plus" in long.text and "x" * 100 in long.text  # the text is kept
    assert "النداء فارغ" in arabic.text and 'dir="rtl"' in arabic.text
    assert site.intents() == []


def test_the_confirmation_says_queued_then_links_the_topic_once_the_outbox_sent_it(site: Site) -> None:
    sign_in(site.client, MANAGER)
    csrf, draft = open_call(site)
    queued = site.client.post("/dashboard/call", data={"text": draft, "csrf_token": csrf})
    where = queued.headers["Location"]

    before = html.unescape(site.client.get(where).text)
    codev = site.codev
    report = send_due(codev.uow, codev.writer, "test", codev.clocks.now, SendPolicy(settle_seconds=0))
    after = site.client.get(where).text

    assert "il apparaîtra dans la catégorie « pratiques » du forum d'ici une minute" in before
    assert report.sent == 1
    [intent] = site.intents()
    assert f'href="{forum_url(site)}/t/{intent.topic_id}"' in after and "Voir le sujet" in after
    assert site.client.get("/dashboard/call/queued?key=call:nothing").status_code == 404


def forum_url(site: Site) -> str:
    return site.codev.settings.discourse.url.rstrip("/")
