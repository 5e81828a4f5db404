"""Skills recognised by meaning: profiles the taxonomy cannot read word for word still show their skills."""

from __future__ import annotations

import dataclasses

from sync_service.domain.matching.engine import MatchingEngine
from sync_service.domain.matching.explain import explain
from sync_service.domain.matching.records import Expert, Need

DUTCH = Expert(
    "nl",
    bio="Ingenieur drinkwatervoorziening: ik ontwerp waterleidingen en reservoirs voor dorpen.",
    availability_hours_per_month=6,
)
POLO = Expert("polo", skills=("Entraîneur de water-polo",), bio="Club de water-polo, piscine")


def _features(engine, expert_id):
    return engine.experts.features[engine.experts.row_of[expert_id]]


def test_a_dutch_profile_holds_the_water_skills_it_means_at_partial_weight(taxonomy, settings, embedder):
    engine = MatchingEngine(taxonomy, settings, embedder)
    engine.upsert_experts([DUTCH])
    feats = _features(engine, "nl")
    assert "rural_water_supply" in feats.inferred
    assert 0 < feats.skills["rural_water_supply"] <= settings.semantic.concept_weight
    assert "drinking_water" in feats.sectors  # the skill's home sector comes with it


def test_without_an_embedder_or_at_weight_zero_nothing_is_inferred(taxonomy, settings, embedder):
    off = dataclasses.replace(settings, semantic=dataclasses.replace(settings.semantic, concept_weight=0.0))
    for engine in (MatchingEngine(taxonomy, settings), MatchingEngine(taxonomy, off, embedder)):
        engine.upsert_experts([DUTCH])
        assert not _features(engine, "nl").inferred


def test_a_profile_outside_the_plan_means_the_plan_little(taxonomy, settings, embedder):
    engine = MatchingEngine(taxonomy, settings, embedder)
    engine.upsert_experts([POLO])
    feats = _features(engine, "polo")
    water = [w for k, w in feats.skills.items() if k in feats.inferred]
    cap = settings.semantic.concept_weight * settings.recognition.trap_profile_share
    assert all(w <= cap for w in water)


def test_a_skill_recognised_by_meaning_is_named_as_related_not_as_declared(
    taxonomy, settings, embedder, translator
):
    engine = MatchingEngine(taxonomy, settings, embedder)
    engine.upsert_experts([DUTCH])
    engine.upsert_needs([Need("n", title="Eau potable pour les douars", body="Amener l'eau au robinet.")])
    (candidate,) = [c for c in engine.rank_need("n", 5) if c.id == "nl"]
    said = explain(engine, "n", candidate, translator, "fr")
    assert not any(line.startswith("compétences :") for line in said)
    assert any(line.startswith("compétences voisines") for line in said)
    # The same pair from the expert's side scores the same.
    (back,) = [c for c in engine.rank_expert("nl", 5) if c.id == "n"]
    assert back.score == candidate.score
