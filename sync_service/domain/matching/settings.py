"""Weights and limits of the matching engine (filled from config/matching.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Weights:
    """Relative weight of each score component; a component absent for a pair is left out of the mean."""

    skills: float = 0.30
    sectors: float = 0.15
    kind: float = 0.05
    bm25: float = 0.15
    embedding: float = 0.20
    language: float = 0.05
    mode: float = 0.04
    availability: float = 0.03
    affinity: float = 0.03


@dataclass(frozen=True)
class Recognition:
    """How much a concept counts depending on where it was found."""

    field_weight: float = 1.0
    text_weight: float = 0.7
    title_weight: float = 0.85
    implied_sector_weight: float = 0.8
    secondary_sector_share: float = 0.5
    related_skill_credit: float = 0.35
    linked_sector_credit: float = 0.5
    trap_profile_share: float = 0.3  # bio concepts of a profile whose own skills are all outside the plan


@dataclass(frozen=True)
class Lexical:
    """BM25 parameters; the raw score s becomes s / (s + half_saturation)."""

    k1: float = 1.2
    b: float = 0.75
    half_saturation: float = 6.0


@dataclass(frozen=True)
class Semantic:
    """Cosine similarity mapped linearly from [floor, ceiling] to [0, 1]."""

    floor: float = 0.15
    ceiling: float = 0.65
    scan_above: int = 20_000  # from this many experts, one need is ranked in two passes (scan.py)
    scan_dims: int = 128
    rescore: int = 300  # the pool of rows given the full score (engine._rank_pooled)


@dataclass(frozen=True)
class Constraints:
    """Hard and soft rules."""

    violation_factor: float = 0.5
    min_score: float = 0.12
    min_relevance: float = 0.15
    full_availability_hours: float = 10.0
    load_penalty: float = 0.05


@dataclass(frozen=True)
class Assignment:
    """The global plan."""

    max_open_introductions: int = 2
    proposals_per_need: int = 3
    candidates_per_need: int = 20


@dataclass(frozen=True)
class MatchingSettings:
    """Everything config/matching.yaml may set."""

    weights: Weights = field(default_factory=Weights)
    recognition: Recognition = field(default_factory=Recognition)
    lexical: Lexical = field(default_factory=Lexical)
    semantic: Semantic = field(default_factory=Semantic)
    constraints: Constraints = field(default_factory=Constraints)
    assignment: Assignment = field(default_factory=Assignment)
    default_locale: str = "fr"
    top: int = 5
