"""Weights and limits of the matching engine. Their values live in config/matching.yaml only (every
key required there): no default here could drift from it. `metadata` bounds what the file may say."""

from __future__ import annotations

from dataclasses import dataclass, field

AT_LEAST_ONE = {"min": 1}
SHARE = {"min": 0, "max": 1}


@dataclass(frozen=True)
class Weights:
    """Relative weight of each score component; a component absent for a pair is left out of the mean."""

    skills: float
    sectors: float
    kind: float
    bm25: float
    embedding: float
    language: float
    mode: float
    availability: float
    affinity: float


@dataclass(frozen=True)
class Recognition:
    """How much a concept counts depending on where it was found."""

    field_weight: float
    text_weight: float
    title_weight: float
    implied_sector_weight: float
    secondary_sector_share: float
    related_skill_credit: float
    linked_sector_credit: float
    trap_profile_share: float  # bio concepts of a profile whose own skills are all outside the plan
    fuzzy_min_similarity: float = field(metadata=SHARE)  # a misspelt word stands for a taxonomy word
    # the skills and sectors weights count this share for a profile where no skill nor sector was recognised
    unrecognised_profile_share: float = field(metadata=SHARE)


@dataclass(frozen=True)
class Lexical:
    """BM25 parameters; the raw score s becomes s / (s + half_saturation)."""

    k1: float
    b: float
    half_saturation: float
    fuzzy_credit: float  # a near spelling of a need's word counts this share of the word itself
    fuzzy_min_similarity: float = field(metadata=SHARE)  # 1 - edit distance / length: words are near from it
    fuzzy_min_length: int = field(metadata=AT_LEAST_ONE)  # shorter words must be spelt exactly


@dataclass(frozen=True)
class Semantic:
    """Cosine similarity mapped linearly from [floor, ceiling] to [0, 1]."""

    floor: float
    ceiling: float
    # from this many experts, one need is ranked in two passes (scan.py)
    scan_above: int = field(metadata=AT_LEAST_ONE)
    scan_dims: int = field(metadata=AT_LEAST_ONE)
    rescore: int = field(metadata=AT_LEAST_ONE)  # the pool of rows given the full score (engine._rank_pooled)
    # a text holds a skill whose labels are close in meaning: weight x cosine mapped from [floor, ceiling]
    concept_weight: float = field(metadata=SHARE)
    concept_floor: float
    concept_ceiling: float
    # taxonomy matches (skills, sectors, kind) count this share, plus the rest times the meaning's
    # agreement (the embedding component): 1 = they count alone
    agreement: float = field(default=1.0, metadata=SHARE)


@dataclass(frozen=True)
class Constraints:
    """Hard and soft rules."""

    violation_factor: float = field(metadata=SHARE)
    min_score: float
    min_relevance: float
    full_availability_hours: float
    load_penalty: float


@dataclass(frozen=True)
class Bands:
    """The words a score is shown with: strong from `strong`, good from `good`, possible below."""

    strong: float = field(metadata=SHARE)
    good: float = field(metadata=SHARE)

    def of(self, score: float) -> str:
        """"strong", "good" or "possible"."""
        if score >= self.strong:
            return "strong"
        return "good" if score >= self.good else "possible"


@dataclass(frozen=True)
class Assignment:
    """The global plan."""

    max_open_introductions: int = field(metadata=AT_LEAST_ONE)
    proposals_per_need: int = field(metadata=AT_LEAST_ONE)
    candidates_per_need: int = field(metadata=AT_LEAST_ONE)


@dataclass(frozen=True)
class MatchingSettings:
    """Everything config/matching.yaml may set."""

    weights: Weights
    recognition: Recognition
    lexical: Lexical
    semantic: Semantic
    constraints: Constraints
    bands: Bands
    assignment: Assignment
    default_locale: str
    top: int = field(metadata=AT_LEAST_ONE)
