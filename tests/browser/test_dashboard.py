"""The dashboard in a real headless Chromium: a community manager signs in through the sandbox's
DiscourseConnect provider, reads each page, follows a figure to its list and switches to Arabic (right
to left) and prepares, edits and publishes a call for experts; a member who is not staff is refused.
Screenshots of each page, in French and Arabic, go to var/artifacts/dashboard/."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

from discourse_sandbox import Sandbox
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import OutboxIntent
from sync_service.bootstrap import Codev
from sync_service.config.files import SAMPLE_SEED
from sync_service.config.settings import DashboardSettings, DiscourseSettings, Settings
from sync_service.entrypoints.web import build_app
from sync_service.services.outbox import SendPolicy, send_due
from tests import paths
from tests.browser import world
from tests.configured import configured, packaged
from tests.conftest import ADMIN_API_KEY, start_sandbox
from tests.plugin import tooling

ARTIFACTS = paths.ROOT / "var" / "artifacts" / "dashboard"
SECRET = "browser-connect-secret-0123"
MANAGER = "youness.azougagh"  # animateurs, in the sample community
MEMBER = "lahcen.oubaha"  # an expert: not staff, not a manager
CONSOLE_ERRORS: list[str] = []
PAGES = {"results": "/dashboard/", "needs": "/dashboard/needs", "introductions": "/dashboard/introductions",
         "gaps": "/dashboard/gaps"}


@dataclasses.dataclass
class Site:
    forum: str
    dashboard: str
    codev: Codev


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    sandbox: Sandbox = start_sandbox(seed=str(packaged().path(SAMPLE_SEED)))
    with sandbox.state.transaction() as state:
        state.sso_secrets["127.0.0.1"] = SECRET  # discourse_connect_provider_secrets: 127.0.0.1|<secret>
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'codev.db'}"
    upgrade(url)
    engine = make_engine(url)
    world.fill(engine)
    engine.dispose()
    server = make_server("127.0.0.1", 0, app=None, threaded=True)  # type: ignore[arg-type]
    dashboard = f"http://127.0.0.1:{server.server_port}"
    settings = dataclasses.replace(Settings(), database_url=url,
                                   discourse=DiscourseSettings(sandbox.base_url, ADMIN_API_KEY, "system"),
                                   dashboard=DashboardSettings(dashboard, SECRET))
    codev = Codev(configured(settings))
    server.app = build_app(codev, secure_cookies=False)  # plain HTTP on the loopback, as in the demo
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Site(sandbox.base_url, dashboard, codev)
    server.shutdown()
    codev.close()
    sandbox.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    tooling.require_program(str(tooling.CHROMIUM), "chromium")
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(tooling.CHROMIUM), args=tooling.CHROMIUM_ARGS)
        yield found
        found.close()


def signed_in(browser: Browser, site: Site, username: str) -> Page:
    """A new browser: the dashboard sends it to the forum, where the person signs in, and back."""
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    # a violation of the pages' Content-Security-Policy shows as a console error
    page.on("console", lambda m: CONSOLE_ERRORS.append(m.text) if m.type == "error" else None)
    page.goto(site.dashboard + "/dashboard/")
    assert page.url.startswith(site.forum)  # the forum asks who you are (its login page)
    page.goto(f"{site.forum}/_sandbox_login?username={username}")  # continues the pending sign-in
    return page


def shoot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_a_community_manager_reads_every_page_follows_a_figure_and_switches_to_arabic(
        browser: Browser, site: Site) -> None:
    page = signed_in(browser, site, MANAGER)
    assert page.url == site.dashboard + "/dashboard/"
    assert page.locator("h1").inner_text() == "Les quatre résultats attendus"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("a.kpi").count() == 4
    assert page.locator(".months svg.chart").count() == 4
    assert MANAGER in page.locator(".who").inner_text()

    headings = {"needs": "Besoins", "introductions": "De la proposition au résultat",
                "gaps": "Compétences manquantes"}
    for name, path in PAGES.items():
        page.goto(site.dashboard + path)
        assert page.locator("nav.pages a[aria-current=page]").get_attribute("data-page") == name
        if name in headings:
            assert page.locator("h1").inner_text() == headings[name]
        assert page.locator("svg.chart").count() >= 1
        shoot(page, f"{name}-fr")
    assert page.locator("#call-for-experts").is_visible()

    page.goto(site.dashboard + "/dashboard/")
    migrants = page.locator("a.kpi[data-kpi=migrants_involved]")
    value = int(migrants.locator(".value").inner_text())
    migrants.click()
    assert "/dashboard/list/kpi" in page.url
    assert page.locator("h1").inner_text() == "Migrants impliqués dans des projets de développement"
    assert page.locator("ul.listing li").count() == value
    first = page.locator("a.topic").first
    assert first.get_attribute("href", timeout=1000).startswith(f"{site.forum}/t/")  # type: ignore[union-attr]
    shoot(page, "list-fr")

    page.goto(site.dashboard + "/dashboard/needs")
    page.locator("svg.chart a.bar").first.click()  # a bar of the chart opens its list too
    assert "/dashboard/list/status" in page.url and page.locator("a.topic").count() >= 1

    page.goto(site.dashboard + "/dashboard/")
    page.locator("button[data-lang=ar]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1").inner_text() == "النتائج الأربع المنتظرة"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    width = page.viewport_size["width"] if page.viewport_size else 1200
    brand = page.locator(".brand").bounding_box()
    card = page.locator("a.kpi").first.bounding_box()
    assert brand is not None and card is not None
    assert brand["x"] + brand["width"] > width * 0.6  # the title starts on the right
    assert card["x"] + card["width"] > width * 0.6  # the first result is the rightmost
    border = page.locator("a.kpi").first.evaluate("e => getComputedStyle(e).borderRightWidth")
    assert border == "5px"  # border-inline-start lands on the right
    shoot(page, "results-ar")
    for name, path in PAGES.items():
        if name != "results":
            page.goto(site.dashboard + path)
            assert page.locator("html").get_attribute("dir") == "rtl"
            shoot(page, f"{name}-ar")
    page.goto(site.dashboard + "/dashboard/")
    shoot(page, "results-ar")
    page.locator("a.kpi[data-kpi=communes_engaged]").click()
    assert page.locator("ul.listing li").count() >= 1
    shoot(page, "list-ar")
    page.goto(site.dashboard + "/dashboard/")
    page.locator("button[data-lang=fr]").click()
    page.wait_for_load_state()
    shoot(page, "results-fr")
    page.locator(".sign-out button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Déconnecté"
    page.close()
    # (the sandbox has no /login page and no favicon: those 404s are not the dashboard's)
    assert [e for e in CONSOLE_ERRORS if "Content Security Policy" in e] == []


def test_a_member_who_is_not_staff_is_refused(browser: Browser, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 600})
    page.goto(f"{site.forum}/_sandbox_login?username={MEMBER}")
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/auth/discourse/callback" in r.url else None)
    page.goto(site.dashboard + "/dashboard/")
    assert statuses == [403]
    assert page.locator("h1").inner_text() == "Accès refusé"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("a.kpi").count() == 0
    shoot(page, "refused-fr")
    page.close()


def test_a_community_manager_prepares_edits_and_publishes_a_call_for_experts(
        browser: Browser, site: Site) -> None:
    page = signed_in(browser, site, MANAGER)
    page.goto(site.dashboard + "/dashboard/gaps")
    page.locator("a[data-action=prepare-call]").click()
    assert page.url == site.dashboard + "/dashboard/call"
    assert page.locator("h1").inner_text() == "Préparer un appel à experts"
    text = page.locator("#call-text")
    assert text.input_value().startswith("# Appel à experts de la diaspora : ")
    shoot(page, "call-fr")

    page.locator("input[name=language][value=ar]").check()  # the call in Arabic, the page still in French
    page.locator("button[data-action=change-language]").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert text.get_attribute("dir") == "rtl" and text.input_value().startswith("# نداء")
    page.locator("button[data-lang=ar]").click()  # the reader switches too: back to the same call page
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "إعداد نداء للخبراء"
    assert page.evaluate("getComputedStyle(document.querySelector('#call-text')).direction") == "rtl"
    width = page.viewport_size["width"] if page.viewport_size else 1200
    button = page.locator("button[data-action=publish-call]").bounding_box()
    assert button is not None and button["x"] + button["width"] > width * 0.6  # starts on the right
    opening = '<div dir="rtl" lang="ar">\n\n'  # the forum shows the text right to left within it
    edited = text.input_value().replace(opening, opening + "مرحبا بكم: نداء راجعه فريق التنشيط.\n\n", 1)
    text.fill(edited)
    text.evaluate("e => { e.scrollTop = 0; e.setSelectionRange(0, 0); }")  # the title in the picture
    shoot(page, "call-ar")

    page.locator("button[data-action=publish-call]").dblclick()  # pressed twice
    page.wait_for_url("**/dashboard/call/queued?**")
    assert page.locator("h1").inner_text() == "أُرسل النداء للخبراء"
    assert "pratiques" in page.locator(".queued").inner_text()
    shoot(page, "call-queued-ar")
    with site.codev.uow() as uow:
        key = parse_qs(urlsplit(page.url).query)["key"][0]
        row = uow.outbox.find(key)
        assert row is not None and row.payload["decided_by"] == MANAGER
        assert "مرحبا بكم: نداء راجعه فريق التنشيط." in row.payload["raw"]
        calls = uow.session.scalar(select(func.count()).select_from(OutboxIntent).where(  # type: ignore[attr-defined]
            OutboxIntent.kind == "create_topic"))
        assert calls == 1  # one intent, the button pressed twice
    codev = site.codev
    sent = send_due(codev.uow, codev.writer, "browser", codev.clocks.now, SendPolicy(settle_seconds=0))
    assert sent.sent == 1
    page.reload()
    link = page.locator(".queued a.topic")
    assert (link.get_attribute("href") or "").startswith(f"{site.forum}/t/")
    shoot(page, "call-sent-ar")
    page.locator("button[data-lang=fr]").click()
    page.wait_for_load_state()
    page.close()
