"""Reasons come from the catalogues' `reasons:` section, in the need's locale, with CLDR plurals."""

import dataclasses

import pytest

from sync_service.domain.i18n import PLURAL_CATEGORIES, Translator
from sync_service.domain.matching.engine import MatchingEngine
from sync_service.domain.matching.explain import explain
from sync_service.domain.matching.records import Expert, Need

WELL = Need(
    "n1",
    commune="Anzi",
    province="Tiznit",
    title="Adduction d'eau potable et forage d'un puits",
    mode="on_site",
    languages=("ber",),
)
REMOTE = Need("n2", commune="Tata", title="Adduction d'eau potable", mode="remote")


def _expert(load: int = 0, modes: tuple[str, ...] = ("on_site",)) -> Expert:
    return Expert(
        "hyd",
        skills=("AEP rurale", "forages"),
        languages=("fr", "ber"),
        modes=modes,
        availability_hours_per_month=10,
        origin_province="Tiznit",
        open_introductions=load,
    )


def _reasons(taxonomy, settings, translator, expert, need=WELL, locale=None):
    engine = MatchingEngine(taxonomy, settings)
    engine.upsert_experts([expert])
    engine.upsert_needs([need])
    candidate = next(c for c in engine.rank_need(need.id, k=5) if c.id == expert.id)
    return explain(engine, need.id, candidate, translator, locale)


@pytest.mark.parametrize(
    ("locale", "load", "sentence"),
    [
        ("fr", 1, "déjà 1 mise en relation en cours"),
        ("fr", 3, "déjà 3 mises en relation en cours"),
        ("en", 1, "already 1 open introduction"),
        ("en", 2, "already 2 open introductions"),
        ("ar", 1, "لديه عملية ربط واحدة جارية"),
        ("ar", 2, "لديه عمليتا ربط جاريتان"),
        ("ar", 3, "لديه 3 عمليات ربط جارية"),
        ("ar", 11, "لديه 11 عملية ربط جارية"),
    ],
)
def test_open_introductions_are_counted_with_the_locales_plural(
    taxonomy, settings, translator, locale, load, sentence
):
    assert sentence in _reasons(taxonomy, settings, translator, _expert(load), locale=locale)


def test_an_expert_without_open_introductions_gets_no_busy_reason(taxonomy, settings, translator):
    reasons = _reasons(taxonomy, settings, translator, _expert(0))

    assert not any("en cours" in r for r in reasons)


def test_arabic_lists_use_the_arabic_comma(taxonomy, settings, translator):
    reasons = _reasons(taxonomy, settings, translator, _expert(), locale="ar")

    skills = next(r for r in reasons if r.startswith("الكفاءات: "))
    assert "، " in skills and ", " not in skills


def test_mentoring_serves_a_remote_need(taxonomy, settings, translator):
    expert = _expert(modes=("on_site", "mentoring"))

    fr = _reasons(taxonomy, settings, translator, expert, need=REMOTE)
    en = _reasons(taxonomy, settings, translator, expert, need=REMOTE, locale="en")

    assert "à distance" in fr  # mentoring serves a remote need
    assert "remote" in en


def test_modes_that_do_not_fit_are_named_from_the_catalogue(taxonomy, settings, translator):
    expert = _expert(modes=("on_site", "funding_network"))

    fr = _reasons(taxonomy, settings, translator, expert, need=REMOTE)
    en = _reasons(taxonomy, settings, translator, expert, need=REMOTE, locale="en")

    assert "modes proposés ne conviennent pas (réseau de financement, sur place)" in fr
    assert "offered modes do not fit (funding network, on site)" in en


def test_the_wording_is_the_translators_and_nothing_else(taxonomy, settings):
    words = Translator(
        {
            "fr": {
                "common.list_separator": " + ",
                "reasons.skills": "savoir-faire : {items}",
                "reasons.hours": "{hours} heures",
            }
        }
    )

    reasons = _reasons(taxonomy, settings, words, _expert())

    assert reasons[0].startswith("savoir-faire : ") and " + " in reasons[0]
    assert "10 heures" in reasons
    assert "reasons.origin" in reasons  # a key the catalogue lacks shows as itself, never a hidden table


def test_the_busy_reason_has_every_plural_form_of_each_locale(translator):
    for locale, forms in PLURAL_CATEGORIES.items():
        message = translator.catalogues[locale]["reasons.busy"]
        assert isinstance(message, dict) and tuple(message) == forms, locale


@pytest.mark.parametrize(("hours", "expected"), [
    (1, "ساعة واحدة في الشهر"), (2, "ساعتان في الشهر"), (5, "5 ساعات في الشهر"),
    (12, "12 ساعة في الشهر"), (2.5, "2.5 ساعة في الشهر"),
])
def test_hours_take_the_arabic_plural_form_of_their_number(taxonomy, settings, translator, hours, expected):
    expert = dataclasses.replace(_expert(), availability_hours_per_month=hours)

    assert expected in _reasons(taxonomy, settings, translator, expert, locale="ar")
