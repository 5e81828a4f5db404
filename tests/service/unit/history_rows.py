"""History rows written by hand as the repositories write them: an introduction's answer or end carries
the moment it was proposed (its pending row's), as adapters/db/history.py records it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sync_service.domain.impact import INTRODUCTION, StatusChange


def as_written(rows: Iterable[StatusChange]) -> list[StatusChange]:
    """The rows, each introduction's later rows given the moment of its pending row before them."""
    proposed: dict[tuple[int, str | None], datetime] = {}
    written = []
    for row in rows:
        if row.kind == INTRODUCTION:
            pair = (row.need_topic_id, row.expert)
            if row.status == "pending":
                proposed.setdefault(pair, row.at)
            elif pair in proposed and row.proposed_at is None:
                row = row._replace(proposed_at=proposed[pair])
        written.append(row)
    return written
