"""Writes tanalt_pac_2023-2028.xlsx, shaped as communes' PAC project sheets are: a title block above the
table, section lines merged across the row, a sector cell merged down its rows, amounts as numbers and as
text, a project already done, an empty line and a totals line.

    .venv/bin/python tests/data/plans/make_tanalt_xlsx.py
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).with_name("tanalt_pac_2023-2028.xlsx")
HEADINGS = ["N°", "Intitulé du projet", "Secteur", "Localisation / Douar", "Coût estimatif (DH)",
            "Part de la commune (DH)", "Partenaires", "Année", "Priorité", "État d'avancement"]
ROWS = [
    ("section", "Axe 1 : Eau potable et assainissement liquide"),
    (1, "Renforcement de l'alimentation en eau potable des douars Ait Ali et Tagadirt",
     "Eau potable et assainissement",
     "Ait Ali, Tagadirt", 1_200_000, 240_000, "INDH, ONEE", 2024, 1, "Étude en cours"),
    (2, "Étude de faisabilité d'une station d'épuration pour le centre de Tanalt", None, "Centre Tanalt",
     "850 000,00 DH", "170 000,00 DH", "Conseil provincial", "2025", 2, "Non démarré"),
    (3, "Construction d'un château d'eau de 200 m3 à Ida Ougnidif", None, "Ida Ougnidif",
     "1,5 MDH", None, "INDH", 2023, 1, "Réalisé"),
    ("empty",),
    ("section", "Axe 2 : Routes, pistes et ouvrages"),
    (4, "Aménagement de la piste rurale reliant Tanalt à Imi n'Tassaft (12 km)", "Routes et pistes",
     "Imi n'Tassaft", 6_300_000, 630_000, "Conseil régional Souss-Massa", 2026, 2, "Recherche de financement"),
    (5, "Construction d'un ouvrage de franchissement sur l'oued Tanalt", "Routes et pistes", "Tanalt",
     "à déterminer", None, "Agence du bassin hydraulique", datetime(2027, 1, 1), 3, None),
    ("section", "Axe 3 : Développement économique et coopératives"),
    (6, "Appui à la coopérative féminine d'huile d'argan : commercialisation en ligne", "Économie sociale",
     "Tanalt", 350_000, 70_000, "ADA, Fondation", 2025, 2, None),
    ("total", "Total général", 10_200_000),
]


def build() -> Workbook:
    """The workbook, one sheet "PAC 2023-2028" and a second sheet of notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "PAC 2023-2028"
    ws.append(["Royaume du Maroc — Province de Chtouka-Aït Baha — Commune de Tanalt"])
    ws.merge_cells("A1:J1")
    ws.append(["Programme d'Action de la Commune (PAC) 2023-2028 : liste des projets"])
    ws.merge_cells("A2:J2")
    ws.append([])
    ws.append(HEADINGS)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    sector_start = None
    for row in ROWS:
        if row[0] == "section":
            ws.append([row[1]])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=10)
        elif row[0] == "empty":
            ws.append([None] * 10)
        elif row[0] == "total":
            ws.append([row[1], None, None, None, row[2]])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
        else:
            ws.append(list(row))
            if row[2] is not None:
                sector_start = ws.max_row
            elif sector_start is not None:
                # The sector written once and merged down the rows of the axis, as plans are laid out.
                ranges = [r for r in ws.merged_cells.ranges if r.min_col == 3 and r.min_row == sector_start]
                for r in ranges:
                    ws.merged_cells.remove(r)
                ws.merge_cells(start_row=sector_start, start_column=3, end_row=ws.max_row, end_column=3)
    for column in "BCDG":
        ws.column_dimensions[column].width = 40
    ws["B5"].alignment = Alignment(wrap_text=True)
    notes = wb.create_sheet("Notes")
    notes.append(["Montants en dirhams (DH). Source : PAC adopté en session ordinaire."])
    return wb


if __name__ == "__main__":
    build().save(OUT)
    print(OUT)
