"""A taxonomy match counts less when the texts' meanings are far apart (semantic.agreement)."""

from __future__ import annotations

import dataclasses

import numpy as np

from sync_service.domain.matching.components import COMPONENTS, combine
from sync_service.domain.matching.settings import MatchingSettings


def score(settings: MatchingSettings, agreement: float, meaning: float) -> float:
    """One pair matched on its skills, sectors and kind, whose meanings agree this much."""
    semantic = dataclasses.replace(settings.semantic, agreement=agreement)
    chosen = dataclasses.replace(settings, semantic=semantic)
    values = {name: np.array([0.0], np.float32) for name in COMPONENTS}
    values.update(skills=np.array([1.0], np.float32), sectors=np.array([1.0], np.float32),
                  kind=np.array([1.0], np.float32), embedding=np.array([meaning], np.float32))
    present = {name: np.array([True]) for name in COMPONENTS}
    scored = combine(values, present, np.array([False]), np.array([False]), np.array([0.0], np.float32),
                     chosen, 1)
    return float(scored.score[0])


def test_a_concept_match_far_in_meaning_counts_the_agreement_share(settings: MatchingSettings) -> None:
    assert score(settings, 0.75, 0.0) < score(settings, 1.0, 0.0)  # far apart: it counts 75 %
    assert score(settings, 0.75, 1.0) == score(settings, 1.0, 1.0)  # the same meaning: in full


def test_agreement_never_raises_a_score_and_is_matching_yaml_s_choice(settings: MatchingSettings) -> None:
    for meaning in (0.0, 0.3, 0.7, 1.0):  # the pool's bounds (engine._rank_pooled) stay upper bounds
        assert score(settings, 0.75, meaning) <= score(settings, 1.0, meaning)
    assert settings.semantic.agreement == 0.75  # matching.yaml's choice (docs/matching.md)
