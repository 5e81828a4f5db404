"""Translation: catalogues per locale, French fallback, plurals, dates, language guess, config checks."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from sync_service.config import ConfigError
from sync_service.config.locales import load_translator, missing_keys
from sync_service.domain.i18n import Translator, fill, guess_locale, placeholders, plural_category
from tests import paths

T = Translator(
    {
        "fr": {
            "hello": "Bonjour {name}",
            "only_fr": "seulement",
            "n": {"one": "{count} besoin", "other": "{count} besoins"},
        },
        "ar": {"hello": "مرحبا {name}", "n": {"zero": "لا حاجة", "two": "حاجتان", "other": "{count} حاجة"}},
        "en": {"hello": "Hello {name}"},
    }
)


@pytest.mark.parametrize(
    ("locale", "expected"), [("fr", "Bonjour Ali"), ("ar", "مرحبا Ali"), ("en", "Hello Ali")]
)
def test_translate_fills_placeholders_in_each_locale(locale: str, expected: str) -> None:
    assert T.translate("hello", locale, name="Ali") == expected


def test_missing_key_falls_back_to_french_then_to_the_key() -> None:
    assert T.translate("only_fr", "en") == "seulement"
    assert T.translate("nowhere", "ar") == "nowhere"


def test_unknown_locale_reads_french() -> None:
    assert T.translate("hello", "de", name="Ali") == "Bonjour Ali"


def test_values_are_inserted_once_and_never_reinterpreted() -> None:
    assert T.translate("hello", "fr", name="{name} {count}") == "Bonjour {name} {count}"


def test_a_missing_value_leaves_its_placeholder_rather_than_crashing() -> None:
    assert T.translate("hello", "fr") == "Bonjour {name}"


def test_doubled_braces_are_literal_braces() -> None:
    assert fill("{{x}} {x}", {"x": 1}) == "{x} 1"


@pytest.mark.parametrize(("count", "expected"), [(0, "0 besoin"), (1, "1 besoin"), (2, "2 besoins")])
def test_french_plural_treats_zero_as_singular(count: int, expected: str) -> None:
    assert T.translate("n", "fr", count=count) == expected


def test_arabic_plural_picks_its_form_and_falls_back_to_other() -> None:
    assert T.translate("n", "ar", count=0) == "لا حاجة"
    assert T.translate("n", "ar", count=2) == "حاجتان"
    assert T.translate("n", "ar", count=1) == "1 حاجة"


def test_plural_without_a_count_reads_other() -> None:
    assert T.translate("n", "fr") == "{count} besoins"


@pytest.mark.parametrize(
    ("locale", "count", "category"),
    [("en", 0, "other"), ("en", 1, "one"), ("fr", 1, "one"), ("fr", 1_000_000, "many"), ("ar", 3, "few"),
     ("ar", 10, "few"), ("ar", 11, "many"), ("ar", 99, "many"), ("ar", 100, "other"), ("ar", 103, "few")],
)
def test_plural_categories_follow_cldr(locale: str, count: int, category: str) -> None:
    assert plural_category(locale, count) == category


def test_placeholders_gathers_every_plural_form() -> None:
    assert placeholders({"one": "un {x}", "other": "{count} {y}"}) == {"x", "y", "count"}


def test_dates_are_written_as_each_locale_does() -> None:
    t = load_translator(paths.CONFIG / "locales")
    day = date(2026, 12, 6)

    assert [t.format_date(day, loc) for loc in ("fr", "ar", "en")] == [
        "6 décembre 2026", "6 دجنبر 2026", "6 December 2026"]


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Nous cherchons un ingénieur pour le puits du douar", "fr"),
        ("Forage d'un puits", "fr"),
        ("نحتاج إلى مهندس لحفر بئر في الدوار", "ar"),
        ("بغينا شي واحد يعاونا فالسقي goutte à goutte", "ar"),
        ("We need an engineer to help with the village well", "en"),
        ("Solar pump", "fr"),
        ("", "fr"),
        (None, "fr"),
        ("ⵜⴰⵎⴰⵣⵉⵖⵜ", "fr"),
    ],
)
def test_guess_locale_reads_script_then_common_words(text: str | None, locale: str) -> None:
    assert guess_locale(text) == locale


# What the Python table said before the sentences moved into the catalogues (fr, ar, en).
FORMER_REASONS = {
    'skills': ('compétences : a, b', 'الكفاءات: a، b', 'skills: a, b'),
    'speaks': ('parle a, b', 'يتحدث a، b', 'speaks a, b'),
    'hours': ('10 h/mois', '10 ساعة في الشهر', '10 h/month'),
    'origin': ('originaire de la province de Tiznit', 'ينحدر من إقليم Tiznit', 'comes from Tiznit province'),
    'mode_remote': ('à distance', 'عن بعد', 'remote'),
    'no_candidate': ('aucun candidat', 'لا يوجد مرشح', 'no candidate'),
}


@pytest.mark.parametrize("key", sorted(FORMER_REASONS))
def test_matching_reasons_read_as_before_from_the_shipped_catalogues(key: str) -> None:
    t = load_translator(paths.CONFIG / "locales")
    values = {"hours": 10, "province": "Tiznit"}

    got = tuple(
        t.translate(f"reasons.{key}", loc, items=t.join(["a", "b"], loc), **values)
        for loc in ("fr", "ar", "en")
    )

    assert got == FORMER_REASONS[key]


def test_shipped_catalogues_load_and_translate_every_key_in_all_locales() -> None:
    t = load_translator(paths.CONFIG / "locales")

    assert missing_keys(dict(t.catalogues)) == {}
    assert t.translate("review.title", "ar", topic_id=3, title="x").startswith("المرشحون")


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "locales"
    shutil.copytree(paths.CONFIG / "locales", folder)
    return folder


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize(
    ("locale", "addition", "key", "expected"),
    [
        ("en", "extra: 'x'\n", "extra", "a key that fr.yaml also defines"),
        ("fr", "Bad: 'x'\n", "Bad", "lowercase letters"),
        ("fr", "stray: 'a {Name}'\n", "stray", "placeholders written {lowercase_name}"),
        ("fr", "empty: ' '\n", "empty", "a non-empty text"),
        ("fr", "num: 3\n", "num", "a text, plural forms"),
        ("fr", "pl:\n  one: 'x'\n", "pl.other", "an 'other' plural form"),
        ("en", "pl2:\n  few: 'x'\n  other: 'y'\n", "pl2.few", "a plural form of en"),
    ],
)
def test_bad_catalogue_entries_are_named_with_file_and_key(
    tmp_path: Path, locale: str, addition: str, key: str, expected: str
) -> None:
    folder = _copy(tmp_path)
    _append(folder / f"{locale}.yaml", addition)

    with pytest.raises(ConfigError) as error:
        load_translator(folder)

    assert error.value.source.endswith(f"{locale}.yaml")
    assert error.value.key == key
    assert expected in error.value.expected


def test_placeholders_that_disagree_with_french_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Hello,", "Hello {name},"), encoding="utf-8")

    with pytest.raises(ConfigError) as error:
        load_translator(folder)

    assert (error.value.key, error.value.found) == ("intro.greeting", ["name"])


def test_a_plain_text_may_translate_a_plural_message(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "en.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  candidates_heading:")
    end = text.index("  none:")
    path.write_text(text[:start] + '  candidates_heading: "### Candidates: {count}"\n' + text[end:], "utf-8")

    translated = load_translator(folder).translate("review.candidates_heading", "en", count=3)

    assert translated == "### Candidates: 3"


def test_a_missing_catalogue_file_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "ar.yaml").unlink()

    with pytest.raises(ConfigError, match=r"ar\.yaml: \(file\)"):
        load_translator(folder)


def test_a_catalogue_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "fr.yaml").write_bytes("a: 'é'".encode("latin-1"))

    with pytest.raises(ConfigError, match="UTF-8"):
        load_translator(folder)


def test_a_translation_may_leave_a_key_to_french(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('  greeting: "Hello,"\n', ""), encoding="utf-8")

    t = load_translator(folder)

    assert missing_keys(dict(t.catalogues)) == {"en": ["intro.greeting"]}
    assert t.translate("intro.greeting", "en") == "Bonjour,"
