"""What codev keeps of a forum member: an expert profile when they are a consenting expert, else nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sync_service.domain.matching.records import Expert
from sync_service.domain.vocabulary import (
    Vocabulary,
    clean_texts,
    expert_modes,
    first_text,
    fold,
    parse_hours,
    redact_emails,
)

# Discourse stores a ticked "confirm" user field as the text "true"; unticked is null (it turns
# "false" into nil), so anything else means no consent.
CONSENT_VALUES = frozenset({"true"})
NOT_A_PROVINCE = frozenset(fold(w) for w in ("Autre", "Other", "أخرى", "Aucune", "None"))


class PersonFacts(Protocol):
    """What the forum says of a person (ports.PersonSnapshot has this shape)."""

    @property
    def user_id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def bio(self) -> str | None: ...
    @property
    def profile(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def groups(self) -> tuple[str, ...]: ...
    @property
    def active(self) -> bool: ...
    @property
    def anonymized(self) -> bool: ...


@dataclass(frozen=True)
class PeopleRules:
    """Which group makes an expert, and how to read their choices."""

    experts_group: str
    vocabulary: Vocabulary


@dataclass(frozen=True)
class ExpertProfile:
    """What codev stores of a consenting expert: only what matching and introductions need."""

    user_id: int
    username: str
    display_name: str | None = None
    bio: str | None = None
    skills: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    country: str | None = None
    availability_hours: float | None = None
    origin_province: str | None = None
    # Every stored profile is matchable when synced; a later pause may turn it off.
    matchable: bool = True
    # The expert asked for a periodic digest of new needs that fit them (user field "digest").
    digest: bool = False

    def to_expert(self, open_introductions: int = 0) -> Expert:
        """The record matching ranks."""
        return Expert(
            id=self.user_id,
            name=self.display_name or self.username,
            country=self.country,
            languages=self.languages,
            skills=self.skills,
            sectors=self.sectors,
            modes=self.modes,
            availability_hours_per_month=self.availability_hours,
            origin_province=self.origin_province,
            bio=self.bio,
            open_introductions=open_introductions,
        )


def has_consent(values: tuple[str, ...]) -> bool:
    """True only for an explicit tick of a confirm field (consent, or the digest opt-in)."""
    return any(value.strip().casefold() in CONSENT_VALUES for value in values)


def why_not_kept(person: PersonFacts | None, rules: PeopleRules) -> str | None:
    """The reason codev must hold nothing of this person, or None when they are a consenting expert."""
    if person is None:
        return "deleted"
    if person.anonymized:
        return "anonymised"
    if not person.active:
        return "inactive"
    if rules.experts_group not in person.groups:
        return "not in the experts group"
    if not has_consent(person.profile.get("consent", ())):
        return "no consent"
    return None


def profile_of(person: PersonFacts | None, rules: PeopleRules) -> ExpertProfile | None:
    """The profile to store, or None: then whatever codev holds of the person must be purged."""
    if person is None or why_not_kept(person, rules) is not None:
        return None
    fields = person.profile
    province = first_text(fields.get("origin_province", ()))
    return ExpertProfile(
        user_id=person.user_id,
        username=person.username,
        display_name=redact_emails(person.name),
        bio=redact_emails(person.bio),
        skills=_redacted(fields.get("skills", ())),
        sectors=_redacted(fields.get("sectors", ())),
        languages=rules.vocabulary.language_codes(fields.get("languages", ())),
        modes=expert_modes(fields.get("modes", ())),
        country=redact_emails(first_text(fields.get("country", ()))),
        availability_hours=parse_hours(fields.get("availability", ())),
        origin_province=None if province is None or fold(province) in NOT_A_PROVINCE else province,
        digest=has_consent(fields.get("digest", ())),  # the same ticked confirm field as consent
    )


def _redacted(values: tuple[str, ...]) -> tuple[str, ...]:
    return clean_texts(redact_emails(v) or "" for v in values)
