"""`codev import-plan --dry-run` on sample plans shaped like the ones communes have (tests/data/plans)."""

import json

import pytest
from click.testing import CliRunner

from sync_service.entrypoints.cli import cli
from tests import paths

PLANS = paths.ROOT / "tests" / "data" / "plans"
NEED_KEYS = ["row", "title", "sector", "kind", "skills", "cost_mad", "year", "status", "reason"]


def dry_run(name, organisation="commune-tanalt", *extra):
    result = CliRunner().invoke(cli, ["import-plan", str(PLANS / name), "--organisation", organisation,
                                      "--dry-run", "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def brief(document):
    """Row -> (status, title start, sector, kind, cost, year) for a compact comparison."""
    return {n["row"]: (n["status"], (n["title"] or "")[:20], n["sector"], n["kind"], n["cost_mad"], n["year"])
            for n in document["needs"]}


def test_xlsx_with_merged_cells_and_a_totals_line():
    document = dry_run("tanalt_pac_2023-2028.xlsx")

    assert document["mapping"] == {
        "N°": "number", "Intitulé du projet": "title", "Secteur": "sector",
        "Localisation / Douar": "location",
        "Coût estimatif (DH)": "cost", "Part de la commune (DH)": "commune_share", "Partenaires": "partners",
        "Année": "year", "Priorité": "priority", "État d'avancement": "progress"}
    assert document["rows"] == 11 == len(document["needs"])
    assert all(list(n) == NEED_KEYS for n in document["needs"])
    assert brief(document) == {
        5: ("skipped", "", None, None, None, None),
        6: ("new", "Renforcement de l'al", "drinking_water", None, 1_200_000, 2024),
        # the sector cell "Eau potable et assainissement" is merged down rows 6-8; the title picks sanitation
        7: ("new", "Étude de faisabilité", "sanitation", "feasibility_study", 850_000, 2025),
        8: ("skipped", "", None, None, None, None),
        9: ("skipped", "", None, None, None, None),
        10: ("skipped", "", None, None, None, None),
        11: ("new", "Aménagement de la pi", "roads_structures", None, 6_300_000, 2026),
        # no sector cell: the section line above gives it; "à déterminer" is no cost; a date cell is a year
        12: ("new", "Construction d'un ou", "roads_structures", None, None, 2027),
        13: ("skipped", "", None, None, None, None),
        14: ("new", "Appui à la coopérati", "social_economy", None, 350_000, 2025),
        15: ("skipped", "", None, None, None, None),
    }
    reasons = {n["row"]: n["reason"] for n in document["needs"] if n["status"] == "skipped"}
    below = " : secteur des lignes suivantes"
    assert reasons == {
        5: "titre de section « Axe 1 : Eau potable et assainissement liquide »" + below,
        8: "projet déjà réalisé (« Réalisé »)",
        9: "ligne vide",
        10: "titre de section « Axe 2 : Routes, pistes et ouvrages »" + below,
        13: "titre de section « Axe 3 : Développement économique et coopératives »" + below,
        15: "ligne de total",
    }
    skills = {n["row"]: n["skills"] for n in document["needs"] if n["status"] == "new"}
    assert skills[6] == ["rural_water_supply"]
    assert skills[14] == ["cooperative_support", "marketing_local_products"]


def test_csv_with_arabic_headings():
    document = dry_run("tissint_arabic.csv", "commune-tissint")

    assert document["mapping"] == {
        "ر.ت": "number", "عنوان المشروع": "title", "المحور": "sector", "الدوار": "location",
        "الكلفة التقديرية (درهم)": "cost", "الشركاء": "partners", "سنة الإنجاز": "year"}
    assert brief(document) == {
        4: ("new", "تقوية شبكة الماء الص", "drinking_water", None, 1_800_000, 2024),
        5: ("new", "إنجاز دراسة الجدوى ل", "energy", "feasibility_study", 650_000, 2025),
        6: ("new", "تكوين أعضاء التعاوني", "social_economy", "training", 120_000, 2025),
        7: ("new", "بناء قنطرة على وادي ", "roads_structures", None, 2_400_000, 2026),
        8: ("skipped", "", None, None, None, None),
        9: ("skipped", "", None, None, None, None),
    }
    assert document["needs"][-1]["reason"] == "ligne de total"  # المجموع


def test_csv_in_thousands_of_dirhams_semicolons_and_windows_1252():
    document = dry_run("anzi_pcd_kdh.csv", "commune-anzi")

    assert document["mapping"]["Coût (KDH)"] == "cost"
    assert document["mapping"]["Part commune (KDH)"] == "commune_share"
    assert [n["cost_mad"] for n in document["needs"]] == [2_450_000, 1_250_500, 380_000, None, None]
    assert document["needs"][0]["title"].startswith("Électrification")  # read as Windows-1252
    assert document["needs"][3]["skills"] == ["e_administration", "software_development"]
    assert document["needs"][4]["reason"] == "ligne de total"  # "Sous-total" in the second column


def test_csv_with_year_ranges_keeps_the_first_year():
    document = dry_run("tamegroute_years.csv", "commune-tamegroute")

    assert document["mapping"]["Période"] == "year"
    # 2024-2026, 2025/26, "2023 à 2025", "T2 2026", "à déterminer"
    assert [n["year"] for n in document["needs"]] == [2024, 2025, 2023, 2026, None]
    assert [n["status"] for n in document["needs"]] == ["new"] * 5
    assert document["needs"][1]["sector"] == "climate_risks"  # no sector cell: the title's crues


def test_a_map_file_names_the_columns_and_their_unit():
    mapping = str(PLANS / "zagmouzen_map.yaml")
    document = dry_run("zagmouzen_custom.csv", "commune-zagmouzen", "--map", mapping)

    assert document["mapping"] == {"Réf.": "number", "Désignation de l'opération": "title", "Thème": "sector",
                                   "Enveloppe": "cost", "Horizon": "year", "Commentaires": "notes"}
    assert [(n["cost_mad"], n["year"], n["sector"]) for n in document["needs"]] == [
        (1_900_000, 2026, "irrigation_agriculture"), (400_000, 2025, "local_governance")]


def test_a_broken_plan_is_one_line_naming_the_file_row_and_column():
    result = CliRunner().invoke(cli, ["import-plan", str(PLANS / "ibdar_broken.csv"),
                                      "--organisation", "commune-ibdar", "--dry-run"])

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"codev: {PLANS / 'ibdar_broken.csv'} : ligne 3, colonne D « Coût estimatif (DH) » : "
        "« environ 300 000 ou plus » n'est pas un montant (exemples : 1 200 000,00 DH, 1,2 MDH, ou 850 dans "
        "une colonne en KDH)"]


def test_the_table_shows_the_mapping_the_proposals_and_the_counts():
    result = CliRunner().invoke(cli, ["import-plan", str(PLANS / "tanalt_pac_2023-2028.xlsx"),
                                      "--organisation", "commune-tanalt", "--dry-run"])

    assert result.exit_code == 0, result.output
    out = result.output
    assert "Colonnes reconnues (en-têtes à la ligne 4) :" in out
    assert "Coût estimatif (DH)" in out and "→ coût estimatif" in out
    assert "secteur : assainissement (100 %) · type d'aide : étude de faisabilité (85 %)" in out
    assert "coût (MAD) : 6 300 000 · année : 2026" in out
    assert "11 lignes lues : 5 nouveaux besoins, 0 inchangé, 0 modifié, 6 lignes ignorées." in out
    assert "rien n'a été créé sur le forum" in out


@pytest.mark.parametrize(("args", "expected"), [
    (["--organisation", "commune-nowhere", "--dry-run"],
     "--organisation commune-nowhere : ce n'est pas un groupe de commune"),
    (["--organisation", "experts", "--dry-run"],
     "--organisation experts : ce n'est pas un groupe de commune"),
    (["--organisation", "commune-tanalt", "--dry-run", "--sheet", "Feuil1"],
     "pas de feuille « Feuil1 » (feuilles : PAC 2023-2028, Notes)"),
])
def test_usage_mistakes_are_one_line_and_exit_2(args, expected):
    result = CliRunner().invoke(cli, ["import-plan", str(PLANS / "tanalt_pac_2023-2028.xlsx"), *args])

    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and expected in result.output


def test_a_real_import_without_a_usable_database_is_one_line_and_exit_1(tmp_path):
    missing = f"sqlite:///{tmp_path}/nowhere/codev.db"
    args = ["import-plan", str(PLANS / "tanalt_pac_2023-2028.xlsx"), "--organisation", "commune-tanalt"]
    result = CliRunner().invoke(cli, args, env={"CODEV_DATABASE_URL": missing})

    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and "nowhere" in result.output


def test_a_sheet_without_a_project_table_says_so():
    notes = dry_run_error(["--sheet", "Notes"])
    assert "ligne 1 : aucune ligne d'en-têtes avec un intitulé de projet dans les 20 premières" in notes


def test_a_file_that_is_not_a_spreadsheet_is_named(tmp_path):
    fake = tmp_path / "plan.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-plan", str(fake), "--organisation", "commune-tanalt",
                                      "--dry-run"])
    assert result.exit_code == 2 and result.output.startswith(f"codev: {fake} : illisible : ")
    assert len(result.output.strip().splitlines()) == 1


def test_a_map_naming_an_unknown_field_is_refused(tmp_path):
    bad = tmp_path / "map.yaml"
    bad.write_text("Enveloppe: prix\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-plan", str(PLANS / "zagmouzen_custom.csv"), "--organisation",
                                      "commune-zagmouzen", "--dry-run", "--map", str(bad)])
    assert result.exit_code == 2
    expected = f"codev: {bad} : « Enveloppe » : « prix » n'est pas un champ (champs : number, title"
    assert expected in result.output


def dry_run_error(extra):
    result = CliRunner().invoke(cli, ["import-plan", str(PLANS / "tanalt_pac_2023-2028.xlsx"),
                                      "--organisation", "commune-tanalt", "--dry-run", *extra])
    assert result.exit_code == 2
    return result.output


def test_the_example_plan_of_the_demo_reads_cleanly():
    path = paths.ROOT / "config" / "examples" / "plan-afella-ighir.csv"
    result = CliRunner().invoke(cli, ["import-plan", str(path), "--organisation", "commune-afella-ighir",
                                      "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    statuses = [n["status"] for n in document["needs"]]
    assert statuses.count("new") == 8 and statuses.count("skipped") == 5
    assert all(n["sector"] and n["skills"] and n["cost_mad"] and n["year"]
               for n in document["needs"] if n["status"] == "new")


def test_without_sheet_the_first_sheet_holding_a_project_table_is_read(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    cover = wb.active
    cover.title = "Page de garde"
    cover.append(["Commune de Telouet"])
    cover.append(["Programme d'Action de la Commune 2023-2028"])
    projects = wb.create_sheet("Projets")
    projects.append(["N°", "Intitulé du projet", "Coût (DH)"])
    projects.append([1, "Restauration de la kasbah de Telouet en architecture de terre", 2_000_000])
    path = tmp_path / "telouet.xlsx"
    wb.save(path)

    document = dry_run(path, "commune-telouet")

    assert document["rows"] == 1 and document["needs"][0]["sector"] == "buildings_heritage"


def test_an_unreadable_year_names_its_row_and_column(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("Projet;Coût;Année\nPuits à Tagadirt;100 000;2025\nÉcole d'Ibdar;200 000;bientôt\n",
                    encoding="utf-8")
    args = ["import-plan", str(path), "--organisation", "commune-ibdar", "--dry-run"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"codev: {path} : ligne 3, colonne C « Année » : « bientôt » n'est pas une année "
        "(exemples : 2025, 2024-2026)"]
