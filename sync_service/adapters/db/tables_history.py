"""What the history's tally reads instead of ranking every need's rows: each need's ends, kept by
PostgreSQL in the transaction that writes a row (one MetaData with tables.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_service.adapters.db.base import Base, ForumId


class NeedEndsRecord(Base):
    """Per need: its first and last `need` rows of status_history, its first served or funded row and its
    last `match` row (each by moment, then order written, as the tally ranks them; ids are the rows'),
    and how many of its rows each of the report's counts holds (impact_tally.HistoryTally.introductions,
    experiences, and the answers by time to answer: impact.WAIT_BOUNDS).

    Kept by triggers on status_history (migration 0022, PostgreSQL only): whatever writes a row, in any
    order of moments, the row here is updated in the same transaction; a row deleted or moved to another
    need makes its need's row again. On SQLite the table stays empty and the tally reads the rows."""

    __tablename__ = "history_need_ends"

    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    first_id: Mapped[int | None] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_commune: Mapped[str | None] = mapped_column(String(100))
    last_id: Mapped[int | None] = mapped_column(Integer)
    last_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_commune: Mapped[str | None] = mapped_column(String(100))
    last_skills: Mapped[list[Any] | None] = mapped_column(JSON)
    strengthened_id: Mapped[int | None] = mapped_column(Integer)
    strengthened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    strengthened_commune: Mapped[str | None] = mapped_column(String(100))
    match_id: Mapped[int | None] = mapped_column(Integer)
    match_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    match_status: Mapped[str | None] = mapped_column(String(16))
    proposed: Mapped[int] = mapped_column(Integer, server_default="0")
    accepted: Mapped[int] = mapped_column(Integer, server_default="0")
    declined: Mapped[int] = mapped_column(Integer, server_default="0")
    expired: Mapped[int] = mapped_column(Integer, server_default="0")
    withdrawn: Mapped[int] = mapped_column(Integer, server_default="0")
    received: Mapped[int] = mapped_column(Integer, server_default="0")
    published: Mapped[int] = mapped_column(Integer, server_default="0")
    answered: Mapped[int] = mapped_column(Integer, server_default="0")  # accepted or declined, timed
    within_1: Mapped[int] = mapped_column(Integer, server_default="0")  # answered within 1 day
    within_3: Mapped[int] = mapped_column(Integer, server_default="0")
    within_7: Mapped[int] = mapped_column(Integer, server_default="0")
    within_14: Mapped[int] = mapped_column(Integer, server_default="0")
