"""The form-block parser reads what Discourse's composer writes from the need form."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse_sandbox.models.forms import render_form_submission, template_fields
from sync_service.adapters.discourse.forms import heading_key, read_form
from sync_service.config import ForumSettings
from tests import paths

HEADINGS = ForumSettings().need_form_fields
SAMPLE = paths.SAMPLE_COMMUNITY
TEMPLATE: str = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["form_templates"][0]["template"]


def test_french_labels_map_to_field_ids() -> None:
    raw = ("### Secteur\nEau potable\n\n### Type d'aide\nÉtude de faisabilité\n\n"
           "### Échéance\nAvant mars 2027")

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"secteur": ("Eau potable",), "type_aide": ("Étude de faisabilité",),
                              "echeance": ("Avant mars 2027",)}
    assert reading.unknown == () and reading.free_text == ""


def test_arabic_labels_map_to_field_ids() -> None:
    raw = "### القطاع\nالصحة\n\n### لغات العمل\nالعربية\nتشلحيت\n\n### الأجل\nقبل صيف 2027"

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"secteur": ("الصحة",), "langues": ("العربية", "تشلحيت"),
                              "echeance": ("قبل صيف 2027",)}


def test_english_labels_map_to_field_ids() -> None:
    raw = "### Sector\nHealth\n\n### Kind of help\nTraining\n\n### Deadline\nJune 2027"

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"secteur": ("Health",), "type_aide": ("Training",),
                              "echeance": ("June 2027",)}


def test_field_ids_as_headings_are_accepted() -> None:
    raw = "### secteur\nSanté\n\n### type_aide\nFormation\n\n### langues\nArabe\nDarija"

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"secteur": ("Santé",), "type_aide": ("Formation",),
                              "langues": ("Arabe", "Darija")}


def test_headings_match_without_case_accents_colon_or_curly_apostrophe() -> None:
    raw = ("### ECHEANCE :\nJuin 2027\n\n### type d’aide:\nFormation\n\n"
           "### **Mode d'intervention**\nSur place")

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"echeance": ("Juin 2027",), "type_aide": ("Formation",),
                              "mode": ("Sur place",)}


def test_multi_select_gives_one_value_per_line() -> None:
    raw = "### Langues de travail\nFrançais\nTachelhit (amazighe)\nArabe\n"

    reading = read_form(raw, HEADINGS)

    assert reading.fields["langues"] == ("Français", "Tachelhit (amazighe)", "Arabe")


def test_textarea_keeps_its_paragraphs_until_the_next_heading() -> None:
    raw = ("### Description du besoin\nPremier paragraphe.\n\nSecond paragraphe.\n\n"
           "### Échéance\nJuin 2027")

    reading = read_form(raw, HEADINGS)

    assert "\n".join(reading.fields["description"]) == "Premier paragraphe.\n\nSecond paragraphe."
    assert reading.fields["echeance"] == ("Juin 2027",)


def test_empty_fields_give_no_values() -> None:
    submitted = render_form_submission(TEMPLATE, {"secteur": "Santé", "echeance": "", "mode": "Sur place"})
    written_by_hand = "### Secteur\n\n### Mode d'intervention\nSur place"

    from_composer = read_form(submitted, HEADINGS)
    by_hand = read_form(written_by_hand, HEADINGS)

    assert from_composer.fields == {"secteur": ("Santé",), "mode": ("Sur place",)}
    assert by_hand.fields == {"secteur": (), "mode": ("Sur place",)}


def test_crlf_line_ends_are_read_like_lf() -> None:
    raw = "### Secteur\r\nEau potable\r\n\r\n### Langues de travail\r\nFrançais\r\nArabe\r\n"

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"secteur": ("Eau potable",), "langues": ("Français", "Arabe")}


def test_post_written_without_the_form_is_all_free_text() -> None:
    raw = ("Bonjour,\n\nLa commune cherche un hydraulicien pour un forage.\n"
           "## Contexte\nSix douars sans eau l'été.")

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {} and reading.unknown == ()
    assert reading.free_text == raw


def test_text_before_the_first_heading_is_free_text() -> None:
    raw = "Merci de votre aide.\n\n### Secteur\nSanté"

    reading = read_form(raw, HEADINGS)

    assert reading.free_text == "Merci de votre aide."
    assert reading.fields == {"secteur": ("Santé",)}


def test_unknown_headings_are_kept_aside() -> None:
    raw = "### Secteur\nÉnergie\n\n### Budget estimé\n300 000 MAD\n\n### Échéance\n2027"

    reading = read_form(raw, HEADINGS)

    assert reading.fields == {"secteur": ("Énergie",), "echeance": ("2027",)}
    assert reading.unknown == (("Budget estimé", ("300 000 MAD",)),)


def test_headings_inside_fenced_code_are_text() -> None:
    raw = ("### Description du besoin\nVoici le modèle reçu :\n```\n### Secteur\nfaux\n```\n"
           "~~~~\n### Échéance\n~~~~\nFin.\n\n### Mode d'intervention\nÀ distance")

    reading = read_form(raw, HEADINGS)

    assert set(reading.fields) == {"description", "mode"}
    assert "### Secteur" in reading.fields["description"]
    assert "### Échéance" in reading.fields["description"]
    assert reading.fields["mode"] == ("À distance",)


def test_a_heading_given_twice_gathers_both_values() -> None:
    raw = "### Langues de travail\nFrançais\n\n### langues\nArabe"

    assert read_form(raw, HEADINGS).fields == {"langues": ("Français", "Arabe")}


def test_heading_key_ignores_tatweel_and_harakat() -> None:
    assert heading_key("القـطـاع") == heading_key("القِطَاع") == heading_key("القطاع")


# --- round trip with the sandbox's composer --------------------------------------------------

_FIELDS = template_fields(TEMPLATE)
_LINE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"),
                           exclude_characters="#`~\r\n\x85"),
    min_size=1, max_size=30,
).map(str.strip).filter(bool)
_TEXT = st.lists(st.one_of(_LINE, st.just("")), min_size=1, max_size=6).map(
    lambda lines: "\n".join(lines).strip("\n")).filter(lambda text: text.strip() != "")


def _value(field: dict[str, Any]) -> st.SearchStrategy[Any]:
    choices = [str(c) for c in field.get("choices") or []]
    if field["type"] == "multi-select":
        return st.lists(st.sampled_from(choices), min_size=1, unique=True)
    if field["type"] == "dropdown":
        return st.sampled_from(choices)
    return _TEXT


_SUBMISSION = st.fixed_dictionaries({}, optional={str(f["id"]): _value(f) for f in _FIELDS})


@settings(max_examples=50, deadline=None)
@given(values=_SUBMISSION, headings=st.sampled_from(["label", "id"]))
def test_round_trip_with_the_composer(values: dict[str, Any], headings: str) -> None:
    raw = render_form_submission(TEMPLATE, values, headings)

    reading = read_form(raw, HEADINGS)

    expected = {fid: tuple(v) if isinstance(v, list) else tuple(v.split("\n"))
                for fid, v in values.items()}
    assert reading.fields == expected
    assert reading.unknown == () and reading.free_text == ""
