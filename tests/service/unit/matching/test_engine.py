import pytest

from sync_service.domain.matching.engine import MatchingEngine
from sync_service.domain.matching.explain import explain
from sync_service.domain.matching.records import Expert, Need

HYDRAULIC = Expert(
    "hyd",
    skills=("AEP rurale", "adduction gravitaire"),
    languages=("fr", "ber"),
    modes=("remote", "on_site"),
    availability_hours_per_month=10,
    bio="Ingénieur hydraulicien",
    origin_province="Tiznit",
)
WATER_POLO = Expert(
    "polo",
    skills=("Entraîneur de water-polo",),
    languages=("fr", "ber"),
    modes=("on_site",),
    availability_hours_per_month=20,
    bio="Club de water-polo, piscine et eau",
)
ENGLISH = Expert(
    "eng",
    skills=("rural water supply",),
    languages=("en",),
    modes=("remote",),
    availability_hours_per_month=8,
    bio="Water supply engineer in Rotterdam",
)
IDLE = Expert(
    "idle",
    skills=("AEP", "hydraulique"),
    languages=("fr", "ber"),
    modes=("on_site",),
    availability_hours_per_month=0,
)
TAP_WATER = Need(
    "n1",
    commune="Anzi",
    province="Tiznit",
    title="Eau au robinet pour six douars",
    body="Étude de faisabilité du réseau",
    kind="feasibility_study",
    mode="on_site",
    languages=("ber",),
)


@pytest.fixture
def engine(taxonomy, settings):
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts([HYDRAULIC, WATER_POLO, ENGLISH, IDLE])
    eng.upsert_needs([TAP_WATER])
    return eng


def test_the_hydraulic_engineer_ranks_first_for_tap_water(engine):
    ranked = engine.rank_need("n1")
    assert ranked[0].id == "hyd"


def test_the_water_polo_coach_is_not_suggested_for_a_water_need(engine):
    assert "polo" not in [c.id for c in engine.rank_need("n1")]


def test_an_expert_with_zero_hours_is_never_suggested(engine):
    assert "idle" not in [c.id for c in engine.rank_need("n1", k=10)]


def test_on_site_need_ranks_experts_who_speak_its_language_first(engine, taxonomy, settings):
    fluent_weak = Expert(
        "weak",
        skills=("hydraulique",),
        languages=("ber",),
        modes=("on_site",),
        availability_hours_per_month=2,
    )
    engine.upsert_experts([fluent_weak])
    ids = [c.id for c in engine.rank_need("n1", k=10)]
    assert ids.index("weak") < ids.index("eng")
    assert next(c for c in engine.rank_need("n1", k=10) if c.id == "eng").violation


def test_remote_need_is_not_held_back_by_language_or_on_site_rule(taxonomy, settings):
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts([ENGLISH])
    eng.upsert_needs([Need("r", title="Adduction d'eau potable", mode="remote", languages=("ber",))])
    assert not eng.rank_need("r")[0].violation


def test_breakdown_parts_add_up_to_the_score(engine):
    top = engine.rank_need("n1")[0]
    assert sum(v for k, v in top.breakdown.items() if k != "constraint_factor") == pytest.approx(
        top.score, abs=2e-3
    )


def test_reasons_are_short_sentences_in_french_by_default_and_in_arabic_and_english(engine, translator):
    top = engine.rank_need("n1")[0]
    fr = explain(engine, "n1", top, translator)
    assert "compétences : alimentation en eau potable rurale" in fr
    assert any("tachelhit" in r for r in fr)
    assert any("province de Tiznit" in r for r in fr)
    assert any("الكفاءات" in r for r in explain(engine, "n1", top, translator, "ar"))
    assert "10 h/month" in explain(engine, "n1", top, translator, "en")


def test_ranking_an_expert_against_needs_gives_the_same_score_as_ranking_the_need(engine):
    engine.upsert_needs([Need("n2", commune="Tata", title="Piste rurale à ouvrir", mode="remote")])
    by_need = {c.id: c.score for c in engine.rank_need("n1", k=10)}
    by_expert = {c.id: c.score for c in engine.rank_expert("hyd", k=10)}
    assert by_expert["n1"] == pytest.approx(by_need["hyd"], abs=1e-4)


def test_a_changed_expert_is_ranked_again_without_rebuilding(engine):
    rows_before = engine.experts.size
    engine.upsert_experts(
        [
            Expert(
                "polo",
                skills=("hydraulique", "AEP"),
                languages=("ber",),
                modes=("on_site",),
                availability_hours_per_month=30,
            )
        ]
    )
    assert engine.experts.size == rows_before
    assert "polo" in [c.id for c in engine.rank_need("n1")]


def test_a_removed_expert_is_never_suggested_again(engine):
    engine.remove_expert("hyd")
    assert "hyd" not in [c.id for c in engine.rank_need("n1", k=10)]
    engine.upsert_experts([WATER_POLO])  # reuses the freed row
    assert "hyd" not in [c.id for c in engine.rank_need("n1", k=10)]


def test_an_arabic_need_finds_a_french_profile(taxonomy, settings):
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts([HYDRAULIC, WATER_POLO])
    eng.upsert_needs([Need("ar", title="تزويد الدواوير بالماء الصالح للشرب", languages=("ar",))])
    assert eng.rank_need("ar")[0].id == "hyd"


def test_embedding_component_appears_when_an_embedder_is_given(taxonomy, settings, embedder):
    eng = MatchingEngine(taxonomy, settings, embedder)
    eng.upsert_experts([HYDRAULIC, ENGLISH])
    eng.upsert_needs([TAP_WATER])
    assert "embedding" in eng.rank_need("n1")[0].breakdown


def test_a_record_with_only_an_id_can_be_ranked(taxonomy, settings):
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts([Expert("x")])
    eng.upsert_needs([Need("y")])
    assert eng.rank_need("y") == [] or eng.rank_need("y")[0].id == "x"


def test_ranking_many_needs_at_once_gives_the_same_lists_as_one_by_one(taxonomy, settings, embedder):
    eng = MatchingEngine(taxonomy, settings, embedder)
    eng.upsert_experts([HYDRAULIC, WATER_POLO, ENGLISH, IDLE])
    eng.upsert_needs([TAP_WATER, Need("n2", title="Adduction d'eau potable", mode="remote")])
    together = eng.rank_needs(["n1", "n2"], 3, block=2)
    for need_id in ("n1", "n2"):
        alone = eng.rank_need(need_id, 3)
        assert [c.id for c in together[need_id]] == [c.id for c in alone]
        assert [c.score for c in together[need_id]] == pytest.approx([c.score for c in alone], abs=2e-4)


def test_cached_arrays_follow_changes_removals_and_reused_rows(taxonomy, settings):
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts([HYDRAULIC, WATER_POLO, ENGLISH])
    eng.upsert_needs([TAP_WATER])
    eng.rank_need("n1", 10)  # fills the caches
    eng.remove_expert("hyd")
    eng.upsert_experts([Expert("new", skills=("hydrogéologie",), languages=("ber",), modes=("on_site",))])
    eng.upsert_experts([Expert("eng", skills=("cuisine",), languages=("en",))])
    fresh = MatchingEngine(taxonomy, settings)
    fresh.upsert_experts(
        [
            WATER_POLO,
            Expert("new", skills=("hydrogéologie",), languages=("ber",), modes=("on_site",)),
            Expert("eng", skills=("cuisine",), languages=("en",)),
        ]
    )
    fresh.upsert_needs([TAP_WATER])
    got = {c.id: c.score for c in eng.rank_need("n1", 10)}
    want = {c.id: c.score for c in fresh.rank_need("n1", 10)}
    assert got.keys() == want.keys()
    assert all(abs(got[k] - want[k]) < 1e-4 for k in got)


def test_two_pass_ranking_over_many_experts_keeps_exact_scores(taxonomy, settings):
    import dataclasses

    import numpy as np

    class RandomEmbedder:
        dim = 512

        def encode(self, texts):
            rng = np.random.default_rng(abs(hash(tuple(texts))) % 2**32)
            v = rng.normal(size=(len(texts), 512)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    two_pass = dataclasses.replace(settings, semantic=dataclasses.replace(settings.semantic, scan_above=50))
    experts = [
        Expert(
            f"e{i}",
            skills=("hydraulique",) if i % 3 else ("AEP",),
            availability_hours_per_month=5,
            languages=("ber",),
        )
        for i in range(120)
    ]
    engines = [MatchingEngine(taxonomy, s, RandomEmbedder()) for s in (settings, two_pass)]
    for eng in engines:
        eng.upsert_experts(experts)
        eng.upsert_needs([TAP_WATER])
    exact, fast = (eng.rank_need("n1", 5) for eng in engines)
    many = engines[1].rank_needs(["n1"], 5)["n1"]
    assert engines[1]._scan.basis is not None
    assert [(c.id, c.score) for c in fast] == [(c.id, c.score) for c in exact]
    assert [(c.id, c.score) for c in many] == [(c.id, c.score) for c in exact]


def test_pooled_ranking_of_many_needs_gives_the_lists_of_scoring_every_row(taxonomy, settings):
    import dataclasses
    import random

    rng = random.Random(7)
    skills = [s for s in taxonomy.skills.values() if s.terms]
    experts = [
        Expert(
            f"e{i}",
            skills=tuple(rng.choice(s.terms) for s in rng.sample(skills, 2)),
            languages=tuple(rng.sample(["fr", "ar", "ber", "en"], 2)),
            modes=(rng.choice(["remote", "on_site", "mentoring"]),),
            availability_hours_per_month=rng.choice([0, 3, 10, None]),
            origin_province=rng.choice(["Tiznit", "Tata"]),
        )
        for i in range(400)
    ]
    needs = [
        Need(f"n{j}", title=rng.choice(rng.choice(skills).terms), languages=("ber",), mode="on_site")
        for j in range(20)
    ]
    small_pool = dataclasses.replace(settings, semantic=dataclasses.replace(settings.semantic, rescore=40))
    engines = [MatchingEngine(taxonomy, s) for s in (settings, small_pool)]
    for eng in engines:
        eng.upsert_experts(experts)
        eng.upsert_needs(needs)
    every_row, pooled = (eng.rank_needs([n.id for n in needs], 5) for eng in engines)
    assert engines[1].pool_misses < len(needs)  # the pool did serve some needs
    for need in needs:
        want, got = every_row[need.id], pooled[need.id]
        assert [c.score for c in got] == [c.score for c in want]
        # Experts tied on the last score may be swapped; every one above it is the same.
        assert {c.id for c in got if c.score > got[-1].score} == {
            c.id for c in want if c.score > want[-1].score
        }


def test_bio_words_of_a_profile_outside_the_plan_count_little(taxonomy, settings):
    cyclist = Expert(
        "bike",
        skills=("cyclisme sur route",),
        languages=("ber",),
        modes=("on_site",),
        availability_hours_per_month=10,
        bio="J'organise des randonnées sur les pistes et routes de l'Atlas.",
    )
    builder = Expert(
        "road",
        skills=("routes rurales", "ouvrages d'art"),
        languages=("ber",),
        modes=("on_site",),
        availability_hours_per_month=10,
    )
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts([cyclist, builder])
    eng.upsert_needs([Need("n", title="Ouvrir une piste et un radier", languages=("ber",), mode="on_site")])
    ranked = {c.id: c.score for c in eng.rank_need("n", 5)}
    assert ranked["road"] > 2 * ranked.get("bike", 0.0)


def test_a_language_named_in_the_bio_counts_as_spoken(taxonomy, settings):
    eng = MatchingEngine(taxonomy, settings)
    eng.upsert_experts(
        [
            Expert(
                "bio",
                skills=("AEP rurale",),
                modes=("on_site",),
                availability_hours_per_month=10,
                bio="Je parle couramment le tachelhit et l'arabe.",
            )
        ]
    )
    eng.upsert_needs([TAP_WATER])
    (only,) = eng.rank_need("n1", 5)
    assert not only.violation and only.breakdown["language"] > 0


def test_a_profile_the_taxonomy_cannot_read_is_judged_more_on_words_and_meaning(taxonomy, settings):
    import dataclasses

    share = dataclasses.replace(settings.recognition, unrecognised_profile_share=0.5)
    lenient = dataclasses.replace(settings.constraints, min_relevance=0.0, min_score=0.0)
    engine = MatchingEngine(taxonomy, dataclasses.replace(settings, recognition=share, constraints=lenient))
    dutch = Expert("nl", bio="Ik ontwerp drinkwaterleidingen voor dorpen", availability_hours_per_month=5)
    engine.upsert_experts([HYDRAULIC, dutch])
    engine.upsert_needs([TAP_WATER])
    (scored,) = [c for c in engine.rank_need("n1", 5) if c.id == "nl"]
    whole = dataclasses.replace(settings.recognition, unrecognised_profile_share=1.0)
    full = MatchingEngine(taxonomy, dataclasses.replace(settings, recognition=whole, constraints=lenient))
    full.upsert_experts([HYDRAULIC, dutch])
    full.upsert_needs([TAP_WATER])
    (unshared,) = [c for c in full.rank_need("n1", 5) if c.id == "nl"]
    # Nothing recognised: the skills and sectors it cannot show weigh less, so its other parts weigh more.
    assert scored.breakdown["mode"] > unshared.breakdown["mode"]
    assert scored.score > unshared.score
    (back,) = [c for c in engine.rank_expert("nl", 5) if c.id == "n1"]
    assert back.score == scored.score


def test_pooled_ranking_stays_exact_when_unrecognised_profiles_weigh_less(taxonomy, settings):
    import dataclasses
    import random

    rng = random.Random(3)
    skills = [s for s in taxonomy.skills.values() if s.terms]
    experts = [
        Expert(
            f"e{i}",
            skills=tuple(rng.choice(s.terms) for s in rng.sample(skills, 2)) if i % 4 else (),
            bio="" if i % 4 else rng.choice(["Ik ontwerp waterleidingen", "Trabajo en cooperativas"]),
            availability_hours_per_month=rng.choice([3, 10, None]),
        )
        for i in range(400)
    ]
    needs = [Need(f"n{j}", title=rng.choice(rng.choice(skills).terms)) for j in range(10)]
    share = dataclasses.replace(settings.recognition, unrecognised_profile_share=0.3)
    lenient = dataclasses.replace(settings.constraints, min_relevance=0.0)
    base = dataclasses.replace(settings, recognition=share, constraints=lenient)
    small_pool = dataclasses.replace(base, semantic=dataclasses.replace(settings.semantic, rescore=40))
    engines = [MatchingEngine(taxonomy, s) for s in (base, small_pool)]
    for eng in engines:
        eng.upsert_experts(experts)
        eng.upsert_needs(needs)
    every_row, pooled = (eng.rank_needs([n.id for n in needs], 5) for eng in engines)
    for need in needs:
        assert [c.score for c in pooled[need.id]] == [c.score for c in every_row[need.id]]
