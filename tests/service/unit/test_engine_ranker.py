"""services/ranking.py: the matching engine as the brokerage uses it (no embedder, the packaged
taxonomy and weights): the plan's shortlists and the review topics' rankings agree within a pass."""

from __future__ import annotations

import dataclasses

from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ranking import EngineRanker
from tests.configured import packaged

WATER = NeedDetails(7, "Eau potable pour six douars", 1, "rkia", commune="Anzi", province="Tiznit",
                    sector="drinking_water", skills=("alimentation en eau potable rurale",),
                    languages=("ber",), mode="on_site",
                    body="Étude d'adduction d'eau potable et réseau de distribution pour six douars.")


def expert(user_id: int, skills: tuple[str, ...],
           languages: tuple[str, ...] = ("ber", "fr")) -> ExpertProfile:
    return ExpertProfile(user_id, f"expert{user_id}", skills=skills, sectors=("drinking_water",),
                         languages=languages, modes=("on_site", "remote"), availability_hours=20)


PEOPLE = [expert(1, ("alimentation en eau potable rurale", "hydraulique")),
          expert(2, ("hydraulique",)),
          expert(3, ("alimentation en eau potable rurale",), languages=("fr",)),  # breaks the language rule
          expert(4, ("forage", "hydrogéologie"))]


def ranker() -> EngineRanker:
    config = packaged()
    built = EngineRanker(config.taxonomy, config.matching, config.translator)
    built.refresh(PEOPLE, [WATER], {})
    return built


def test_shortlists_leave_out_rule_breakers_and_the_excluded_in_the_order_rank_gives() -> None:
    engine = ranker()

    [shortlist] = engine.shortlists({7: {2}}, 10).values()
    ranked = engine.rank(7, 10, {2}, "fr")

    assert 3 in [c.user_id for c in ranked] and 2 not in [c.user_id for c in ranked]
    assert [c.user_id for c in shortlist] == [c.user_id for c in ranked if c.user_id != 3]
    assert [c.score for c in shortlist] == [c.score for c in ranked if c.user_id != 3]
    assert engine.shortlists({7: set(), 99: set()}, 1)[99] == []


def test_a_refresh_ranks_anew() -> None:
    engine = ranker()
    assert [c.user_id for c in engine.shortlists({7: set()}, 3)[7]] == [1, 2, 4]

    engine.refresh([*PEOPLE[:3], dataclasses.replace(PEOPLE[3], skills=PEOPLE[0].skills)], [WATER], {})

    assert [c.user_id for c in engine.shortlists({7: set()}, 3)[7]] == [1, 4, 2]
    assert [c.user_id for c in engine.rank(7, 3, set(), "fr")] == [1, 4, 2]
