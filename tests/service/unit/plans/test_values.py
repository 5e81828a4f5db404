"""Cells as communes fill them (amounts, years, totals, sections, projects done), and their headings."""

import pytest

from sync_service.domain.plans.headings import Override, guess_field, heading_unit, map_columns
from sync_service.domain.plans.values import (
    InvalidValue,
    is_done,
    is_total,
    parse_amount,
    parse_years,
    section_title,
)


@pytest.mark.parametrize(("cell", "unit", "dirhams"), [
    ("1 200 000,00 DH", 1, 1_200_000),
    ("1\u202f200\u00a0000 MAD", 1, 1_200_000),
    ("1.200.000", 1, 1_200_000),
    ("1,200,000.50", 1, 1_200_000),
    ("850,000", 1, 850_000),
    ("1,2 MDH", 1, 1_200_000),
    ("3 millions de DH", 1, 3_000_000),
    ("1,250 MDH", 1, 1_250_000),
    ("12 500 000 DH TTC", 1, 12_500_000),
    ("850", 1000, 850_000),
    ("2,5", 1000, 2_500),
    (1250.5, 1000, 1_250_500),
    ("1 200 000 DH", 1000, 1_200_000),  # the cell's own unit wins over the column's
    ("1 800 000 درهم", 1, 1_800_000),
    (400, 1, 400),
])
def test_amounts_as_communes_write_them(cell, unit, dirhams):
    assert parse_amount(cell, unit) == dirhams


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "—", "PM", "à déterminer", "A définir", "néant",
                                  "غير محدد"])
def test_an_amount_not_known_yet_is_none(cell):
    assert parse_amount(cell) is None


@pytest.mark.parametrize("cell", ["environ 300 000 ou plus", "douze mille", "1.2.3,4", "12,5,3", -5, True])
def test_an_unreadable_amount_is_refused(cell):
    with pytest.raises(InvalidValue) as caught:
        parse_amount(cell)
    assert caught.value.expected == "amount" and caught.value.found == cell


@pytest.mark.parametrize(("cell", "years"), [
    ("2025", (2025, 2025)), (2025, (2025, 2025)), (2025.0, (2025, 2025)), ("2024-2026", (2024, 2026)),
    ("2024 – 2026", (2024, 2026)), ("2025/26", (2025, 2026)), ("2023 à 2028", (2023, 2028)),
    ("T2 2026", (2026, 2026)), ("15/03/2025", (2025, 2025)), ("2027-01-01T00:00:00", (2027, 2027)),
    ("à déterminer", None), (None, None),
])
def test_years_and_ranges(cell, years):
    assert parse_years(cell) == years


@pytest.mark.parametrize("cell", ["bientôt", 45000, "1850"])
def test_a_cell_without_a_year_is_refused(cell):
    with pytest.raises(InvalidValue):
        parse_years(cell)


@pytest.mark.parametrize(("cells", "total"), [
    (["Total", None, "1 000"], True), (["Total général"], True), ([None, "Sous-total axe 2", 40], True),
    (["المجموع", None], True), (["TOTAL"], True), (["Totalisation des compteurs d'eau"], False),
    ([1, "Construction d'une école"], False),
])
def test_totals_lines(cells, total):
    assert is_total(cells) is total


def test_section_lines_merged_or_alone_or_named_so():
    assert section_title(["Axe 1 : Eau potable"] * 6, title_index=1) == "Axe 1 : Eau potable"
    assert section_title(["Programme santé", None, None], title_index=1) == "Programme santé"
    assert section_title([None, "Axe 2 : Routes", None], title_index=1) == "Axe 2 : Routes"
    assert section_title([None, "Construction d'une école", None], title_index=1) is None
    assert section_title([3, None, None], title_index=1) is None


@pytest.mark.parametrize(("progress", "done"), [
    ("Réalisé", True), ("achevée", True), ("منجز", True), ("Non réalisé", False), ("غير منجز", False),
    ("En cours de réalisation", False), ("À réaliser", False), (None, False),
])
def test_projects_already_done(progress, done):
    assert is_done(progress) is done


@pytest.mark.parametrize(("heading", "field"), [
    ("N°", "number"), ("N° projet", "number"), ("Nom du projet", "title"), ("Intitulé", "title"),
    ("Projet / Action", "title"), ("Axe stratégique", "sector"), ("Localisation / Douar", "location"),
    ("Coût estimatif (KDH)", "cost"), ("Part de la commune", "commune_share"),
    ("Partenaires / Financement", "partners"), ("Source de financement", "partners"),
    ("Année / Échéance", "year"), ("Période de réalisation", "year"), ("Priorité", "priority"),
    ("État d'avancement", "progress"), ("Observations", "notes"), ("ر.ت", "number"),
    ("عنوان المشروع", "title"), ("المحور", "sector"), ("الدوار", "location"),
    ("الكلفة التقديرية (درهم)", "cost"), ("مساهمة الجماعة", "commune_share"), ("مصادر التمويل", "partners"),
    ("سنة الإنجاز", "year"), ("الأولوية", "priority"), ("الحالة", "progress"), ("Couleur", None), ("", None),
])
def test_headings_in_french_and_arabic(heading, field):
    assert guess_field(heading) == field


@pytest.mark.parametrize(("heading", "unit"), [
    ("Coût (KDH)", 1000), ("Coût (en milliers de DH)", 1000), ("الكلفة (ألف درهم)", 1000),
    ("Coût total (MDH)", 1_000_000), ("Montant en millions de dirhams", 1_000_000), ("Coût (DH)", 1),
])
def test_the_unit_a_heading_gives(heading, unit):
    assert heading_unit(heading) == unit


def test_a_field_is_given_once_and_an_override_wins():
    overrides = {"thème": Override("sector"), "Coût": Override("ignore"), "montant": Override("cost", 1000)}
    columns = map_columns(["Projet", "Coût", "Montant", "Thème"], overrides)
    found = [(c.index, c.field, c.unit) for c in columns]
    assert found == [(0, "title", 1), (2, "cost", 1000), (3, "sector", 1)]
