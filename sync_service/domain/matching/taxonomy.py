"""The taxonomy (sectors, kinds of help, skills, languages) and recognition of its concepts in text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sync_service.domain.matching.fuzzy import NearWords
from sync_service.domain.matching.text import (
    fold_latin,
    is_arabic,
    normalize_arabic,
    normalize_token,
    raw_tokens,
    stem_arabic,
)

Locale = Literal["fr", "ar", "en"]
LOCALES: tuple[Locale, ...] = ("fr", "ar", "en")
ConceptKind = Literal["language", "sector", "kind", "skill"]
_AR_PARTICLES = frozenset("لبكف")
SCAN_CACHE = 200_000  # texts whose recognised concepts are kept
FUZZY_MIN_LENGTH = 5  # shorter words must be spelt as the taxonomy spells them
Hit = tuple[ConceptKind, str, float]  # a concept found, with the confidence of its spelling


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


def surface(token: str) -> str:
    """A word as written, folded but not stemmed (typos are compared on whole words, not stems)."""
    return normalize_arabic(token) if is_arabic(token) else fold_latin(token)


def phrase_key(term: str) -> tuple[str, ...]:
    """Normalised token tuple of a taxonomy term."""
    return tuple(t for t in (normalize_token(r) for r in raw_tokens(term)) if t)


class Recognizer:
    """Finds taxonomy concepts in text by longest normalised phrase, and acronyms written in capitals.

    A word the taxonomy does not know but spells nearly alike (edit-distance similarity at least
    `fuzzy_min_similarity`) stands for the taxonomy's word; a concept found through it counts its weight
    times the lowest similarity of its words. 1.0 turns this off.
    """

    def __init__(self, taxonomy: Taxonomy, fuzzy_min_similarity: float = 1.0) -> None:
        self.taxonomy = taxonomy
        self._near = NearWords(fuzzy_min_similarity, FUZZY_MIN_LENGTH)
        self._stem_of: dict[str, str] = {}  # surface word of a taxonomy term -> its normalised form
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
                    for raw in raw_tokens(term):
                        if normalize_token(raw):
                            self._stem_of.setdefault(surface(raw), normalize_token(raw))
                    if key:
                        self._phrases.setdefault(key, set()).add((kind, concept.id))
                for acronym in concept.acronyms:
                    self._acronyms.setdefault(acronym, set()).add((kind, concept.id))
        if fuzzy_min_similarity < 1.0:
            self._near.add(self._stem_of)
        self._seen: dict[str, tuple[Hit, ...]] = {}
        # Longest phrase per first token: most tokens start no phrase and are skipped at once.
        self._longest: dict[str, int] = {}
        for key in self._phrases:
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))
        self._words = frozenset(t for key in self._phrases for t in key)

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
            for kind, concept_id, confidence in found:
                hits[kind][concept_id] = max(hits[kind].get(concept_id, 0.0), weight * confidence)
        return Found(hits["skill"], hits["sector"], hits["kind"], hits["language"])

    def _lead(self, norm: str) -> str:
        """An Arabic token that starts no phrase may carry a one-letter particle (ل ب ك ف): "لتحلية"."""
        if norm and norm not in self._longest and norm[0] in _AR_PARTICLES and len(norm) >= 4:
            bare = stem_arabic(norm[1:])
            if bare in self._longest:
                return bare
        return norm

    def _spelt(self, raw: str, norm: str) -> tuple[str, float]:
        """The taxonomy word a token stands for, and how surely: itself (1.0), or a near spelling."""
        if not norm or norm in self._words:
            return norm, 1.0
        near = self._near.near(surface(raw))
        return (self._stem_of[near[0][0]], near[0][1]) if near else (norm, 1.0)

    def _scan(self, text: str) -> list[Hit]:
        tokens = [(raw, self._lead(normalize_token(raw))) for raw in raw_tokens(text)]
        items = [(raw, *self._spelt(raw, norm)) for raw, norm in tokens if norm or raw in self._acronyms]
        spans: list[tuple[int, int, set[tuple[ConceptKind, str]], float]] = []
        for i, (raw, _, _) in enumerate(items):
            if raw in self._acronyms and (raw.isupper() or not raw.isalpha()):
                spans.append((i, i + 1, self._acronyms[raw], 1.0))
                continue
            for length in range(min(self._longest.get(items[i][1], 0), len(items) - i), 0, -1):
                key = tuple(norm for _, norm, _ in items[i : i + length])
                if key in self._phrases:
                    confidence = min(c for _, _, c in items[i : i + length])
                    spans.append((i, i + length, self._phrases[key], confidence))
                    break
        # Overlapping phrases both count ("construction en terre" + "terre crue"), but a phrase inside a
        # longer one does not ("crue" inside "terre crue", "water" inside "water polo").
        out: list[Hit] = []
        for start, end, concepts, confidence in spans:
            inside = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _, _ in spans)
            if not inside:
                out.extend((kind, cid, confidence) for kind, cid in sorted(concepts))
        return out
