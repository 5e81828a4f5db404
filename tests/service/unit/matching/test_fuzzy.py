"""Spelling tolerance: near words, fuzzy taxonomy concepts weighted by their confidence, fuzzy BM25."""

from __future__ import annotations

import dataclasses

from sync_service.domain.matching.engine import MatchingEngine
from sync_service.domain.matching.fuzzy import NearWords, distance, similarity
from sync_service.domain.matching.records import Expert, Need
from sync_service.domain.matching.taxonomy import Recognizer


def test_edit_distance_counts_a_swap_of_neighbours_as_one_edit():
    assert distance("irigation", "irrigation") == 1
    assert distance("achier", "cahier") == 1
    assert distance("gestion", "gestion") == 0


def test_a_word_with_another_first_letter_is_not_near():
    assert similarity("gestion", "digestion") == 0.0
    assert similarity("achier", "cahier") > 0.8  # the first two letters swapped is a typo


def test_near_words_finds_a_misspelling_and_not_a_different_word():
    words = NearWords(min_similarity=0.84, min_length=5)
    words.add(["irrigation", "robinet", "forage", "fromage"])
    assert words.near("irigation") == (("irrigation", 0.9),)
    assert words.near("robnet")[0][0] == "robinet"
    assert "fromage" not in dict(words.near("forages"))


def test_near_words_answers_again_after_learning_a_new_word():
    words = NearWords(min_similarity=0.84, min_length=5)
    assert words.near("hydrauliqe") == ()
    words.add(["hydraulique"])
    assert words.near("hydrauliqe")[0][0] == "hydraulique"


def test_a_misspelt_skill_is_recognised_with_less_weight_than_the_right_spelling(taxonomy, settings):
    recognizer = Recognizer(taxonomy, settings.recognition.fuzzy_min_similarity)
    right = recognizer.find(["irrigation goutte à goutte"]).sectors["irrigation_agriculture"]
    typo = recognizer.find(["irigation"]).sectors["irrigation_agriculture"]
    assert right == 1.0
    assert 0.84 <= typo < 1.0


def test_missing_accents_are_no_typo(taxonomy, settings):
    recognizer = Recognizer(taxonomy, settings.recognition.fuzzy_min_similarity)
    assert recognizer.find(["etude de faisabilite"]) == recognizer.find(["étude de faisabilité"])


def test_without_fuzzy_matching_a_misspelt_word_is_not_recognised(taxonomy):
    assert "irrigation_agriculture" not in Recognizer(taxonomy).find(["irigation"]).sectors


def test_a_profile_with_a_typo_still_matches_the_need_word_for_word(taxonomy, settings):
    # Words only (no concept, no embedding): keep every candidate to compare their lexical parts.
    lenient = dataclasses.replace(settings.constraints, min_relevance=0.0, min_score=0.0)
    engine = MatchingEngine(taxonomy, dataclasses.replace(settings, constraints=lenient))
    engine.upsert_experts(
        [
            Expert("typo", bio="Je connais bien la tadelakte et les enduits", availability_hours_per_month=5),
            Expert("other", bio="Je connais bien les enduits", availability_hours_per_month=5),
        ]
    )
    engine.upsert_needs([Need("n", title="Enduits en tadelakt pour la maison commune")])
    ranked = engine.rank_need("n")
    assert [c.id for c in ranked][:1] == ["typo"]
    assert ranked[0].breakdown["bm25"] > ranked[1].breakdown["bm25"]
    # The same pair read from the expert's side scores the same.
    (back,) = [c for c in engine.rank_expert("typo") if c.id == "n"]
    assert back.score == ranked[0].score
