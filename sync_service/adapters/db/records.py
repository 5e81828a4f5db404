"""Tables of what codev keeps of the forum (experts, needs, tombstones) and of the brokerage it runs
(introductions, review threads, digest entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from sync_service.adapters.db.tables import Base


class ExpertRecord(Base):
    """A consenting member of the experts group: only what matching and introductions need.

    No e-mail address, no IP, no location beyond the country: see reliability.md §3.7.
    """

    __tablename__ = "experts"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(60), index=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    bio: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sectors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    modes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    country: Mapped[str | None] = mapped_column(String(100))
    availability_hours: Mapped[float | None] = mapped_column(Float)
    origin_province: Mapped[str | None] = mapped_column(String(100))
    matchable: Mapped[bool] = mapped_column(Boolean, default=True)
    # The expert asked for the periodic digest of new needs that fit them.
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When codev last read this person from the forum (guards against an older fetch landing late).
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NeedRecord(Base):
    """A commune's need, read from its topic's first post (form blocks), tags and author's groups."""

    __tablename__ = "needs"

    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    author_username: Mapped[str | None] = mapped_column(String(60))
    commune_group: Mapped[str | None] = mapped_column(String(100))
    commune_code: Mapped[str | None] = mapped_column(String(16))
    commune: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[str | None] = mapped_column(String(100))
    sector: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    mode: Mapped[str | None] = mapped_column(String(16))
    deadline: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    # open | matched | in_progress | served | funded | closed (sync sets open/closed; issue 5 the rest)
    status: Mapped[str] = mapped_column(String(16), index=True)
    post_version: Mapped[int] = mapped_column(Integer)
    topic_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Tombstone(Base):
    """A forgotten person or topic: a keyed hash of "person:<id>" / "need:<id>" and a date, nothing else."""

    __tablename__ = "tombstones"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class IntroductionRecord(Base):
    """One expert introduced to one need; the PM's topic is read from the outbox row of its intent."""

    __tablename__ = "introductions"

    need_topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    expert_user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    expert_username: Mapped[str] = mapped_column(String(60))
    # pending | accepted | declined | expired | withdrawn (domain.brokerage)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reviewed: Mapped[bool] = mapped_column(Boolean)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expire_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(60))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_post_number: Mapped[int] = mapped_column(Integer)


class ReviewThreadRecord(Base):
    """The state of one need's staff review topic; the topic and post ids come from the outbox."""

    __tablename__ = "review_threads"

    need_topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # [[user_id, username], ...] in the order the thread last showed them
    shown: Mapped[list[Any]] = mapped_column(JSON, default=list)
    last_post_number: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8))
    # approval tags of the topic already acted on (a tag stays on the topic after it approved)
    handled_tags: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DigestEntry(Base):
    """One need listed in one expert's digest, and when that digest was decided."""

    __tablename__ = "digest_entries"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, index=True)
    need_topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
