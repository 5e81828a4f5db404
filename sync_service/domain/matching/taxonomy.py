"""The taxonomy (sectors, kinds of help, skills, languages) and recognition of its concepts in text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sync_service.domain.matching.text import normalize_token, raw_tokens, stem_arabic

Locale = Literal["fr", "ar", "en"]
LOCALES: tuple[Locale, ...] = ("fr", "ar", "en")
ConceptKind = Literal["language", "sector", "kind", "skill"]
_AR_PARTICLES = frozenset("لبكف")
SCAN_CACHE = 200_000  # texts whose recognised concepts are kept


@dataclass(frozen=True)
class Concept:
    """One entry of the taxonomy; `sectors` for skills, `links` for sectors, `modes` for kinds."""

    id: str
    kind: ConceptKind
    labels: Mapping[str, str]
    terms: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()

    def label(self, locale: str) -> str:
        """The label in the locale, French when missing."""
        return self.labels.get(locale) or self.labels["fr"]


@dataclass(frozen=True)
class Taxonomy:
    """Languages, sectors, kinds and skills by id."""

    languages: Mapping[str, Concept]
    sectors: Mapping[str, Concept]
    kinds: Mapping[str, Concept]
    skills: Mapping[str, Concept]

    def table(self, kind: ConceptKind) -> Mapping[str, Concept]:
        """The entries of one kind."""
        return {"language": self.languages, "sector": self.sectors, "kind": self.kinds, "skill": self.skills}[
            kind
        ]

    def label(self, kind: ConceptKind, concept_id: str, locale: str) -> str:
        """Label of a concept in the locale (the id itself when unknown)."""
        concept = self.table(kind).get(concept_id)
        return concept.label(locale) if concept is not None else concept_id


@dataclass(frozen=True)
class Found:
    """Concepts recognised in a text, by kind: id -> weight in [0, 1]."""

    skills: Mapping[str, float] = field(default_factory=dict)
    sectors: Mapping[str, float] = field(default_factory=dict)
    kinds: Mapping[str, float] = field(default_factory=dict)
    languages: Mapping[str, float] = field(default_factory=dict)


def phrase_key(term: str) -> tuple[str, ...]:
    """Normalised token tuple of a taxonomy term."""
    return tuple(t for t in (normalize_token(r) for r in raw_tokens(term)) if t)


class Recognizer:
    """Finds taxonomy concepts in text by longest normalised phrase, and acronyms written in capitals."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._phrases: dict[tuple[str, ...], set[tuple[ConceptKind, str]]] = {}
        self._acronyms: dict[str, set[tuple[ConceptKind, str]]] = {}
        for kind in ("language", "sector", "kind", "skill"):
            for concept in taxonomy.table(kind).values():
                for term in (
                    *concept.terms,
                    concept.labels.get("fr", ""),
                    concept.labels.get("en", ""),
                    concept.labels.get("ar", ""),
                ):
                    key = phrase_key(term)
                    if key:
                        self._phrases.setdefault(key, set()).add((kind, concept.id))
                for acronym in concept.acronyms:
                    self._acronyms.setdefault(acronym, set()).add((kind, concept.id))
        self._seen: dict[str, tuple[tuple[ConceptKind, str], ...]] = {}
        # Longest phrase per first token: most tokens start no phrase and are skipped at once.
        self._longest: dict[str, int] = {}
        for key in self._phrases:
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))

    def find(self, texts: Iterable[str], weight: float = 1.0) -> Found:
        """Concepts in the texts, each with the given weight; skills imply their sectors."""
        hits: dict[ConceptKind, dict[str, float]] = {"language": {}, "sector": {}, "kind": {}, "skill": {}}
        for text in texts:
            found = self._seen.get(text)
            if found is None:
                # Field values repeat across profiles ("AEP", "hydraulique"): each text is scanned once.
                found = self._seen[text] = tuple(self._scan(text))
                if len(self._seen) > SCAN_CACHE:
                    del self._seen[next(iter(self._seen))]
            for kind, concept_id in found:
                hits[kind][concept_id] = weight
        return Found(hits["skill"], hits["sector"], hits["kind"], hits["language"])

    def _lead(self, norm: str) -> str:
        """An Arabic token that starts no phrase may carry a one-letter particle (ل ب ك ف): "لتحلية"."""
        if norm and norm not in self._longest and norm[0] in _AR_PARTICLES and len(norm) >= 4:
            bare = stem_arabic(norm[1:])
            if bare in self._longest:
                return bare
        return norm

    def _scan(self, text: str) -> list[tuple[ConceptKind, str]]:
        items = [(raw, self._lead(normalize_token(raw))) for raw in raw_tokens(text)]
        items = [(raw, norm) for raw, norm in items if norm or raw in self._acronyms]
        spans: list[tuple[int, int, set[tuple[ConceptKind, str]]]] = []
        for i, (raw, _) in enumerate(items):
            if raw in self._acronyms and (raw.isupper() or not raw.isalpha()):
                spans.append((i, i + 1, self._acronyms[raw]))
                continue
            for length in range(min(self._longest.get(items[i][1], 0), len(items) - i), 0, -1):
                key = tuple(norm for _, norm in items[i : i + length])
                if key in self._phrases:
                    spans.append((i, i + length, self._phrases[key]))
                    break
        # Overlapping phrases both count ("construction en terre" + "terre crue"), but a phrase inside a
        # longer one does not ("crue" inside "terre crue", "water" inside "water polo").
        out: list[tuple[ConceptKind, str]] = []
        for start, end, concepts in spans:
            inside = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
            if not inside:
                out.extend(sorted(concepts))
        return out
