"""The plugin's components rendered outside Discourse (ember-source's renderComponent, stubs for the
Discourse imports; discourse_plugin/harness) in headless Chromium, in French and Arabic, with the
contract's example payloads. Screenshots go to var/screenshots/plugin/."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.plugin import tooling

STATUS_WORDS = {
    "fr": ["Ouvert", "Suggestion proposée", "En cours", "Servi", "Financé", "Clos"],
    "ar": ["مفتوحة", "اقتراح مقدَّم", "قيد الإنجاز", "تمت تلبيتها", "تم تمويلها", "مغلقة"],
}


@pytest.fixture(scope="module")
def harness(node_modules: None) -> Iterator[str]:
    result = tooling.npx("vite", "build", "--config", "harness/vite.config.mjs")
    assert result.returncode == 0, tooling.report(result)
    handler = functools.partial(_QuietHandler, directory=str(tooling.HARNESS_OUT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser_page(harness: str) -> Iterator[Page]:
    tooling.require_program(str(tooling.CHROMIUM), "chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(tooling.CHROMIUM),
                                             args=tooling.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 820, "height": 600})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(harness)
        page.wait_for_function("window.codevHarnessReady === true", timeout=10_000)
        yield page
        browser.close()
        assert not errors, errors


def render(page: Page, case: str, locale: str) -> None:
    page.evaluate("([name, locale]) => codevHarness.render(name, locale)", [case, locale])


def shoot(page: Page, case: str, locale: str, name: str | None = None) -> None:
    tooling.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = tooling.SCREENSHOTS / f"{name or case}-{locale}.png"
    page.locator(f".harness-case--{case}").screenshot(path=str(path))


def requests(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate("JSON.parse(JSON.stringify(codevHarness.requests))")
    return found


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_status_badge_for_each_status_in_the_readers_language(browser_page: Page, locale: str) -> None:
    page = browser_page
    render(page, "statuses", locale)
    badges = page.locator(".topic-list .codev-need-status")
    assert badges.all_inner_texts() == STATUS_WORDS[locale]
    assert page.locator(".fancy-title .codev-need-status").inner_text() == STATUS_WORDS[locale][0]
    statuses = [b.get_attribute("data-codev-status") for b in badges.all()]
    assert statuses == ["open", "matched", "in_progress", "served", "funded", "closed"]
    title = page.locator(".fancy-title").bounding_box()
    badge = page.locator(".fancy-title .codev-need-status").bounding_box()
    assert title and badge
    if locale == "ar":  # after the title, that is on its left
        assert badge["x"] < title["x"] + title["width"] / 2
    else:
        assert badge["x"] > title["x"] + title["width"] / 2
    shoot(page, "statuses", locale)


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_staff_panel_lists_candidates_with_reasons_and_approves(browser_page: Page, locale: str) -> None:
    page = browser_page
    render(page, "panel", locale)
    rows = page.locator(".codev-candidate")
    assert rows.count() == 3
    first = rows.nth(0)
    assert first.locator(".codev-candidate__name").inner_text() == "Fatima El Idrissi"
    reason = "ingénieure hydraulicienne" if locale == "fr" else "مهندسة في الهيدروليك"
    assert first.locator(".codev-candidate__reasons li").first.inner_text() == reason
    assert first.locator(".codev-candidate__flag.--volunteered").count() == 1
    assert rows.nth(1).locator(".codev-candidate__flag.--elsewhere").count() == 1
    # only proposed candidates can be approved; the third was already asked
    assert page.locator(".codev-candidate__approve").count() == 2
    assert rows.nth(2).locator(".codev-candidate__state").count() == 1
    assert page.locator(".codev-volunteers li").count() == 2
    panel = page.locator(".codev-candidates")
    side = "right" if locale == "ar" else "left"
    assert panel.evaluate(f"e => getComputedStyle(e).border{side.title()}Width") == "4px"
    shoot(page, "panel", locale)

    page.evaluate("codevHarness.answers.push({review_topic_id: 412, tag: 'approuver-2'})")
    rows.nth(1).locator(".codev-candidate__approve").click()
    page.wait_for_selector(".codev-candidate__sent")
    sent = requests(page)
    assert [(r["url"], r["type"]) for r in sent] == [("/codev/topics/401/approve.json", "POST")]
    assert json.loads(sent[0]["data"]) == {"username": "youssef.amrani", "version": "sha1:3f2a9c0d"}
    assert "approuver-2" in rows.nth(1).inner_text()
    assert page.locator(".codev-candidate__approve").count() == 1


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_offer_button_offers_then_withdraws(browser_page: Page, locale: str) -> None:
    page = browser_page
    render(page, "offer", locale)
    assert page.locator(".codev-candidates").count() == 0  # no candidates for an expert
    button = page.locator(".codev-offer__button")
    assert button.inner_text() == ("Je peux aider" if locale == "fr" else "يمكنني المساعدة")
    shoot(page, "offer", locale)
    button.click()
    page.wait_for_selector(".codev-offer__withdraw")
    shoot(page, "offer", locale, name="offered")
    page.locator(".codev-offer__withdraw").click()
    page.wait_for_selector(".codev-offer__button")
    assert [(r["url"], r["type"]) for r in requests(page)] == [
        ("/codev/topics/401/offer.json", "POST"), ("/codev/topics/401/offer.json", "DELETE")]


@pytest.mark.parametrize(("locale", "word"), [("fr", "J'accepte"), ("ar", "أقبل")])
def test_expert_answers_an_introduction_in_one_click(browser_page: Page, locale: str, word: str) -> None:
    page = browser_page
    render(page, "answer", locale)
    shoot(page, "answer", locale)
    page.locator(".codev-answer__accept").click()
    page.wait_for_selector(".codev-answer__sent")
    sent = requests(page)
    assert [(r["url"], r["type"]) for r in sent] == [("/posts.json", "POST")]
    raw = sent[0]["data"]["raw"]
    assert sent[0]["data"]["topic_id"] == 88
    assert raw.startswith(word) and len(raw) >= 20  # the service reads the word; Discourse's minimum


def test_decline_reply_is_long_enough(browser_page: Page) -> None:
    page = browser_page
    render(page, "answer", "fr")
    page.locator(".codev-answer__decline").click()
    page.wait_for_selector(".codev-answer__sent")
    assert requests(page)[0]["data"]["raw"] == "Je décline cette mise en relation, merci"


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_user_card_shows_skills_languages_availability(browser_page: Page, locale: str) -> None:
    page = browser_page
    render(page, "card", locale)
    rows = page.locator(".codev-expert-card__row")
    assert rows.count() == 3
    skills = "Hydraulique, Eau potable" if locale == "fr" else "الهيدروليك، الماء الصالح للشرب"
    assert page.locator(".codev-expert-card__row.--skills dd").inner_text() == skills
    shoot(page, "card", locale)
