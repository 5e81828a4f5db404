"""Every post codev writes, in French, Arabic and English: filled, instructive, marked, user text inert."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse_sandbox.core.cooking import cook, plain_text
from sync_service.domain import posts
from sync_service.domain.i18n import Translator
from sync_service.domain.posts import Answer, CandidateView, NeedView
from sync_service.domain.safe_text import clean
from tests.configured import packaged
from tests.service.unit.test_safe_text import COOK, MD, USER_TEXT, Cooked, problems, walk

T: Translator = packaged().translator
LOCALES = ("fr", "ar", "en")
NEED = NeedView(
    topic_id=42,
    title="Forage d'un puits à Aït Baha",
    text="Le douar manque d'eau potable l'été.\nNous cherchons un hydraulicien.",
    commune="Aït Baha",
    province="Chtouka-Aït Baha",
    author_username="president_ait_baha",
)
CANDIDATES = (
    CandidateView("hassan.k", "Hassan K.", "strong", ("compétences : hydrogéologie", "parle amazighe"),
                  "codev approuver hassan.k", "approuve-hassan"),
    CandidateView("leila_m", None, "good", ("à distance",), "codev approuver leila_m"),
)
ANSWER = Answer("codev accepte", "codev refuse", date(2026, 12, 6))
Render = Callable[[str], str]
RENDERERS: dict[str, Render] = {
    "review": lambda loc: posts.review_thread(T, NEED, CANDIDATES, loc, "review:42:v1"),
    "introduction": lambda loc: posts.introduction(
        T, NEED, "hassan.k", ["parle amazighe"], ANSWER, loc, "intro:42:hassan.k"),
    "reminder": lambda loc: posts.reminder(T, NEED, ANSWER, loc, "reminder:42:hassan.k:1"),
    "expiry": lambda loc: posts.expiry(T, NEED, loc, "expiry:42:hassan.k"),
    "digest": lambda loc: posts.digest(T, [NEED, NEED], loc, "digest:7:2026-11-29"),
}
ENGLISH_WORDS = re.compile(r"(?i)\b(the|and|with|reply|approve|candidates?|please|hello|need|thank|see)\b")
FRENCH_WORDS = re.compile(r"(?i)\b(le|la|les|pour|avec|répondez|candidats?|merci|bonjour|besoin|voir)\b")


def visible_template_text(raw: str) -> str:
    """The text of the post outside code spans, link targets, HTML and the need's own words: what the
    catalogue wrote."""
    text = " ".join(t.content for t in walk(MD.parse(raw)) if t.type == "text")
    for data in (NEED.title, NEED.text, NEED.commune, NEED.province):
        text = text.replace(clean(data), "")
    return text


def seen(raw: str) -> str:
    """The text a reader sees once Discourse cooked the post."""
    return Cooked(COOK.render(raw)).text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", RENDERERS)
def test_every_post_is_filled_and_ends_with_its_marker(name: str, locale: str) -> None:
    raw = RENDERERS[name](locale)

    assert not re.search(r"\{[a-z_]+\}", raw)
    assert raw.rstrip().endswith(" -->")
    assert raw.count("<!-- codev:intent:") == 1
    assert problems(raw) == []


@pytest.mark.parametrize("name", RENDERERS)
def test_french_posts_hold_no_english(name: str) -> None:
    text = visible_template_text(RENDERERS[name]("fr"))

    assert ENGLISH_WORDS.findall(text) == []


@pytest.mark.parametrize("name", RENDERERS)
def test_english_and_arabic_posts_hold_no_french_template_words(name: str) -> None:
    for locale in ("en", "ar"):
        text = visible_template_text(RENDERERS[name](locale))
        # Reasons and place names are data in French here; only the catalogue's words are checked.
        text = text.replace("parle amazighe", "").replace("compétences : hydrogéologie", "")
        text = text.replace("à distance", "")

        assert FRENCH_WORDS.findall(text) == [], locale


@pytest.mark.parametrize("name", RENDERERS)
def test_arabic_posts_are_wrapped_right_to_left_with_the_marker_outside(name: str) -> None:
    raw = RENDERERS[name]("ar")

    assert raw.startswith('<div dir="rtl" lang="ar">\n\n')
    assert raw.index("</div>") < raw.index("<!-- codev:intent:")
    assert '<div dir="rtl"' not in RENDERERS[name]("fr")


@pytest.mark.parametrize("locale", LOCALES)
def test_review_thread_lists_candidates_with_reasons_and_approval(locale: str) -> None:
    raw = RENDERERS["review"](locale)

    assert raw.index("hassan.k") < raw.index("leila_m")
    assert "[hassan\\.k](/u/hassan.k)" in raw and "hassan.k Hassan K." in seen(raw)
    # words a community manager reads at a glance, not a bare percentage
    strong, good = (T.translate(f"review.band.{b}", locale) for b in ("strong", "good"))
    assert strong in seen(raw) and good in seen(raw) and "%" not in seen(raw)
    assert "review.no_strong" not in raw and T.translate("review.no_strong", locale)[1:20] not in raw
    assert "compétences : hydrogéologie" in seen(raw) and "- compétences" in raw
    assert "` codev approuver hassan.k `" in raw and "` codev approuver leila_m `" in raw
    assert raw.count(T.translate("review.approve", locale, command="")) == 2
    assert "` approuve-hassan `" in raw
    assert "[Forage d\\'un puits à Aït Baha](/t/42)" in raw


def test_a_list_without_a_strong_candidate_says_so() -> None:
    weak = [CandidateView("leila_m", None, "possible", ("à distance",), "codev approuver leila_m")]
    raw = posts.review_thread(T, NEED, weak, "fr", "review:42:v2")

    assert "correspondance possible, à vérifier" in seen(raw)
    assert "Aucun candidat ne correspond pleinement pour l" in seen(raw)


def test_review_thread_without_candidates_says_so() -> None:
    raw = posts.review_thread(T, NEED, [], "fr", "review:42:v2")

    assert T.translate("review.none", "fr") in raw
    assert "approuver" not in raw


@pytest.mark.parametrize(("locale", "heading"), [("fr", "### 2 candidats"), ("en", "### 2 candidates"),
                                                  ("ar", "### مرشحان")])
def test_candidate_count_is_plural_aware(locale: str, heading: str) -> None:
    assert heading in RENDERERS["review"](locale)


@pytest.mark.parametrize(("locale", "day"), [("fr", "6 décembre 2026"), ("en", "6 December 2026"),
                                              ("ar", "6 دجنبر 2026")])
def test_introduction_says_what_why_who_and_how_to_answer(locale: str, day: str) -> None:
    raw = RENDERERS["introduction"](locale)

    assert "Le douar manque d'eau potable l'été. Nous cherchons un hydraulicien." in seen(raw)
    assert "- parle amazighe" in raw
    assert "(/u/hassan.k)" in raw and "(/u/president_ait_baha)" in raw
    assert "` codev accepte `" in raw and "` codev refuse `" in raw
    assert day in raw


@pytest.mark.parametrize("locale", LOCALES)
def test_reminder_repeats_how_to_answer(locale: str) -> None:
    raw = RENDERERS["reminder"](locale)

    assert "` codev accepte `" in raw and "` codev refuse `" in raw and "](/t/42)" in raw


def test_expiry_is_courteous_and_names_the_need() -> None:
    raw = RENDERERS["expiry"]("fr")

    assert "Merci pour votre temps" in raw and "Forage d'un puits à Aït Baha" in seen(raw)


@pytest.mark.parametrize(("locale", "intro"), [("fr", "les 2 nouveaux besoins"), ("en", "the 2 new needs"),
                                                ("ar", "الحاجتين الجديدتين")])
def test_digest_lists_each_need_with_a_link(locale: str, intro: str) -> None:
    raw = RENDERERS["digest"](locale)

    assert intro in raw
    assert raw.count("](/t/42)") == 2


def test_a_direct_introduction_does_not_claim_a_review() -> None:
    raw = posts.introduction(T, NEED, "hassan.k", ["parle amazighe"], ANSWER, "fr", "intro:1", reviewed=False)

    assert T.translate("intro.why_direct", "fr") in raw
    assert "approuvé" not in raw


def test_an_empty_digest_is_refused() -> None:
    with pytest.raises(ValueError):
        posts.digest(T, [], "fr", "digest:1")


def test_titles_name_the_need_on_one_line() -> None:
    need = NeedView(7, "Puits\n@bob [quote]")

    assert posts.review_title(T, need, "fr") == "Candidats pour le besoin n° 7 : Puits @bob [quote]"
    assert posts.introduction_title(T, need, "en") == "Introduction: Puits @bob [quote]"
    assert posts.digest_title(T, 1, "fr") == "Un nouveau besoin correspond à votre profil"


def test_an_invalid_username_is_quoted_without_a_link() -> None:
    raw = posts.introduction(T, NEED, "x](http://evil)", [], ANSWER, "fr", "intro:1")

    assert "x](http://evil)" in seen(raw)
    assert problems(raw) == []


@pytest.mark.parametrize("key", ["", "a b", "x-->", "<b>", "a" * 129, "-a", "a\nb"])
def test_bad_intent_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        posts.marker(key)


def test_the_marker_is_the_one_the_outbox_looks_for() -> None:
    from sync_service.services import outbox

    assert posts.marker("intro:42:hassan.k") == outbox.marker("intro:42:hassan.k")
    assert outbox.with_marker(RENDERERS["expiry"]("fr"), "expiry:42:hassan.k") == RENDERERS["expiry"]("fr")


def test_the_marker_stays_in_raw_and_out_of_sight_once_cooked() -> None:
    raw = RENDERERS["review"]("fr")

    assert posts.has_marker(raw, "review:42:v1")
    assert not posts.has_marker(raw, "review:42:v2")
    assert "codev:intent" not in plain_text(cook(raw))


def _structure(raw: str) -> list[tuple[str, str, int]]:
    """The post's elements; text and emoji (which user text may hold) left out."""
    return [(t.type, t.tag, t.nesting) for t in walk(COOK.parse(raw, {"known_usernames": None}))
            if t.type not in ("text", "emoji")]


def _render_all(text: str, name: str | None, command: str, locale: str) -> list[str]:
    need = NeedView(9, text, text, "Tafraout", "Tiznit", "fatima")
    candidate = CandidateView("ahmed", name, "possible", ("parle arabe",), command, command)
    answer = Answer(command, command, date(2026, 1, 31))
    return [
        posts.review_thread(T, need, [candidate], locale, "k:1"),
        posts.introduction(T, need, "ahmed", ["parle arabe"], answer, locale, "k:2"),
        posts.reminder(T, need, answer, locale, "k:3"),
        posts.expiry(T, need, locale, "k:4"),
        posts.digest(T, [need], locale, "k:5"),
    ]


@settings(max_examples=60, deadline=None)
@given(USER_TEXT, USER_TEXT, USER_TEXT, st.sampled_from(LOCALES))
def test_user_text_never_changes_a_post_structure_nor_wakes_discourse_syntax(
    text: str, name: str, command: str, locale: str
) -> None:
    rendered = _render_all(text, name, command, locale)
    # Empty text is left out of a post, so the baseline leaves out the same parts.
    baseline = _render_all(*("x" if clean(v) else "" for v in (text, name, command)), locale)

    for raw, plain in zip(rendered, baseline, strict=True):
        assert problems(raw) == []
        assert _structure(raw) == _structure(plain)
