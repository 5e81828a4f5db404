"""A plan's project list from a file: CSV (";" or "," or tab; UTF-8, UTF-8 with BOM, UTF-16 or
Windows-1252) or XLSX (read-only, merged cells filled with their value), and the --map file (YAML)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from sync_service.domain.plans.headings import FIELDS, IGNORE, UNITS, Override
from sync_service.domain.plans.rows import Row
from sync_service.domain.plans.values import Cell

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
DELIMITERS = (";", ",", "\t")  # ";" first: what Excel writes in French
SNIFF_LINES = 30


class PlanFileError(Exception):
    """A file that cannot be read: `problem` is a message key (plan_import.errors.*), with its values."""

    def __init__(self, problem: str, **values: object) -> None:
        super().__init__(f"{problem}: {values}")
        self.problem, self.values = problem, values


def read_rows(path: Path, sheet: str | None = None) -> list[Row]:
    """Every row of the file with its number (1 = first line), cells as text or numbers."""
    suffix = path.suffix.lower()
    if suffix in XLSX_EXTENSIONS:
        return _xlsx_rows(path, sheet)
    if suffix in CSV_EXTENSIONS:
        return _csv_rows(path)
    raise PlanFileError("format", extension=suffix or "-")


def sheet_order(path: Path, sheet: str | None = None) -> list[str | None]:
    """The sheets to try, in order: the one asked for; else the active sheet, then the others (a cover
    page often comes first); None for a CSV."""
    if path.suffix.lower() not in XLSX_EXTENSIONS or sheet is not None:
        return [sheet]
    try:
        workbook = load_workbook(path, read_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise PlanFileError("unreadable", why=str(exc) or type(exc).__name__) from exc
    try:
        active = (workbook.active or workbook.worksheets[0]).title
        return [active, *(name for name in workbook.sheetnames if name != active)]
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel "CSV (séparateur : point-virgule)" on a French Windows writes Windows-1252.
        return data.decode("cp1252")


def _csv_rows(path: Path) -> list[Row]:
    try:
        text = _decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError("unreadable", why=str(exc)) from exc
    if not text.strip():
        raise PlanFileError("empty_file")
    delimiter = _delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise PlanFileError("unreadable", why=str(exc)) from exc
    return [(i, tuple(cell.strip() or None for cell in record)) for i, record in enumerate(records, start=1)]


def _delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (2 or more) of cells."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])

    def score(delimiter: str) -> tuple[int, int]:
        try:
            counts = Counter(len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(r))
        except csv.Error:
            return 0, 0
        width, lines = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=(1, 0))
        return (lines, width) if width >= 2 else (0, 0)

    return max(DELIMITERS, key=lambda d: score(d))


def _xlsx_rows(path: Path, sheet: str | None) -> list[Row]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise PlanFileError("unreadable", why=str(exc) or type(exc).__name__) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise PlanFileError("sheet", sheet=sheet, sheets=", ".join(workbook.sheetnames))
        worksheet = workbook[sheet] if sheet is not None else (workbook.active or workbook.worksheets[0])
        worksheet.reset_dimensions()  # files written by other tools often declare a wrong size
        rows = [[_cell(v) for v in values] for values in worksheet.iter_rows(values_only=True)]
        merged = list(_merged_ranges(path, worksheet._worksheet_path))  # read-only sheets do not parse them
    finally:
        workbook.close()
    width = max((len(r) for r in rows), default=0)
    grid = [r + [None] * (width - len(r)) for r in rows]
    for min_col, min_row, max_col, max_row in merged:
        if min_row > len(grid):
            continue
        value = grid[min_row - 1][min_col - 1] if min_col <= width else None
        for r in range(min_row - 1, min(max_row, len(grid))):
            for c in range(min_col - 1, min(max_col, width)):
                grid[r][c] = value
    return [(i, tuple(r)) for i, r in enumerate(grid, start=1)]


def _cell(value: Any) -> Cell:
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _merged_ranges(path: Path, member: str) -> Iterator[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range of the sheet stored at `member`."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        for _, element in ElementTree.iterparse(xml):
            if element.tag.endswith("}mergeCell") and element.get("ref"):
                bounds = range_boundaries(element.get("ref", ""))
                if None not in bounds:
                    yield bounds
            element.clear()


def read_map(path: Path) -> dict[str, Override]:
    """--map: a YAML mapping of heading -> field ("cost", "cost:kdh", "ignore" or empty to leave it out)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PlanFileError("unreadable", why=str(exc).replace("\n", " ")) from exc
    if not isinstance(data, dict) or not data:
        raise PlanFileError("map_shape")
    overrides: dict[str, Override] = {}
    for heading, value in data.items():
        field, _, unit = str(value if value is not None else IGNORE).strip().partition(":")
        if field not in (*FIELDS, IGNORE) or (unit and unit.lower() not in UNITS):
            choices = ", ".join([*FIELDS, IGNORE]) + " (cost:kdh, cost:mdh)"
            raise PlanFileError("map_entry", heading=str(heading), found=str(value), fields=choices)
        overrides[str(heading)] = Override(field, UNITS[unit.lower()] if unit else None)
    return overrides
