"""A plan's table read as rows: the heading row found, each row after it a draft need or a skip."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sync_service.domain.matching.settings import Recognition
from sync_service.domain.matching.taxonomy import Recognizer
from sync_service.domain.plans.concepts import Concepts, recognize
from sync_service.domain.plans.headings import (
    Column,
    Override,
    map_columns,
    normalize_heading,
    unmatched_overrides,
)
from sync_service.domain.plans.values import (
    Cell,
    InvalidValue,
    is_blank,
    is_done,
    is_total,
    parse_amount,
    parse_years,
    section_title,
    text_of,
)

HEADING_SEARCH_ROWS = 20  # a plan's table often starts under its title, the commune's name, a date
STATUSES = ("new", "unchanged", "updated", "skipped")
Row = tuple[int, Sequence[Cell]]  # the row's number in the file (1 = first line) and its cells
Getter = Callable[[str], Cell]


class PlanError(ValueError):
    """A plan that cannot be read: `problem` is a message key (plan_import.errors.*), with its values."""

    def __init__(self, problem: str, row: int | None = None, column: str | None = None,
                 **values: object) -> None:
        super().__init__(f"{problem} (row {row}, column {column!r}): {values}")
        self.problem, self.row, self.column, self.values = problem, row, column, values


@dataclass(frozen=True)
class Proposal:
    """What one row would become: a draft need, or a skip with its reason (plan_import.reasons)."""

    row: int
    status: str
    reason: str | None = None
    reason_values: Mapping[str, object] = field(default_factory=dict)
    title: str | None = None
    number: str | None = None
    concepts: Concepts = field(default_factory=Concepts)
    cost_mad: int | None = None
    commune_share_mad: int | None = None
    years: tuple[int, int] | None = None
    location: str | None = None
    partners: str | None = None
    key: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class PlanReading:
    """The columns understood, where the heading row was, and one proposal per row under it."""

    columns: tuple[Column, ...]
    heading_row: int
    proposals: tuple[Proposal, ...]

    @property
    def mapping(self) -> dict[str, str]:
        """Heading as written -> field."""
        return {c.heading: c.field for c in self.columns}


def plan_key(organisation: str, number: str | None, title: str) -> str:
    """The stable key of a plan row: the same organisation, n° and title (case, accents, spacing aside)
    give the same key on every import, so that a draft is created once."""
    parts = [organisation.strip().casefold(), normalize_heading(number or "").strip(),
             normalize_heading(title).strip()]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def read_plan(rows: Sequence[Row], organisation: str, recognizer: Recognizer, recognition: Recognition,
              overrides: Mapping[str, Override] | None = None,
              previous: Mapping[str, str] | None = None) -> PlanReading:
    """Every row under the heading row as a proposal; `previous`: key -> fingerprint already imported."""
    heading_at, columns = _heading_row(rows, overrides or {})
    reader = _RowReader(columns, organisation, recognizer, recognition, previous or {})
    proposals = tuple(reader.read(number, cells) for number, cells in _trimmed(rows[heading_at + 1:]))
    return PlanReading(columns, rows[heading_at][0], proposals)


def _heading_row(rows: Sequence[Row], overrides: Mapping[str, Override]) -> tuple[int, tuple[Column, ...]]:
    for i, (_, cells) in enumerate(rows[:HEADING_SEARCH_ROWS]):
        headings = [text_of(c) for c in cells]
        if overrides and unmatched_overrides(headings, overrides):
            continue
        columns = map_columns(headings, overrides)
        if len(columns) >= 2 and any(c.field == "title" for c in columns):
            return i, columns
    if overrides:
        raise PlanError("map_not_found", headings=", ".join(overrides))
    first = next(((n, c) for n, c in rows if any(not is_blank(x) for x in c)), None)
    seen = ", ".join(text_of(c) for c in first[1] if not is_blank(c)) if first else ""
    raise PlanError("no_heading_row", first[0] if first else None, headings=seen or "-")


def _trimmed(rows: Sequence[Row]) -> Sequence[Row]:
    end = len(rows)
    while end and all(is_blank(c) for c in rows[end - 1][1]):
        end -= 1
    return rows[:end]


class _RowReader:
    """Reads rows in order: a section line ("Axe 2 : Routes") gives its sector to the rows below it that
    have none of their own. (An empty sector cell is not filled from the row above: in a CSV it may mean
    "same as above" or "unknown"; a sector cell merged down its rows in an XLSX is filled when read.)"""

    def __init__(self, columns: tuple[Column, ...], organisation: str, recognizer: Recognizer,
                 recognition: Recognition, previous: Mapping[str, str]) -> None:
        self.columns = {c.field: c for c in columns}
        self.organisation, self.recognizer, self.recognition = organisation, recognizer, recognition
        self.previous = previous
        self.section: str | None = None
        self.seen: dict[str, int] = {}

    def read(self, number: int, cells: Sequence[Cell]) -> Proposal:
        """The proposal for one row."""
        title_col = self.columns["title"]
        if all(is_blank(c) for c in cells):
            return Proposal(number, "skipped", "empty")
        if is_total(cells):
            return Proposal(number, "skipped", "total")
        section = section_title(cells, title_col.index)
        if section is not None:
            self.section = section
            return Proposal(number, "skipped", "section", {"section": section})
        get = self._getter(cells)
        if is_done(get("progress")):
            return Proposal(number, "skipped", "done", {"progress": text_of(get("progress"))})
        title = text_of(get("title"))
        if not title:
            return Proposal(number, "skipped", "no_title")
        return self._proposal(number, title, get)

    def _getter(self, cells: Sequence[Cell]) -> Getter:
        def get(name: str) -> Cell:
            column = self.columns.get(name)
            return cells[column.index] if column is not None and column.index < len(cells) else None
        return get

    def _proposal(self, number: int, title: str, get: Getter) -> Proposal:
        cost = self._amount(number, "cost", get)
        share = self._amount(number, "commune_share", get)
        years = self._years(number, get)
        sector_text = text_of(get("sector")) or self.section
        body = " ".join(t for t in (text_of(get("description")), text_of(get("notes"))) if t)
        concepts = recognize(self.recognizer, self.recognition, title, sector_text, body)
        n = text_of(get("number")) or None
        key = plan_key(self.organisation, n, title)
        if key in self.seen:
            return Proposal(number, "skipped", "duplicate", {"row": self.seen[key]}, title=title, number=n)
        self.seen[key] = number
        location, partners = text_of(get("location")) or None, text_of(get("partners")) or None
        content = [title, n, concepts.as_json(), cost, share, years, location, partners,
                   text_of(get("description")), text_of(get("notes"))]
        fingerprint = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
        known = self.previous.get(key)
        status = "new" if known is None else "unchanged" if known == fingerprint else "updated"
        return Proposal(number, status, None, {}, title, n, concepts, cost, share, years, location, partners,
                        key, fingerprint)

    def _amount(self, number: int, name: str, get: Getter) -> int | None:
        column = self.columns.get(name)
        try:
            return parse_amount(get(name), column.unit) if column is not None else None
        except InvalidValue as exc:
            raise _invalid(exc, number, column) from exc

    def _years(self, number: int, get: Getter) -> tuple[int, int] | None:
        column = self.columns.get("year")
        try:
            return parse_years(get("year")) if column is not None else None
        except InvalidValue as exc:
            raise _invalid(exc, number, column) from exc


def _invalid(exc: InvalidValue, row: int, column: Column | None) -> PlanError:
    letter = column_letter(column.index) if column else "?"
    return PlanError(exc.expected, row, column.heading if column else None, found=text_of(exc.found),
                     letter=letter)


def column_letter(index: int) -> str:
    """The spreadsheet's name of a column: 0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
