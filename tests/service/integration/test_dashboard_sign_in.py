"""Signing in to the dashboard through the sandbox's DiscourseConnect provider (Flask's test client as
the browser): who gets in, and every answer that must be refused. The provider side follows
SessionController#sso_provider and lib/discourse_connect_base.rb (discourse/discourse), as the sandbox
plays them (discourse_sandbox/models/sso.py)."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from discourse_sandbox import Sandbox
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.discourse import sso
from sync_service.bootstrap import Clocks, Codev
from sync_service.config.settings import DashboardSettings, DiscourseSettings, Settings
from sync_service.entrypoints.web import build_app
from tests.configured import configured
from tests.conftest import start_sandbox

SECRET = "dashboard-connect-secret-0123"
DASHBOARD = "http://codev.test"
SEED = """
groups:
  - {name: animateurs, full_name: Animateurs}
  - {name: coordination, full_name: Coordination}
  - {name: experts, full_name: Experts}
users:
  - {username: karima.manager, name: Karima, email: karima@example.org, groups: [animateurs]}
  - {username: driss.coord, name: Driss, email: driss@example.org, groups: [coordination]}
  - {username: said.expert, name: Said, email: said.expert@example.org, groups: [experts]}
  - {username: mina.admin, name: Mina, email: mina@example.org, admin: true}
  - {username: omar.mod, name: Omar, email: omar@example.org, moderator: true}
sso_secrets:
  codev.test: dashboard-connect-secret-0123
"""


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(scope="module")
def forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    seed = tmp_path_factory.mktemp("seed") / "seed.yaml"
    seed.write_text(SEED, encoding="utf-8")
    sandbox = start_sandbox(seed=str(seed))
    yield sandbox
    sandbox.stop()


@dataclasses.dataclass
class Site:
    """codev's web app on one database, pointed at the sandbox."""

    app: Flask
    clock: Clock
    forum: Sandbox

    def browser(self) -> FlaskClient:
        return self.app.test_client()


def make_site(forum: Sandbox, database_url: str, clock: Clock, *, secret: str = SECRET,
              coordinators: str = "coordination", secure: bool = True) -> Site:
    base = Settings()
    settings = dataclasses.replace(
        base, database_url=database_url, discourse=DiscourseSettings(forum.base_url, "unused-key", "system"),
        dashboard=DashboardSettings(DASHBOARD, secret),
        forum=dataclasses.replace(base.forum, coordinators_group=coordinators))
    codev = Codev(configured(settings), clocks=Clocks(now=clock))
    return Site(build_app(codev, secure_cookies=secure), clock, forum)


@pytest.fixture
def site(forum: Sandbox, tmp_path: Path) -> Site:
    url = f"sqlite:///{tmp_path / 'codev.db'}"
    upgrade(url)
    return make_site(forum, url, Clock())


def start(browser: FlaskClient, next_path: str = "/dashboard/") -> str:
    """The forum URL the dashboard sends the browser to."""
    answer = browser.get("/auth/discourse/login?" + urlencode({"next": next_path}))
    assert answer.status_code == 302
    return answer.headers["Location"]


def at_forum(forum_url: str, username: str) -> str:
    """The forum, the person signed in there, answers; the callback path and query it redirects to."""
    answer = requests.get(forum_url, cookies={"_sandbox_user": username}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == DASHBOARD
    return f"{location.path}?{location.query}"


def sign_in(browser: FlaskClient, username: str, next_path: str = "/dashboard/") -> tuple[int, str]:
    answer = browser.get(at_forum(start(browser, next_path), username))
    return answer.status_code, answer.headers.get("Location", "")


@pytest.mark.parametrize("username", ["karima.manager", "driss.coord", "mina.admin", "omar.mod"])
def test_staff_managers_and_coordinators_get_in(site: Site, username: str) -> None:
    browser = site.browser()
    assert sign_in(browser, username) == (302, "/dashboard/")

    page = browser.get("/dashboard/")
    assert page.status_code == 200
    assert gc.isenabled()  # paused while the page was made (services/report.py), on again after
    assert "Migrants impliqués dans des projets de développement" in page.text
    assert username in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_a_member_who_is_not_staff_sees_the_french_403_page(site: Site) -> None:
    browser = site.browser()
    status, _ = sign_in(browser, "said.expert")
    assert status == 403
    again = browser.get("/dashboard/")
    assert again.status_code == 302  # no session was opened
    page = browser.get(at_forum(start(browser), "said.expert"))
    assert page.status_code == 403 and 'lang="fr"' in page.text
    assert "Ce tableau de bord est réservé" in page.text


def test_the_403_page_is_in_the_language_chosen_before(site: Site) -> None:
    browser = site.browser()
    browser.get("/dashboard/")  # sends to sign-in; take a CSRF token from a page that has the form
    token = _token(browser.get("/auth/discourse/callback").text)
    browser.post("/dashboard/language", data={"lang": "ar", "next": "/dashboard/", "csrf_token": token})
    status_page = browser.get(at_forum(start(browser), "said.expert"))
    assert status_page.status_code == 403
    assert 'dir="rtl"' in status_page.text and "الدخول مرفوض" in status_page.text


def test_without_a_session_every_page_sends_to_the_forum(site: Site) -> None:
    browser = site.browser()
    for path in ("/dashboard/", "/dashboard/needs", "/dashboard/gaps", "/dashboard/list/kpi?key=x"):
        answer = browser.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/discourse/login")
    forum_url = start(browser)
    assert forum_url.startswith(site.forum.base_url + "/session/sso_provider?")
    query = parse_qs(urlsplit(forum_url).query)
    assert sso.sign(SECRET, query["sso"][0]) == query["sig"][0]
    assert sso.decode(query["sso"][0])["return_sso_url"] == DASHBOARD + "/auth/discourse/callback"


def _answer_parts(callback: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}


def test_a_tampered_payload_is_refused(site: Site) -> None:
    browser = site.browser()
    parts = _answer_parts(at_forum(start(browser), "said.expert"))
    fields = sso.decode(parts["sso"]) | {"admin": "true"}
    forged = sso.encode(fields)  # the same signature over another payload
    answer = browser.get("/auth/discourse/callback?" + urlencode({"sso": forged, "sig": parts["sig"]}))
    assert answer.status_code == 400 and "La connexion a été refusée" in answer.text
    assert browser.get("/dashboard/").status_code == 302


def test_a_payload_signed_with_another_secret_is_refused(site: Site) -> None:
    browser = site.browser()
    parts = _answer_parts(at_forum(start(browser), "said.expert"))
    fields = sso.decode(parts["sso"]) | {"admin": "true"}
    forged = sso.signed_request("not-the-secret-at-all", fields)
    assert browser.get("/auth/discourse/callback?" + urlencode(forged)).status_code == 400
    assert browser.get("/auth/discourse/callback").status_code == 400  # nothing at all


def test_an_answer_for_another_return_url_is_refused(site: Site) -> None:
    browser = site.browser()
    parts = _answer_parts(at_forum(start(browser), "karima.manager"))
    fields = sso.decode(parts["sso"]) | {"return_sso_url": "https://evil.example/auth/discourse/callback"}
    answer = browser.get("/auth/discourse/callback?" + urlencode(sso.signed_request(SECRET, fields)))
    assert answer.status_code == 400


def test_a_replayed_answer_is_refused_by_every_web_process(forum: Sandbox, database_url: str) -> None:
    url = database_url
    upgrade(url)
    clock = Clock()
    first, second = make_site(forum, url, clock), make_site(forum, url, clock)
    browser = first.browser()
    callback = at_forum(start(browser), "karima.manager")
    cookie = browser.get_cookie("codev_session")
    assert cookie is not None
    assert browser.get(callback).status_code == 302  # signed in once

    # the same answer with the cookie as it was before: another process, and the first one again
    for app in (second.app, first.app):
        thief = app.test_client()
        thief.set_cookie("codev_session", cookie.value, domain="localhost")
        assert thief.get(callback).status_code == 400
        assert thief.get("/dashboard/").status_code == 302


def test_an_answer_for_another_browser_is_refused(site: Site) -> None:
    mine, other = site.browser(), site.browser()
    callback = at_forum(start(mine), "karima.manager")
    start(other)
    assert other.get(callback).status_code == 400


def test_an_expired_nonce_is_refused(site: Site) -> None:
    browser = site.browser()
    callback = at_forum(start(browser), "karima.manager")
    site.clock.at += timedelta(minutes=11)
    assert browser.get(callback).status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/dashboard/", "/\\evil.example",
                                    "/elsewhere", "javascript:alert(1)"])
def test_a_return_path_to_another_site_is_not_followed(site: Site, target: str) -> None:
    browser = site.browser()
    assert sign_in(browser, "karima.manager", target) == (302, "/dashboard/")


def test_a_return_path_within_the_dashboard_is_followed(site: Site) -> None:
    browser = site.browser()
    assert sign_in(browser, "karima.manager", "/dashboard/needs?from=2026-01-01") == (
        302, "/dashboard/needs?from=2026-01-01")


def _token(page: str) -> str:
    marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_forms_without_their_csrf_token_are_refused(site: Site) -> None:
    browser = site.browser()
    sign_in(browser, "karima.manager")
    token = _token(browser.get("/dashboard/").text)

    assert browser.post("/dashboard/sign-out").status_code == 400
    assert browser.post("/dashboard/language", data={"lang": "ar"}).status_code == 400
    assert browser.post("/dashboard/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert browser.get("/dashboard/").status_code == 200  # still signed in

    switched = browser.post("/dashboard/language", data={"lang": "en", "next": "/dashboard/needs",
                                                          "csrf_token": token})
    assert (switched.status_code, switched.headers["Location"]) == (303, "/dashboard/needs")
    assert "Needs posted in the period" in browser.get("/dashboard/needs").text
    assert browser.post("/dashboard/sign-out", data={"csrf_token": token}).status_code == 200
    assert browser.get("/dashboard/").status_code == 302


def test_the_session_cookie_is_httponly_samesite_and_secure(site: Site) -> None:
    browser = site.browser()
    callback = at_forum(start(browser), "karima.manager")
    answer = browser.get(callback, base_url="https://localhost")
    header = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("codev_session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header


def test_the_demo_s_cookie_is_not_secure(forum: Sandbox, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    demo = make_site(forum, url, Clock(), secure=False)
    browser = demo.browser()
    answer = browser.get(at_forum(start(browser), "karima.manager"))
    header = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("codev_session="))
    assert "HttpOnly" in header and "Secure" not in header


def test_no_e_mail_address_is_kept_or_shown(site: Site) -> None:
    browser = site.browser()
    callback = at_forum(start(browser), "karima.manager")
    assert "karima@example.org" in sso.decode(_answer_parts(callback)["sso"]).values()  # the forum sends it
    browser.get(callback)
    cookie = browser.get_cookie("codev_session")
    assert cookie is not None
    session = site.app.session_interface.get_signing_serializer(site.app).loads(cookie.value)  # type: ignore[attr-defined]
    assert session["user"] == {"id": session["user"]["id"], "username": "karima.manager", "staff": False}
    assert "@" not in str(session)
    for path in ("/dashboard/", "/dashboard/needs", "/dashboard/introductions", "/dashboard/gaps"):
        assert "@example.org" not in browser.get(path).text


def test_without_the_secret_the_dashboard_says_it_is_off(forum: Sandbox, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'off.db'}"
    upgrade(url)
    off = make_site(forum, url, Clock(), secret="")
    browser = off.browser()
    for path in ("/dashboard/", "/auth/discourse/login", "/auth/discourse/callback"):
        answer = browser.get(path)
        assert answer.status_code == 503 and "CODEV_DISCOURSE_CONNECT_SECRET" in answer.text
