"""The sandbox's form templates and tag names behave as Discourse's (validator, composer, clean_tag)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from discourse_sandbox.core.records import TagGroup, Topic, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.form_templates import validate_template_yaml
from discourse_sandbox.models.forms import render_form_submission
from discourse_sandbox.models.tag_names import clean_tag_name, ensure_tags
from discourse_sandbox.serializers.tags import serialize_topic_tags

NEED_FORM = """
- type: dropdown
  id: sector
  choices: [Eau potable, Assainissement]
  attributes: {label: Secteur}
- type: textarea
  id: description
  attributes: {label: Description du besoin}
- type: multi-select
  id: skills
  choices: [SIG, AEP rurale]
  attributes: {label: Compétences recherchées}
- type: checkbox
  id: urgent
  attributes: {label: Urgent}
"""


# --- render_form_submission ------------------------------------------------------------------

def test_submission_writes_one_label_heading_per_field_in_template_order() -> None:
    raw = render_form_submission(NEED_FORM, {"description": "Réseau vétuste", "sector": "Eau potable"})

    assert raw == "### Secteur\nEau potable\n\n### Description du besoin\nRéseau vétuste"


def test_submission_uses_field_ids_as_headings_in_the_older_composer() -> None:
    raw = render_form_submission(NEED_FORM, {"sector": "Eau potable"}, headings="id")

    assert raw == "### sector\nEau potable"


def test_multi_select_values_are_joined_by_newlines() -> None:
    raw = render_form_submission(NEED_FORM, {"skills": ["SIG", "AEP rurale"]})

    assert raw == "### Compétences recherchées\nSIG\nAEP rurale"


def test_checked_checkbox_is_written_as_the_browser_value_on() -> None:
    assert render_form_submission(NEED_FORM, {"urgent": "true"}) == "### Urgent\non"


def test_unchecked_checkbox_and_empty_multi_select_are_left_out() -> None:
    raw = render_form_submission(NEED_FORM, {"sector": "Eau potable", "skills": [], "urgent": "false"})

    assert raw == "### Secteur\nEau potable"


def test_empty_text_field_leaves_an_empty_block_as_the_composer_does() -> None:
    raw = render_form_submission(NEED_FORM, {"sector": "Eau potable", "description": "",
                                             "skills": ["SIG"]})

    assert raw == "### Secteur\nEau potable\n\n\n\n### Compétences recherchées\nSIG"


# --- FormTemplateYamlValidator ---------------------------------------------------------------

def test_valid_template_has_no_errors() -> None:
    assert validate_template_yaml(State(), NEED_FORM) == []


@pytest.mark.parametrize("template", ["type: input", "- type: [unclosed", "just text"])
def test_template_that_is_not_a_yaml_array_is_invalid_yaml(template: str) -> None:
    assert validate_template_yaml(State(), template) == ["Template is not a valid YAML string"]


def test_field_errors_come_in_discourse_order_with_its_messages() -> None:
    template = "- id: a\n- type: radio\n  id: a\n- type: input\n  id: tags\n- type: input\n"

    errors = validate_template_yaml(State(), template)

    assert errors == [
        "Template is missing a field type",
        "Template contains an invalid template type:  (valid types are: checkbox, dropdown, input, "
        "multi-select, textarea, upload)",
        "Template contains an invalid template type: radio (valid types are: checkbox, dropdown, "
        "input, multi-select, textarea, upload)",
        "Template has duplicate ids",
        "Template has a reserved keyword as id: tags",
        "Template is missing a field id",
    ]


@pytest.mark.parametrize("description, safe", [
    ('Voir <a href="https://example.org" target="_blank">le guide</a>', True),
    ("Texte & chiffres", True),
    ("<b>gras</b>", False),
    ('<a href="javascript:alert(1)">x</a>', False),
    ('<a href="/t/1" onclick="x()">x</a>', False),
])
def test_description_may_only_hold_plain_links(description: str, safe: bool) -> None:
    template = f"- type: input\n  id: a\n  attributes:\n    description: '{description}'\n"

    errors = validate_template_yaml(State(), template)

    assert (errors == []) is safe
    if not safe:
        assert errors == ["Template has an unsafe HTML description"]


def test_unknown_tag_group_is_reported_and_a_known_one_accepted() -> None:
    state = State()
    state.tag_groups[1] = TagGroup(id=1, name="Secteurs")
    template = "- type: dropdown\n  id: s\n  tag_group: {}\n"

    assert validate_template_yaml(state, template.format("Secteurs")) == []
    assert validate_template_yaml(state, template.format("Autres")) == [
        "Template has invalid tag group: Autres"]


# --- tag names -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, cleaned", [
    ("Eau Potable", "eau-potable"),
    ("  AEP / rurale  ", "aep-rurale"),
    ("Énergie   solaire!", "énergie-solaire"),
    ("--sig--", "sig"),
    ("c'est.ça?", "cestça"),
])
def test_tag_names_are_cleaned_as_discourse_does(raw: str, cleaned: str) -> None:
    assert clean_tag_name(raw) == cleaned


def test_tag_names_are_cut_to_the_maximum_length() -> None:
    assert clean_tag_name("assainissement-liquide", 10) == "assainisse"


def test_topic_tags_serialize_as_strings_or_objects() -> None:
    state = State()
    now = datetime.now(UTC)
    admin = User(id=1, username="a", name="a", email="a@x", created_at=now, updated_at=now, admin=True)
    names = ensure_tags(state, ["Eau potable"], admin)

    assert serialize_topic_tags(state, names, "strings") == ["eau-potable"]
    assert serialize_topic_tags(state, names, "objects") == [
        {"id": 1, "name": "eau-potable", "slug": "eau-potable"}]


def test_topic_tags_are_ordered_most_used_first() -> None:
    state = State()
    now = datetime.now(UTC)
    admin = User(id=1, username="a", name="a", email="a@x", created_at=now, updated_at=now, admin=True)
    names = ensure_tags(state, ["sig", "eau-potable"], admin)
    for topic_id, tags in ((1, ["eau-potable"]), (2, names)):
        state.topics[topic_id] = Topic(id=topic_id, title="t", slug="t", user_id=1, created_at=now,
                                       updated_at=now, bumped_at=now, tags=tags)

    assert serialize_topic_tags(state, names, "strings") == ["eau-potable", "sig"]
