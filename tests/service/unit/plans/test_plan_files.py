"""Reading plan files: CSV delimiters and encodings, XLSX with merged cells, the --map file."""

import pytest
from openpyxl import Workbook

from sync_service.adapters.plans import PlanFileError, read_map, read_rows
from sync_service.domain.plans.headings import Override

CSV_TEXT = "N°;Intitulé;Coût (DH)\n1;Puits à Tagadirt;1 200 000,00\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_in_the_encodings_excel_writes(tmp_path, encoding):
    path = tmp_path / "plan.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert read_rows(path) == [(1, ("N°", "Intitulé", "Coût (DH)")),
                               (2, ("1", "Puits à Tagadirt", "1 200 000,00"))]


@pytest.mark.parametrize(("text", "cells"), [
    ('N°,Intitulé,Coût\n1,"Piste, 8 km","1 200 000,00"\n', ("1", "Piste, 8 km", "1 200 000,00")),
    ("N°;Intitulé;Coût\n1;Piste, 8 km;1 200 000,00\n", ("1", "Piste, 8 km", "1 200 000,00")),
    ("N°\tIntitulé\tCoût\n1\tPiste, 8 km\t1 200 000,00\n", ("1", "Piste, 8 km", "1 200 000,00")),
])
def test_the_delimiter_is_the_one_that_gives_steady_columns(tmp_path, text, cells):
    path = tmp_path / "plan.csv"
    path.write_text(text, encoding="utf-8")
    assert read_rows(path)[1] == (2, cells)


def test_xlsx_merged_cells_are_filled_with_their_value(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Projet", "Secteur", "Coût"])
    ws.append(["Axe 1 : Eau"])
    ws.merge_cells("A2:C2")
    ws.append(["Puits", "Eau potable", 100])
    ws.append(["Château d'eau", None, 200])
    ws.merge_cells("B3:B4")
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    assert read_rows(path) == [
        (1, ("Projet", "Secteur", "Coût")),
        (2, ("Axe 1 : Eau", "Axe 1 : Eau", "Axe 1 : Eau")),
        (3, ("Puits", "Eau potable", 100)),
        (4, ("Château d'eau", "Eau potable", 200)),
    ]


def test_an_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "plan.ods"
    path.write_bytes(b"")
    with pytest.raises(PlanFileError) as caught:
        read_rows(path)
    assert caught.value.problem == "format" and caught.value.values == {"extension": ".ods"}


def test_an_empty_csv_is_refused(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_rows(path)
    assert caught.value.problem == "empty_file"


def test_a_map_gives_fields_units_and_columns_to_leave_out(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("Désignation: title\nEnveloppe: cost:kdh\nCouleur:\nTaille: ignore\n", encoding="utf-8")
    assert read_map(path) == {"Désignation": Override("title"), "Enveloppe": Override("cost", 1000),
                              "Couleur": Override("ignore"), "Taille": Override("ignore")}


@pytest.mark.parametrize(("text", "problem"), [
    ("- a\n- b\n", "map_shape"), ("Enveloppe: prix\n", "map_entry"), ("Enveloppe: cost:euros\n", "map_entry"),
    ("a: [unclosed\n", "unreadable"),
])
def test_a_bad_map_is_refused(tmp_path, text, problem):
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_map(path)
    assert caught.value.problem == problem
