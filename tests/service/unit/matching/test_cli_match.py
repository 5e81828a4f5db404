import json

import pytest
from click.testing import CliRunner

from sync_service.entrypoints.cli import cli
from tests.service.unit.matching.conftest import ROOT

EXPERTS = [
    {
        "id": "hyd",
        "name": "Brahim",
        "languages": ["fr", "ber"],
        "skills": ["AEP rurale"],
        "modes": ["remote", "on_site"],
        "availability_hours_per_month": 10,
        "origin_province": "Tiznit",
        "bio": "Ingénieur hydraulicien",
    },
    {"id": "polo", "skills": ["entraîneur de water-polo"], "languages": ["fr"], "modes": ["on_site"]},
    {
        "id": 7,
        "skills": ["hydraulique", "forages"],
        "languages": ["ar", "ber"],
        "modes": ["on_site"],
        "availability_hours_per_month": None,
        "country": None,
    },
]
NEEDS = [
    {
        "id": "n1",
        "commune": "Anzi",
        "province": "Tiznit",
        "title": "Eau au robinet pour six douars",
        "mode": "on_site",
        "languages": ["ber"],
    },
    {"id": "n2", "commune": "Anzi", "title": "Forages pour l'eau potable", "mode": None},
    {"id": "n3", "commune": "Tata", "title": "Adduction d'eau potable"},
]
CONFIG: list[str] = []  # the packaged configuration


@pytest.fixture
def files(tmp_path):
    experts, needs = tmp_path / "experts.json", tmp_path / "needs.json"
    experts.write_text(json.dumps(EXPERTS), encoding="utf-8")
    needs.write_text(json.dumps(NEEDS), encoding="utf-8")
    return str(experts), str(needs)


def test_match_prints_the_documented_json(files):
    result = CliRunner().invoke(cli, ["match",
        "--experts", files[0], "--needs", files[1], "--no-embedding", *CONFIG]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    first = out["results"][0]
    assert first["need"] == "n1"
    assert first["suggestions"][0]["expert"] == "hyd"
    assert isinstance(first["suggestions"][0]["score"], float)
    assert first["suggestions"][0]["reasons"][0].startswith("compétences")
    assert "assignment" not in out


def test_match_keeps_numeric_ids_as_numbers(files):
    out = json.loads(
        CliRunner()
        .invoke(cli, ["match", "--experts", files[0], "--needs", files[1], "--no-embedding", *CONFIG])
        .output
    )
    assert 7 in [s["expert"] for r in out["results"] for s in r["suggestions"]]


def test_match_with_assign_adds_a_plan_within_capacity(files):
    result = CliRunner().invoke(cli, ["match",
        "--experts", files[0], "--needs", files[1], "--assign", "--no-embedding", *CONFIG]
    )
    plan = json.loads(result.output)["assignment"]
    counts: dict[object, int] = {}
    for p in plan["proposals"]:
        for e in p["experts"]:
            counts[e["expert"]] = counts.get(e["expert"], 0) + 1
    assert max(counts.values()) <= 2
    assert plan["uncovered_communes"] == []


def test_match_table_format_in_arabic(files):
    result = CliRunner().invoke(cli, ["match",
            "--experts",
            files[0],
            "--needs",
            files[1],
            "--format",
            "table",
            "--locale",
            "ar",
            "--no-embedding",
            *CONFIG,
        ],
    )
    assert result.exit_code == 0
    assert "need n1" in result.output and "الكفاءات" in result.output


def test_invalid_record_is_one_message_naming_record_and_field_and_exit_2(tmp_path, files):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([{"id": "a"}, {"id": "b", "availability_hours_per_month": "lots"}]), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["match",
        "--experts", str(bad), "--needs", files[1], "--no-embedding", *CONFIG]
    )
    assert result.exit_code == 2
    assert "expert #2 (id 'b'): field 'availability_hours_per_month'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_need_mode_outside_the_schema_is_refused(tmp_path, files):
    bad = tmp_path / "needs.json"
    bad.write_text(json.dumps([{"id": "x", "mode": "hybrid"}]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["match",
        "--experts", files[0], "--needs", str(bad), "--no-embedding", *CONFIG]
    )
    assert result.exit_code == 2 and "need #1 (id 'x'): field 'mode'" in result.output


def test_broken_json_names_the_line(tmp_path, files):
    bad = tmp_path / "needs.json"
    bad.write_text('[{"id": "x",}]', encoding="utf-8")
    result = CliRunner().invoke(cli, ["match",
        "--experts", files[0], "--needs", str(bad), *CONFIG])
    assert result.exit_code == 2 and "line 1" in result.output


def test_eval_prints_the_engine_beside_both_baselines(embedder):
    result = CliRunner().invoke(cli, ["eval", "--data", str(ROOT / "tests/data/eval"), *CONFIG])
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0].strip(): line.split()[-3:] for line in result.output.splitlines()[2:]}
    engine, bm25, emb = (
        float(lines[k][0]) for k in ("codev engine", "baseline: BM25 raw", "baseline: embedding")
    )
    assert engine > bm25 and engine > emb
