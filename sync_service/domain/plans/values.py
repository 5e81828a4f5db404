"""Cells of a plan as communes fill them: amounts ("1 200 000,00 DH", "1,2 MDH"), years ("2024-2026"),
totals lines, section lines ("Axe 1 : Eau potable"), projects already done."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sync_service.domain.plans.headings import UNITS, normalize_heading

Cell = str | int | float | None


class InvalidValue(ValueError):
    """A cell that cannot be read as its column says; `expected` is a message key (plan_import.expected.*)."""

    def __init__(self, found: Cell, expected: str) -> None:
        super().__init__(f"found {found!r}, expected {expected}")
        self.found = found
        self.expected = expected


# What a commune writes when it does not know yet: not an error, no value.
UNKNOWN = frozenset(normalize_heading(w) for w in (
    "", "-", "–", "—", "/", "?", "nd", "n d", "na", "n a", "pm", "p m", "a determiner", "à déterminer",
    "a definir", "à définir", "à préciser", "a preciser", "néant", "neant", "non défini", "non chiffré",
    "x", "en cours d'estimation", "غير محدد", "يحدد لاحقا", "لم يحدد"))
_CELL_UNITS = (("mdh", UNITS["mdh"]), ("m dh", UNITS["mdh"]), ("mmad", UNITS["mdh"]),
               ("millions", UNITS["mdh"]), ("million", UNITS["mdh"]), ("مليون", UNITS["mdh"]),
               ("kdh", UNITS["kdh"]), ("k dh", UNITS["kdh"]), ("kmad", UNITS["kdh"]),
               ("الف درهم", UNITS["kdh"]), ("dhs", 1), ("dh", 1), ("mad", 1), ("dirhams", 1),
               ("dirham", 1), ("درهم", 1), ("دراهم", 1), ("ht", 0), ("ttc", 0))
_SPACES = re.compile(r"[\s\u00a0\u202f'’]+")
_FILLERS = re.compile(r"(?<![^\W\d_])(?:de|d|en|environ)(?![^\W\d_])")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_SHORT_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/–]\s*(\d\d)(?!\d)")
_TOTAL_WORDS = tuple(normalize_heading(w) for w in (
    "total", "totaux", "sous total", "sous-total", "total général", "montant total", "المجموع", "مجموع",
    "الاجمالي", "المجموع العام"))
_SECTION_WORDS = tuple(normalize_heading(w) for w in (
    "axe", "secteur", "programme", "volet", "domaine", "محور", "قطاع", "مجال", "برنامج"))
_DONE_WORDS = frozenset(normalize_heading(w).strip() for w in (
    "réalisé", "réalisée", "achevé", "achevée", "terminé", "terminée", "livré", "livrée", "clôturé", "منجز",
    "مكتمل", "انتهى"))
_NEGATIONS = frozenset(normalize_heading(w).strip() for w in ("non", "pas", "غير", "لم"))
MIN_YEAR, MAX_YEAR = 1990, 2100


def is_blank(value: Cell) -> bool:
    """True for an empty cell, or one of spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def text_of(value: Cell) -> str:
    """A cell as text: numbers without a useless ".0" (XLSX gives 12.0 for 12)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def is_unknown(value: Cell) -> bool:
    """Empty, or a word for "not known yet" ("à déterminer", "PM", "-")."""
    return is_blank(value) or (isinstance(value, str) and normalize_heading(value) in UNKNOWN)


def parse_amount(value: Cell, unit: int = 1) -> int | None:
    """Dirhams in a cell, rounded: "1 200 000,00 DH", "1,2 MDH", 850 in a KDH column (unit 1000)."""
    if isinstance(value, bool):
        raise InvalidValue(value, "amount")
    if isinstance(value, int | float):
        if value < 0:
            raise InvalidValue(value, "amount")
        return round(value * unit)
    if is_unknown(value) or not isinstance(value, str):
        return None
    text = f" {_SPACES.sub(' ', value.casefold())} "
    said: int | None = None  # the cell's own unit, the first found ("3 millions de DH" is millions)
    for word, worth in _CELL_UNITS:
        key = normalize_heading(word)
        if key in normalize_heading(text):
            if worth and said is None:
                said = unit = worth
            text = re.sub(rf"(?i)(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", " ", text)
    text = _FILLERS.sub(" ", text)  # "3 millions de DH"
    digits = _SPACES.sub("", text).strip(" .")
    if not _NUMBER.fullmatch(digits):
        raise InvalidValue(value, "amount")
    try:
        return round(_number(digits, unit) * unit)
    except InvalidValue:
        raise InvalidValue(value, "amount") from None


def _number(digits: str, unit: int) -> float:
    """Separators as French and English write them; one separator before exactly three digits groups
    thousands ("850,000", "1.200") unless the unit is millions ("1,250 MDH")."""
    seps = [c for c in digits if c in ".,"]
    if not seps:
        return float(digits)
    if len(set(seps)) == 2:
        decimal = digits[max(digits.rfind("."), digits.rfind(","))]
        thousands = "," if decimal == "." else "."
        whole, _, fraction = digits.rpartition(decimal)
        groups = whole.split(thousands)
        if thousands in fraction or any(len(g) != 3 for g in groups[1:]):
            raise InvalidValue(digits, "amount")
        return float("".join(groups) + "." + fraction)
    sep = seps[0]
    groups = digits.split(sep)
    if len(groups) > 2:
        if any(len(g) != 3 for g in groups[1:]):
            raise InvalidValue(digits, "amount")
        return float("".join(groups))
    if len(groups[1]) == 3 and unit < UNITS["mdh"]:
        return float("".join(groups))
    return float(".".join(groups))


def parse_years(value: Cell) -> tuple[int, int] | None:
    """First and last year of a cell: "2025" -> (2025, 2025), "2024-2026" and "2024/26" -> (2024, 2026)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return int(value), int(value)
        raise InvalidValue(value, "year")
    if is_unknown(value) or not isinstance(value, str):
        return None
    years = [int(y) for y in _YEAR.findall(value)]
    short = _SHORT_RANGE.search(value)
    if short is not None:
        start = int(short.group(1))
        end = start // 100 * 100 + int(short.group(2))
        if end > start:
            years += [start, end]
    years = [y for y in years if MIN_YEAR <= y <= MAX_YEAR]
    if not years:
        raise InvalidValue(value, "year")
    return min(years), max(years)


def is_total(cells: Sequence[Cell]) -> bool:
    """A totals line ("Total", "Sous-total axe 2", "المجموع"): its first words say so."""
    first = next((c for c in cells if not is_blank(c)), None)
    if not isinstance(first, str):
        return False
    norm = normalize_heading(first)
    return any(norm.startswith(word) for word in _TOTAL_WORDS)


def section_title(cells: Sequence[Cell], title_index: int | None) -> str | None:
    """The text of a section line ("Axe 1 : Eau potable" merged across the row), None for another row:
    one text repeated in every filled cell (merged), alone outside the title column, or a sector word."""
    filled = [(i, text_of(c)) for i, c in enumerate(cells) if not is_blank(c)]
    texts = {t for _, t in filled}
    if len(texts) != 1 or isinstance(cells[filled[0][0]], int | float):
        return None
    text = next(iter(texts))
    if len(filled) >= 2 or filled[0][0] != title_index:
        return text
    norm = normalize_heading(text)
    return text if any(norm.startswith(word) for word in _SECTION_WORDS) else None


def is_done(progress: Cell) -> bool:
    """True when the plan says the project is already done ("Réalisé", "منجز"), not "non réalisé"."""
    words = set(normalize_heading(text_of(progress)).split())
    return bool(words & _DONE_WORDS) and not words & _NEGATIONS
