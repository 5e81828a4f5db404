"""What codev keeps of a forum topic: a commune's need when the topic is one, else nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sync_service.domain.impact import organisation_of
from sync_service.domain.lifecycle import status_after_sync
from sync_service.domain.matching.records import Need
from sync_service.domain.vocabulary import (
    Vocabulary,
    clean_texts,
    first_text,
    fold,
    need_mode,
    redact_emails,
    split_list,
)

# Provinces of Souss-Massa and of the former Souss-Massa-Drâa, by HCP code, spelt as the profile's
# "Province d'origine" choices so that matching compares them (the forum's province tags fold to these).
PROVINCES: Mapping[str, str] = {
    "09.001": "Agadir-Ida-Outanane",
    "09.273": "Inezgane-Aït Melloul",
    "09.163": "Chtouka-Aït Baha",
    "09.541": "Taroudant",
    "09.581": "Tiznit",
    "09.551": "Tata",
    "08.401": "Ouarzazate",
    "08.587": "Zagora",
    "08.577": "Tinghir",
    "10.473": "Sidi Ifni",
}
_HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*#*[ \t]*$")


class TopicFacts(Protocol):
    """What the forum says of a topic (ports.NeedSnapshot has this shape)."""

    @property
    def topic_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def author_user_id(self) -> int: ...
    @property
    def author_username(self) -> str: ...
    @property
    def author_groups(self) -> tuple[str, ...]: ...
    @property
    def category_slug(self) -> str | None: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def closed(self) -> bool: ...
    @property
    def archived(self) -> bool: ...
    @property
    def form(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def raw(self) -> str: ...
    @property
    def post_version(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def visible(self) -> bool: ...


@dataclass(frozen=True)
class Commune:
    """One commune of config/communes.csv (HCP)."""

    code: str
    slug: str
    name: str
    province_code: str
    name_ar: str = ""


@dataclass(frozen=True)
class NeedRules:
    """Where needs live in the forum and how to read their form."""

    needs_category: str
    needs_tag: str
    vocabulary: Vocabulary
    commune_group_prefix: str = "commune-"
    communes: Mapping[str, Commune] = field(default_factory=dict)  # by slug
    # Every heading a form block may carry (labels in fr/ar/en and field ids), to tell form blocks
    # from the free text the author added around them.
    form_headings: frozenset[str] = frozenset()
    # Groups of actor organisations other than communes (config/forum.yaml: associations, cooperatives...)
    actor_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NeedDetails:
    """What codev stores of a need: the form read into codes, and where the topic stands."""

    topic_id: int
    title: str
    author_user_id: int | None
    author_username: str | None
    commune_group: str | None = None
    commune_code: str | None = None
    commune: str | None = None
    province: str | None = None
    sector: str | None = None
    kind: str | None = None
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    mode: str | None = None
    deadline: str | None = None
    body: str | None = None
    status: str = "open"
    post_version: int = 1
    topic_updated_at: datetime | None = None
    organisation: str | None = None  # the author's actor group: their commune's, else another declared one

    def to_need(self) -> Need:
        """The record matching ranks."""
        return Need(
            id=self.topic_id,
            commune=self.commune or self.commune_group,
            province=self.province,
            title=self.title,
            body=self.body,
            sector=self.sector,
            kind=self.kind,
            skills=self.skills,
            languages=self.languages,
            mode=self.mode,
            deadline=self.deadline,
        )


def is_need(topic: TopicFacts, rules: NeedRules) -> bool:
    """Listed, and in the needs category or tagged as a need in some category (a private message has
    none). An unlisted topic is a draft (an imported plan row) or a need a moderator hid: no need yet."""
    if topic.category_slug is None or not topic.visible:
        return False
    return topic.category_slug == rules.needs_category or rules.needs_tag in topic.tags


def need_of(
    topic: TopicFacts | None, rules: NeedRules, stored_status: str | None = None
) -> NeedDetails | None:
    """The need to store, or None: then whatever codev holds of this topic must be purged."""
    if topic is None or not is_need(topic, rules):
        return None
    form = topic.form
    vocabulary = rules.vocabulary
    group, commune = commune_of(topic.author_groups, rules)
    competences = "\n".join(form.get("competences", ()))
    return NeedDetails(
        topic_id=topic.topic_id,
        title=redact_emails(topic.title) or "",
        author_user_id=topic.author_user_id,
        author_username=topic.author_username,
        commune_group=group,
        commune_code=commune.code if commune else None,
        commune=commune.name if commune else None,
        province=province_of(topic.tags, commune),
        sector=redact_emails(vocabulary.concept("sector", first_text(form.get("secteur", ())))),
        kind=redact_emails(vocabulary.concept("kind", first_text(form.get("type_aide", ())))),
        skills=clean_texts(redact_emails(s) or "" for s in split_list(competences)),
        languages=vocabulary.language_codes(form.get("langues", ())),
        mode=need_mode(first_text(form.get("mode", ()))),
        deadline=redact_emails(first_text(form.get("echeance", ()))),
        body=redact_emails(body_of(form, topic.raw, rules.form_headings)),
        status=status_after_sync(stored_status, topic.closed, topic.archived),
        post_version=topic.post_version,
        topic_updated_at=topic.updated_at,
        organisation=organisation_of(topic.author_groups, rules.actor_groups, group),
    )


def commune_of(groups: tuple[str, ...], rules: NeedRules) -> tuple[str | None, Commune | None]:
    """The author's commune group and, when config/communes.csv knows it, the HCP commune."""
    prefix = rules.commune_group_prefix
    group = next((g for g in sorted(groups) if g.startswith(prefix) and len(g) > len(prefix)), None)
    if group is None:
        return None, None
    slug = group[len(prefix):]
    commune = rules.communes.get(slug)
    if commune is None:
        # Group names may shorten the HCP name ("commune-skoura" for skoura-ahl-el-oust): accept a
        # unique commune whose slug starts with the group's.
        candidates = [c for s, c in rules.communes.items() if s.startswith(slug + "-")]
        commune = candidates[0] if len(candidates) == 1 else None
    return group, commune


def province_of(tags: tuple[str, ...], commune: Commune | None) -> str | None:
    """The province named by a tag, else the commune's province."""
    by_key = {fold(name): name for name in PROVINCES.values()}
    for tag in tags:
        if fold(tag) in by_key:
            return by_key[fold(tag)]
    if commune is not None:
        return PROVINCES.get(commune.province_code)
    return None


def body_of(form: Mapping[str, tuple[str, ...]], raw: str, headings: frozenset[str]) -> str | None:
    """The description, then any free text the author wrote outside the form blocks."""
    description = "\n".join(form.get("description", ())).strip()
    free = _free_text(raw, {fold(h) for h in headings}) if form else raw.strip()
    parts = [p for p in (description, free) if p]
    return "\n\n".join(parts) or None


def _free_text(raw: str, heading_keys: set[str]) -> str:
    kept: list[str] = []
    in_form_block = False
    for line in raw.splitlines():
        match = _HEADING.match(line)
        if match is not None:
            in_form_block = fold(match.group(1)) in heading_keys or match.group(1) == "undefined"
        if not in_form_block:
            kept.append(line)
    return "\n".join(kept).strip()
