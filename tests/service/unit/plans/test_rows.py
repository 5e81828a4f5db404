"""A plan's rows as draft needs: the heading row, sections, skips, the stable key and the status."""

import pytest

from sync_service.domain.plans.headings import Override
from sync_service.domain.plans.report import dry_run_document, dry_run_table
from sync_service.domain.plans.rows import PlanError, column_letter, plan_key, read_plan

ROWS = [
    (1, ["Commune de Tanalt — PAC 2023-2028", None, None, None]),
    (2, [None, None, None, None]),
    (3, ["N°", "Intitulé du projet", "Coût (KDH)", "Année"]),
    (4, ["Axe 1 : Eau potable", None, None, None]),
    (5, [1, "Renforcement de l'alimentation en eau potable du douar Ait Ali", "1 200", "2024-2026"]),
    (6, [2, "Étude de faisabilité d'une station d'épuration", 850, 2025]),
    (7, [3, "  renforcement de l'ALIMENTATION en eau potable du douar Aït Ali ", 10, 2030]),
    (8, [4, None, 300, 2025]),
    (9, ["Total", None, 2360, None]),
    (10, [None, None, None, None]),
]


def read(recognizer, recognition, rows=ROWS, **kw):
    return read_plan(rows, "commune-tanalt", recognizer, recognition, **kw)


def test_the_heading_row_is_found_under_the_title_block(recognizer, recognition):
    reading = read(recognizer, recognition)
    assert reading.heading_row == 3
    assert reading.mapping == {"N°": "number", "Intitulé du projet": "title", "Coût (KDH)": "cost",
                               "Année": "year"}
    assert [p.row for p in reading.proposals] == [4, 5, 6, 7, 8, 9]  # trailing empty rows left out


def test_rows_become_needs_or_skips(recognizer, recognition):
    proposals = read(recognizer, recognition).proposals
    assert [(p.row, p.status, p.reason) for p in proposals] == [
        (4, "skipped", "section"), (5, "new", None), (6, "new", None), (7, "new", None),
        (8, "skipped", "no_title"), (9, "skipped", "total")]
    water = proposals[1]
    assert water.concepts.sector and water.concepts.sector.id == "drinking_water"
    assert water.concepts.sector.confidence == 1.0  # from the section line, as a sector field
    assert [s.id for s in water.concepts.skills] == ["rural_water_supply"]
    assert water.cost_mad == 1_200_000 and water.years == (2024, 2026)
    study = proposals[2]
    assert study.concepts.kind and study.concepts.kind.id == "feasibility_study"
    assert study.concepts.kind.confidence == 0.85  # found in the title


def test_the_key_ignores_case_accents_and_spaces_but_not_the_number_or_organisation():
    key = plan_key("commune-tanalt", "1", "Renforcement de l'AEP du douar Aït Ali")
    assert key == plan_key("commune-tanalt", "1", "  renforcement de l'aep du douar ait  ali ")
    assert key != plan_key("commune-tanalt", "2", "Renforcement de l'AEP du douar Aït Ali")
    assert key != plan_key("commune-anzi", "1", "Renforcement de l'AEP du douar Aït Ali")


def test_the_same_project_twice_in_a_file_is_drafted_once(recognizer, recognition):
    rows = [(1, ["Projet", "Année"]), (2, ["Forage d'un puits à Tagadirt", 2025]),
            (3, ["forage d'un puits à Tagadirt ", 2026])]
    proposals = read(recognizer, recognition, rows).proposals
    assert [(p.status, p.reason, dict(p.reason_values)) for p in proposals] == [
        ("new", None, {}), ("skipped", "duplicate", {"row": 2})]


def test_status_against_what_was_imported_before(recognizer, recognition):
    first = read(recognizer, recognition).proposals
    previous = {p.key: p.fingerprint for p in first if p.key}
    again = read(recognizer, recognition, previous=previous).proposals
    assert [p.status for p in again if p.key] == ["unchanged"] * 3
    changed = [*ROWS[:5], (6, [2, "Étude de faisabilité d'une station d'épuration", 900, 2025]), *ROWS[6:]]
    proposals = read(recognizer, recognition, changed, previous=previous).proposals
    statuses = [p.status for p in proposals if p.key]
    assert statuses == ["unchanged", "updated", "unchanged"]


def test_a_bad_amount_names_the_row_and_the_column(recognizer, recognition):
    rows = [*ROWS[:5], (6, [2, "Station d'épuration", "beaucoup", 2025])]
    with pytest.raises(PlanError) as caught:
        read(recognizer, recognition, rows)
    error = caught.value
    assert (error.problem, error.row, error.column, error.values) == (
        "amount", 6, "Coût (KDH)", {"found": "beaucoup", "letter": "C"})


def test_no_heading_row_is_an_error_naming_what_was_seen(recognizer, recognition):
    with pytest.raises(PlanError) as caught:
        read(recognizer, recognition, [(1, ["Couleur", "Taille"]), (2, ["rouge", "grand"])])
    assert caught.value.problem == "no_heading_row" and caught.value.values == {"headings": "Couleur, Taille"}


def test_a_map_chooses_the_heading_row_and_the_fields(recognizer, recognition):
    rows = [(1, ["Désignation", "Enveloppe"]), (2, ["Seuil de recharge de la nappe", "1 900"])]
    reading = read(recognizer, recognition, rows, overrides={"Enveloppe": Override("cost", 1000)})
    assert reading.mapping == {"Désignation": "title", "Enveloppe": "cost"}
    assert reading.proposals[0].cost_mad == 1_900_000
    with pytest.raises(PlanError) as caught:
        read(recognizer, recognition, rows, overrides={"Montant": Override("cost")})
    assert caught.value.problem == "map_not_found"


def test_column_letters():
    letters = [column_letter(i) for i in (0, 3, 25, 26, 27, 701, 702)]
    assert letters == ["A", "D", "Z", "AA", "AB", "ZZ", "AAA"]


def test_the_document_has_exactly_the_documented_shape(recognizer, recognition, translator):
    document = dry_run_document(read(recognizer, recognition), translator, "fr")
    assert list(document) == ["mapping", "rows", "needs"] and document["rows"] == 6
    assert document["needs"][1] == {
        "row": 5, "title": "Renforcement de l'alimentation en eau potable du douar Ait Ali",
        "sector": "drinking_water", "kind": None, "skills": ["rural_water_supply"], "cost_mad": 1_200_000,
        "year": 2024, "status": "new", "reason": None}
    reason = "titre de section « Axe 1 : Eau potable » : secteur des lignes suivantes"
    assert document["needs"][0]["reason"] == reason


@pytest.mark.parametrize(("locale", "expected"), [
    ("fr", "6 lignes lues : 3 nouveaux besoins, 0 inchangé, 0 modifié, 3 lignes ignorées."),
    ("en", "6 lines read: 3 new needs, 0 unchanged, 0 updated, 3 lines skipped."),
    ("ar", "6 أسطر مقروءة: 3 حاجات جديدة، 0 دون تغيير، 0 معدلة، 3 أسطر متروكة."),
])
def test_the_table_speaks_the_locale(recognizer, recognition, translator, taxonomy, locale, expected):
    table = dry_run_table(read(recognizer, recognition), taxonomy, translator, locale)
    assert expected in table.splitlines()
