"""The schema: one MetaData shared by the ORM and Alembic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base bound to the shared, convention-named metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class InboxDelivery(Base):
    """One accepted webhook delivery, reduced to what processing needs (dj-stripe's inbox).

    The body is not kept: user payloads carry e-mail addresses, which codev never stores. What is
    kept is the entity the event is about (to refetch it) and the body's hash (to drop duplicates:
    Discourse signs the body, not the event name, so the pair is the key; see reliability.md §0).
    """

    __tablename__ = "inbox_delivery"
    __table_args__ = (
        UniqueConstraint("event", "body_sha256"),
        Index("ix_inbox_delivery_claim", "status", "available_at"),
        Index("ix_inbox_delivery_entity", "entity_kind", "entity_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    discourse_event_id: Mapped[str | None] = mapped_column(String(32))
    body_sha256: Mapped[str] = mapped_column(String(64))
    # person (user id or username) | need (topic id) | none (ping, ignored events)
    entity_kind: Mapped[str] = mapped_column(String(16))
    entity_key: Mapped[str | None] = mapped_column(String(64))
    hint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # pending -> running (leased) -> done | ignored | parked (after max attempts, for a person to see)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    leased_by: Mapped[str | None] = mapped_column(String(64))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class RejectedDelivery(Base):
    """A webhook delivery refused with a 4xx (bad signature, malformed body...), counted, never processed."""

    __tablename__ = "rejected_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status_code: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    event: Mapped[str | None] = mapped_column(String(64))
    body_size: Mapped[int] = mapped_column(Integer)
    body_sha256: Mapped[str | None] = mapped_column(String(64))
