"""Expert and need records from plain mappings (decoded JSON), with one precise error per bad field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sync_service.domain.matching.records import EXPERT_MODES, NEED_MODES, Expert, Need, RecordId


class InvalidRecord(ValueError):
    """A record of the input is wrong; the message names the record and the field."""

    def __init__(
        self, what: str, position: int, record_id: object, field: str, found: object, expected: str
    ) -> None:
        self.what, self.position, self.record_id, self.field = what, position, record_id, field
        who = f"{what} #{position}" + (f" (id {record_id!r})" if record_id is not None else "")
        super().__init__(f"{who}: field {field!r}: found {found!r}, expected {expected}")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("a text or null")
    return value.strip() or None


def _texts(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # a comma-separated text, as a form field may hold
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of texts or null")
    return tuple(v.strip() for v in value if v.strip())


def _hours(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TypeError("a number of hours, 0 or more, or null")
    return float(value)


def _count(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("a whole number, 0 or more")
    return value


def _choices(allowed: tuple[str, ...]) -> Callable[[object], tuple[str, ...]]:
    def check(value: object) -> tuple[str, ...]:
        items = _texts(value)
        for item in items:
            if item not in allowed:
                raise TypeError(f"values among {', '.join(allowed)}")
        return items

    return check


def _need_mode(value: object) -> str | None:
    text = _text(value)
    if text is not None and text not in NEED_MODES:
        raise TypeError(f"one of {', '.join(NEED_MODES)} or null")
    return text


EXPERT_FIELDS: dict[str, Callable[[object], Any]] = {
    "name": _text,
    "country": _text,
    "city": _text,
    "languages": _texts,
    "skills": _texts,
    "sectors": _texts,
    "modes": _choices(EXPERT_MODES),
    "availability_hours_per_month": _hours,
    "origin_province": _text,
    "bio": _text,
    "open_introductions": _count,
}
NEED_FIELDS: dict[str, Callable[[object], Any]] = {
    "commune": _text,
    "province": _text,
    "title": _text,
    "body": _text,
    "sector": _text,
    "kind": _text,
    "skills": _texts,
    "languages": _texts,
    "mode": _need_mode,
    "deadline": _text,
}


def _record_id(what: str, position: int, data: Mapping[str, Any]) -> RecordId:
    value = data.get("id")
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int)
        or (isinstance(value, str) and not value.strip())
    ):
        raise InvalidRecord(what, position, None, "id", value, "a non-empty text or a whole number")
    return value


def _fields(
    what: str, position: int, data: object, table: Mapping[str, Callable[[object], Any]]
) -> tuple[RecordId, dict[str, Any]]:
    if not isinstance(data, Mapping):
        raise InvalidRecord(what, position, None, "(record)", data, "an object")
    record_id = _record_id(what, position, data)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "id":
            continue
        check = table.get(key)
        if check is None:
            continue  # unknown fields are ignored: exports from other tools carry more
        try:
            values[key] = check(value)
        except TypeError as exc:
            raise InvalidRecord(what, position, record_id, key, value, str(exc)) from exc
    return record_id, values


def parse_expert(data: object, position: int) -> Expert:
    """An Expert from a decoded JSON object; position is 1-based in its file."""
    record_id, values = _fields("expert", position, data, EXPERT_FIELDS)
    return Expert(record_id, **values)


def parse_need(data: object, position: int) -> Need:
    """A Need from a decoded JSON object; position is 1-based in its file."""
    record_id, values = _fields("need", position, data, NEED_FIELDS)
    return Need(record_id, **values)


def parse_all(items: object, what: str) -> list[Any]:
    """Every record of a decoded file: a list, or an object holding the list under "experts" / "needs"."""
    if isinstance(items, Mapping):
        items = items.get(what + "s")
    if not isinstance(items, list):
        raise InvalidRecord(
            f"{what}s file",
            0,
            None,
            "(top level)",
            type(items).__name__,
            f"a list of {what}s or an object with a {what}s list",
        )
    parse = parse_expert if what == "expert" else parse_need
    records = [parse(item, i) for i, item in enumerate(items, start=1)]
    seen: set[RecordId] = set()
    for i, record in enumerate(records, start=1):
        if record.id in seen:
            raise InvalidRecord(what, i, record.id, "id", record.id, "an id not used by an earlier record")
        seen.add(record.id)
    return records
