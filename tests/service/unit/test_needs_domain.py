"""What codev keeps of a topic: a commune's need, its form read into codes, or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sync_service.domain.lifecycle import status_after_sync
from sync_service.domain.needs import is_need, need_of
from sync_service.domain.vocabulary import need_mode, split_list
from sync_service.services.ports.forum import NeedSnapshot
from tests import paths
from tests.configured import rules

ROOT = paths.ROOT
RULES = rules().needs
WHEN = datetime(2026, 9, 3, 8, 40, tzinfo=UTC)
RAW = """### Secteur
Eau potable

### Type d'aide
Étude de faisabilité

### Compétences recherchées
AEP rurale, hydrogéologie (forages, pompages), SIG

### Description du besoin
Six douars de montagne dépendent de citernes.

Merci de votre aide."""


def topic(**changes: object) -> NeedSnapshot:
    snapshot = NeedSnapshot(
        topic_id=7,
        title="Eau potable pour six douars d'Anzi",
        author_user_id=12,
        author_username="rkia.ouali",
        author_groups=("commune-anzi",),
        category_slug="besoins",
        tags=("eau-potable", "etude-faisabilite", "tiznit", "besoin"),
        closed=False,
        archived=False,
        form={
            "secteur": ("Eau potable",),
            "type_aide": ("Étude de faisabilité",),
            "competences": ("AEP rurale, hydrogéologie (forages, pompages), SIG",),
            "langues": ("Français", "Tachelhit (amazighe)", "Arabe"),
            "mode": ("Indifférent",),
            "echeance": ("Avant mars 2027",),
            "description": ("Six douars de montagne dépendent de citernes.",),
        },
        raw=RAW,
        post_version=1,
        created_at=WHEN,
        updated_at=WHEN,
    )
    return replace(snapshot, **changes)  # type: ignore[arg-type]


def test_a_topic_of_the_needs_category_becomes_a_need_with_codes() -> None:
    need = need_of(topic(), RULES)

    assert need is not None
    assert (need.topic_id, need.author_user_id, need.author_username) == (7, 12, "rkia.ouali")
    assert (need.sector, need.kind, need.mode) == ("drinking_water", "feasibility_study", "any")
    assert need.languages == ("fr", "ber", "ar")
    assert need.skills == ("AEP rurale", "hydrogéologie (forages, pompages)", "SIG")
    assert need.deadline == "Avant mars 2027"
    assert need.status == "open"


def test_commune_comes_from_the_authors_group_and_the_hcp_table() -> None:
    need = need_of(topic(), RULES)

    assert need is not None
    assert (need.commune_group, need.commune_code, need.commune) == ("commune-anzi", "09.581.03.03", "Anzi")
    assert need.province == "Tiznit"


def test_a_shortened_commune_group_finds_its_hcp_commune() -> None:
    need = need_of(topic(author_groups=("commune-skoura",), tags=("besoin",)), RULES)

    assert need is not None
    assert (need.commune_code, need.commune) == ("08.401.07.07", "Skoura Ahl El Oust")
    assert need.province == "Ouarzazate"  # from the commune, as no tag names the province


def test_an_unknown_commune_group_is_kept_by_name() -> None:
    need = need_of(topic(author_groups=("commune-atlantis", "animateurs")), RULES)

    assert need is not None
    assert (need.commune_group, need.commune_code) == ("commune-atlantis", None)
    assert need.to_need().commune == "commune-atlantis"


def test_the_province_tag_is_spelt_as_the_profiles_province() -> None:
    need = need_of(topic(tags=("chtouka-ait-baha", "besoin")), RULES)

    assert need is not None and need.province == "Chtouka-Aït Baha"


def test_a_topic_tagged_as_a_need_in_another_category_is_a_need() -> None:
    assert is_need(topic(category_slug="pratiques"), RULES)
    assert not is_need(topic(category_slug="pratiques", tags=("bonne-pratique",)), RULES)


def test_a_private_message_is_never_a_need() -> None:
    assert need_of(topic(category_slug=None), RULES) is None


@pytest.mark.parametrize(("closed", "archived"), [(True, False), (False, True)])
def test_a_closed_or_archived_topic_is_a_closed_need(closed: bool, archived: bool) -> None:
    need = need_of(topic(closed=closed, archived=archived), RULES)

    assert need is not None and need.status == "closed"


def test_status_set_by_the_lifecycle_survives_a_sync_of_an_open_topic() -> None:
    assert status_after_sync("matched", closed=False, archived=False) == "matched"
    assert status_after_sync("closed", closed=False, archived=False) == "open"  # reopened in the forum
    assert status_after_sync("matched", closed=True, archived=False) == "closed"


def test_an_arabic_form_is_read_too() -> None:
    form = {
        "secteur": ("الماء الصالح للشرب",),
        "type_aide": ("دراسة الجدوى",),
        "competences": ("التخطيط الترابي، تتبع وتقييم المشاريع",),
        "langues": ("العربية", "تشلحيت"),
        "mode": ("عن بعد",),
        "description": ("نحتاج إلى خبير",),
    }

    need = need_of(topic(form=form, raw=""), RULES)

    assert need is not None
    assert (need.sector, need.kind, need.mode) == ("drinking_water", "feasibility_study", "remote")
    assert need.languages == ("ar", "ber")
    assert need.skills == ("التخطيط الترابي", "تتبع وتقييم المشاريع")


def test_an_english_form_is_read_too() -> None:
    form = {"secteur": ("Rural tourism",), "type_aide": ("Feasibility study",), "mode": ("Remote",)}

    need = need_of(topic(form=form, raw=""), RULES)

    assert need is not None and (need.sector, need.kind, need.mode) == (
        "rural_tourism",
        "feasibility_study",
        "remote",
    )


def test_unknown_choices_are_kept_as_text_and_other_is_recognised() -> None:
    form = {"secteur": ("Pêche artisanale",), "type_aide": ("Autre",), "mode": ("Par pigeon voyageur",)}

    need = need_of(topic(form=form, raw=""), RULES)

    assert need is not None
    assert (need.sector, need.kind, need.mode) == ("Pêche artisanale", "other", None)


def test_body_is_the_description_then_the_free_text_outside_the_form() -> None:
    # A block runs to the next heading, so free text is what precedes the first one or sits under a
    # heading the form does not have.
    raw = "Une note avant.\n\n" + RAW + "\n\n### Photos\nVoir les photos jointes."

    need = need_of(topic(raw=raw), RULES)

    assert need is not None
    assert need.body == (
        "Six douars de montagne dépendent de citernes.\n\n"
        "Une note avant.\n\n### Photos\nVoir les photos jointes."
    )


def test_a_need_without_form_keeps_its_whole_post_as_body() -> None:
    need = need_of(topic(form={}, raw="Nous cherchons un hydrologue."), RULES)

    assert need is not None
    assert need.body == "Nous cherchons un hydrologue."
    assert (need.sector, need.kind, need.skills, need.languages) == (None, None, (), ())


def test_need_converts_to_the_record_matching_ranks() -> None:
    need = need_of(topic(), RULES)
    assert need is not None

    record = need.to_need()

    assert (record.id, record.commune, record.province, record.sector) == (
        7,
        "Anzi",
        "Tiznit",
        "drinking_water",
    )


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("À distance", "remote"),
        ("Sur place", "on_site"),
        ("Indifférent", "any"),
        ("لا يهم", "any"),
        ("", None),
    ],
)
def test_need_mode_from_the_forms_choices(text: str, mode: str | None) -> None:
    assert need_mode(text) == mode


def test_lists_are_split_outside_parentheses() -> None:
    assert split_list("Construction en terre (pisé, adobe), restauration ; AMO\n- SIG") == (
        "Construction en terre (pisé, adobe)",
        "restauration",
        "AMO",
        "SIG",
    )


def test_an_e_mail_address_typed_in_a_need_is_not_kept() -> None:
    form = {**topic().form, "description": ("Écrivez à mairie.anzi@example.ma",), "echeance": ("a@b.ma",)}

    need = need_of(topic(title="Contact x@y.org", form=form, raw=""), RULES)

    assert need is not None
    assert "@" not in f"{need.title} {need.body} {need.deadline}"


def test_a_need_s_organisation_is_the_commune_else_a_declared_actor_group() -> None:
    """config/forum.yaml declares the actor groups (associations, cooperatives...), read at start."""
    commune = need_of(topic(author_groups=("commune-anzi", "associations")), RULES)
    association = need_of(topic(author_groups=("trust_level_1", "associations")), RULES)
    nobody = need_of(topic(author_groups=("trust_level_1", "experts", "animateurs")), RULES)

    assert commune is not None and commune.organisation == "commune-anzi"
    assert association is not None and (association.organisation, association.commune_group) == (
        "associations", None)
    assert nobody is not None and nobody.organisation is None
