import pytest

from sync_service.config import ConfigError
from sync_service.config.matching import load_matching_settings, load_taxonomy
from sync_service.domain.matching.taxonomy import Recognizer


def test_every_sector_named_by_the_issue_is_in_the_taxonomy(taxonomy):
    expected = {
        "drinking_water",
        "sanitation",
        "irrigation_agriculture",
        "energy",
        "roads_structures",
        "buildings_heritage",
        "education",
        "health",
        "digital",
        "rural_tourism",
        "social_economy",
        "waste_environment",
        "climate_risks",
        "local_governance",
        "finance_procurement",
        "planning_gis",
        "training",
    }
    assert expected <= set(taxonomy.sectors)
    assert set(taxonomy.kinds) == {
        "feasibility_study",
        "technical_expertise",
        "training",
        "funding_search",
        "project_management",
        "other",
    }


def test_every_entry_has_fr_ar_en_labels(taxonomy):
    for kind in ("language", "sector", "kind", "skill"):
        for concept in taxonomy.table(kind).values():
            assert all(concept.labels[loc].strip() for loc in ("fr", "ar", "en")), concept.id


def test_vocabulary_mismatch_is_bridged_by_the_taxonomy(recognizer):
    official = recognizer.find(["eau au robinet pour six douars"])
    expert = recognizer.find(["AEP rurale, adduction gravitaire"])
    arabic = recognizer.find(["الماء الصالح للشرب في الدواوير"])
    assert "rural_water_supply" in official.skills
    assert "rural_water_supply" in expert.skills
    assert "rural_water_supply" in arabic.skills


def test_water_polo_is_a_sport_not_drinking_water(recognizer):
    found = recognizer.find(["Entraîneur de water-polo"])
    assert set(found.skills) == {"sports_coaching"}
    assert "drinking_water" not in found.sectors


def test_acronyms_count_only_in_capitals(recognizer):
    assert "wastewater_treatment" in recognizer.find(["ingénieur STEP"]).skills
    assert recognizer.find(["step by step"]).skills == {}


def test_language_names_are_recognised(recognizer):
    assert set(recognizer.find(["parle tachelhit et français"]).languages) == {"ber", "fr"}


def test_a_skill_naming_an_unknown_sector_is_refused_with_file_key_found_expected(tmp_path):
    bad = tmp_path / "taxonomy.yaml"
    label = "{fr: a, ar: ب, en: c}"
    bad.write_text(
        f"languages: {{fr: {{label: {label}}}}}\nsectors: {{water: {{label: {label}}}}}\n"
        f"kinds: {{other: {{label: {label}}}}}\n"
        f"skills: {{aep: {{label: {label}, sectors: [wter]}}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_taxonomy(bad)
    assert err.value.key == "skills.aep.sectors[0]" and err.value.found == "wter"
    assert str(bad) in str(err.value)


def test_a_label_missing_arabic_is_refused(tmp_path):
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("languages: {fr: {label: {fr: a, en: b}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_taxonomy(bad)
    assert err.value.key == "languages.fr.label"


def test_matching_settings_refuse_an_unknown_weight(tmp_path):
    bad = tmp_path / "matching.yaml"
    bad.write_text("weights: {skils: 0.3}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_matching_settings(bad)
    assert err.value.key == "weights.skils"


def test_matching_settings_refuse_a_negative_weight(tmp_path):
    bad = tmp_path / "matching.yaml"
    bad.write_text("weights: {bm25: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_matching_settings(bad)
    assert err.value.key == "weights.bm25" and err.value.found == -1


def test_the_shipped_config_loads(settings):
    assert settings.assignment.max_open_introductions == 2
    assert settings.default_locale == "fr"


def test_recognizer_builds_from_the_shipped_taxonomy(taxonomy):
    assert Recognizer(taxonomy).find(["SIG"]).skills == {"gis_mapping": 1.0}


def test_an_arabic_word_with_a_one_letter_particle_is_recognised(recognizer):
    found = recognizer.find(["نريد دراسة وحدة لتحلية المياه"])
    assert "water_treatment" in found.skills


def test_amazigh_written_in_tifinagh_or_named_tarifit_is_recognised(recognizer):
    assert "ber" in recognizer.find(["ⵜⴰⵛⵍⵃⵉⵜ"]).languages
    assert "ber" in recognizer.find(["je parle tarifit"]).languages
