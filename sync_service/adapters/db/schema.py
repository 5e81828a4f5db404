"""Every table, imported once so that Base.metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from sync_service.adapters.db import outbox, records, tables
from sync_service.adapters.db.tables import Base

__all__ = ["Base", "outbox", "records", "tables"]
