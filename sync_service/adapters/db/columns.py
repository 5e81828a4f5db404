"""How values cross the database boundary: times in UTC, errors as rows keep them, counts of rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

ERROR_LIMIT = 2000  # characters of an error kept on a row
# Errors quote request paths; a username in /u/<name> is personal data a row must not keep.
_USER_PATH = re.compile(r"/(u|users)/[^/\s?#]+")


def utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were written in UTC. PostgreSQL's sessions are in UTC
    (engine.py), so theirs come back as they are, with no conversion (the report reads many)."""
    if moment.tzinfo is UTC:
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """utc(), keeping None."""
    return None if moment is None else utc(moment)


def kept_error(error: str) -> str:
    """The error as a row keeps it: user paths masked, length capped."""
    return _USER_PATH.sub(r"/\1/…", error)[:ERROR_LIMIT]


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)
