"""What codev keeps of a forum member: a consenting expert's profile (fr/ar/en values), or nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sync_service.config.matching import load_taxonomy
from sync_service.domain.people import PeopleRules, has_consent, profile_of, why_not_kept
from sync_service.domain.vocabulary import Vocabulary, expert_modes, parse_hours
from sync_service.services.ports.forum import PersonSnapshot
from tests import paths

ROOT = paths.ROOT
RULES = PeopleRules(
    experts_group="experts", vocabulary=Vocabulary(load_taxonomy(ROOT / "config/taxonomy.yaml"))
)


def expert(**changes: object) -> PersonSnapshot:
    person = PersonSnapshot(
        user_id=42,
        username="lahcen.oubaha",
        name="Lahcen Oubaha",
        bio="Ingénieur hydraulicien à la retraite.",
        profile={
            "skills": ("Adduction d'eau potable rurale (AEP)", "Forages et hydrogéologie"),
            "sectors": ("Eau potable", "Assainissement"),
            "languages": ("Français", "Arabe", "Tachelhit (amazighe)"),
            "country": ("France",),
            "availability": ("20",),
            "modes": ("À distance", "Sur place", "Mentorat"),
            "origin_province": ("Tiznit",),
            "consent": ("true",),
        },
        groups=("experts",),
    )
    return replace(person, **changes)  # type: ignore[arg-type]


def with_fields(**fields: tuple[str, ...]) -> PersonSnapshot:
    person = expert()
    return replace(person, profile={**person.profile, **fields})


def test_consenting_member_of_the_experts_group_becomes_a_profile() -> None:
    profile = profile_of(expert(), RULES)

    assert profile is not None
    assert profile.user_id == 42
    assert profile.languages == ("fr", "ar", "ber")
    assert profile.modes == ("remote", "on_site", "mentoring")
    assert profile.availability_hours == 20.0
    assert profile.skills == ("Adduction d'eau potable rurale (AEP)", "Forages et hydrogéologie")
    assert profile.sectors == ("Eau potable", "Assainissement")
    assert (profile.country, profile.origin_province) == ("France", "Tiznit")


def test_profile_converts_to_the_expert_record_matching_ranks() -> None:
    profile = profile_of(expert(), RULES)
    assert profile is not None

    record = profile.to_expert()

    assert record.id == 42
    assert record.name == "Lahcen Oubaha"
    assert record.languages == ("fr", "ar", "ber")
    assert record.availability_hours_per_month == 20.0
    assert record.bio == "Ingénieur hydraulicien à la retraite."


@pytest.mark.parametrize(
    ("consent", "kept"),
    [
        (("true",), True),
        ((" TRUE ",), True),
        (("false",), False),
        ((), False),
        (("",), False),
        (("on",), False),
    ],
)
def test_only_an_explicit_tick_of_the_consent_field_counts(consent: tuple[str, ...], kept: bool) -> None:
    assert (profile_of(with_fields(consent=consent), RULES) is not None) is kept
    assert has_consent(consent) is kept


@pytest.mark.parametrize(
    ("digest", "wanted"),
    [(("true",), True), ((" True",), True), (("false",), False), ((), False), (("oui",), False)],
)
def test_digest_opt_in_is_a_ticked_digest_field(digest: tuple[str, ...], wanted: bool) -> None:
    profile = profile_of(with_fields(digest=digest), RULES)

    assert profile is not None and profile.digest is wanted


def test_digest_without_consent_keeps_nothing() -> None:
    assert profile_of(with_fields(digest=("true",), consent=()), RULES) is None


@pytest.mark.parametrize(
    ("person", "reason"),
    [
        (None, "deleted"),
        (expert(anonymized=True), "anonymised"),
        (expert(active=False), "inactive"),
        (expert(groups=("commune-anzi",)), "not in the experts group"),
        (with_fields(consent=()), "no consent"),
    ],
)
def test_people_codev_must_not_hold_get_no_profile(person: PersonSnapshot | None, reason: str) -> None:
    assert profile_of(person, RULES) is None
    assert why_not_kept(person, RULES) == reason


def test_languages_are_recognised_in_arabic_and_english_too() -> None:
    person = with_fields(languages=("العربية", "الأمازيغية", "English", "Darija", "Tamazight", "Italien"))

    profile = profile_of(person, RULES)

    assert profile is not None
    assert profile.languages == ("ar", "ber", "en", "it")


def test_an_unknown_language_is_kept_as_folded_text() -> None:
    profile = profile_of(with_fields(languages=("Wolof",)), RULES)

    assert profile is not None and profile.languages == ("wolof",)


@pytest.mark.parametrize(
    ("choices", "codes"),
    [
        (("À distance", "Réseau de financement"), ("remote", "funding_network")),
        (("a distance", "SUR PLACE"), ("remote", "on_site")),
        (("عن بعد", "في عين المكان", "مواكبة"), ("remote", "on_site", "mentoring")),
        (
            ("Remote", "On site", "Mentoring", "Funding network"),
            ("remote", "on_site", "mentoring", "funding_network"),
        ),
        (("remote", "Téléportation"), ("remote",)),
    ],
)
def test_modes_become_codes_from_french_arabic_and_english(
    choices: tuple[str, ...], codes: tuple[str, ...]
) -> None:
    assert expert_modes(choices) == codes


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("10", 10.0),
        ("10 h", 10.0),
        ("10 heures par mois", 10.0),
        ("٥", 5.0),
        ("٥ ساعات", 5.0),
        ("7,5", 7.5),
        ("0", 0.0),
        ("environ 12h/mois", 12.0),
        ("", None),
        ("beaucoup", None),
        ("99999", None),
    ],
)
def test_availability_hours_are_read_from_what_people_type(text: str, hours: float | None) -> None:
    assert parse_hours((text,)) == hours


def test_missing_fields_give_an_empty_profile_not_an_error() -> None:
    person = expert(name=None, bio=None, profile={"consent": ("true",)})

    profile = profile_of(person, RULES)

    assert profile is not None
    assert profile.skills == () and profile.languages == () and profile.modes == ()
    assert profile.availability_hours is None and profile.country is None and profile.origin_province is None
    assert profile.digest is False
    assert profile.to_expert().name == "lahcen.oubaha"


def test_an_e_mail_address_typed_in_a_bio_or_name_is_not_kept() -> None:
    person = expert(
        name="Lahcen (lahcen@example.org)", bio="Écrivez-moi : lahcen.oubaha+codev@mail.example.fr merci"
    )

    profile = profile_of(person, RULES)

    assert profile is not None
    assert "@" not in (profile.bio or "") and "@" not in (profile.display_name or "")
    assert profile.bio == "Écrivez-moi : [e-mail] merci"


def test_other_as_province_of_origin_is_no_province() -> None:
    profile = profile_of(with_fields(origin_province=("Autre",)), RULES)

    assert profile is not None and profile.origin_province is None
