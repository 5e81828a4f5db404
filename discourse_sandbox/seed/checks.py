"""Checks every seed section shares: entries are mappings with their key field, and no unknown keys."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any


def seed_entries(section: str, entries: Any, required: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each entry of a seed section with its label `section[i]`; ValueError when `required` is missing."""
    for i, entry in enumerate(entries or []):
        where = f"{section}[{i}]"
        if not isinstance(entry, dict) or not entry.get(required):
            raise ValueError(f"{where}: key {required!r} is required")
        yield where, entry


def reject_unknown_keys(where: str, entry: dict[str, Any], known: Collection[str]) -> None:
    """ValueError naming the entry's keys that the section does not know."""
    unknown = set(entry) - set(known)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
