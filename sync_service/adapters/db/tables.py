"""Every table of codev's database: one MetaData (base.py) shared by the ORM and Alembic; the tables of
the follow-up, the campaigns and the dashboard's sign-in in tables_people.py, and what the history's
tally reads in tables_history.py, imported here so that every table is known wherever the schema is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sync_service.adapters.db.base import NAMING_CONVENTION as NAMING_CONVENTION
from sync_service.adapters.db.base import Base as Base
from sync_service.adapters.db.base import ForumId as ForumId
from sync_service.adapters.db.tables_history import NeedEndsRecord as NeedEndsRecord
from sync_service.adapters.db.tables_people import CampaignMemberRecord as CampaignMemberRecord
from sync_service.adapters.db.tables_people import CampaignRecord as CampaignRecord
from sync_service.adapters.db.tables_people import ExperienceRecord as ExperienceRecord
from sync_service.adapters.db.tables_people import FollowupRecord as FollowupRecord
from sync_service.adapters.db.tables_people import SignInNonce as SignInNonce


class InboxDelivery(Base):
    """One accepted webhook delivery, reduced to what processing needs (dj-stripe's inbox).

    The body is not kept: user payloads carry e-mail addresses, which codev never stores. What is
    kept is the entity the event is about (to refetch it) and the body's hash. A body identical to
    one still waiting is a duplicate (the waiting row's refetch will see whatever it describes), under
    any event name: the name is not signed. Once that row is done, the same body again is a real
    change back (tags A -> B -> A give identical bodies) and makes a new row. An ignored body stays a
    duplicate for good: it asks for no work, and made-up event names cost one row.
    """

    __tablename__ = "inbox_delivery"
    __table_args__ = (
        Index("uq_inbox_delivery_waiting_body", "body_sha256", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        # only what the intake ignored (a worker that finishes a row as ignored may meet its body there)
        Index("uq_inbox_delivery_ignored_body", "body_sha256", unique=True,
              postgresql_where=text("status = 'ignored' AND attempts = 0"),
              sqlite_where=text("status = 'ignored' AND attempts = 0")),
        Index("ix_inbox_delivery_claim", "status", "available_at"),
        Index("ix_inbox_delivery_entity", "entity_kind", "entity_key"),
        Index("ix_inbox_delivery_processed_at", "processed_at"),
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


# --- what codev keeps of the forum -------------------------------------------------------------

UNPUSHED = text("profile_pushed_at IS NULL OR profile_pushed_at < updated_at")
DIGEST = text("digest AND matchable")
FORGOTTEN = text("expert_key IS NOT NULL")
# The experts' answers that know when they were proposed (their waits are measured: impact.ANSWERED)
TIMED = text("kind = 'introduction' AND status IN ('accepted', 'declined') AND proposed_at IS NOT NULL")


class ExpertRecord(Base):
    """A consenting member of the experts group: only what matching and introductions need.

    No e-mail address, no IP, no location beyond the country (docs/privacy.md).
    """

    __tablename__ = "experts"
    # the profiles the next pass pushes to the codev plugin: an idle pass reads an empty index
    __table_args__ = (
        Index("ix_experts_unpushed", "user_id", postgresql_where=UNPUSHED, sqlite_where=UNPUSHED),
        Index("ix_experts_digest", "user_id", postgresql_where=DIGEST, sqlite_where=DIGEST),
    )

    user_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
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
    # The `updated_at` of the profile last pushed to the codev plugin's user card (None: never pushed).
    profile_pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NeedRecord(Base):
    """A commune's need, read from its topic's first post (form blocks), tags and author's groups."""

    __tablename__ = "needs"

    topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(ForumId, index=True)
    author_username: Mapped[str | None] = mapped_column(String(60))
    commune_group: Mapped[str | None] = mapped_column(String(100))
    commune_code: Mapped[str | None] = mapped_column(String(16))
    commune: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[str | None] = mapped_column(String(100))
    # the author's actor group (their commune's, else an association's, a cooperative's...)
    organisation: Mapped[str | None] = mapped_column(String(100))
    sector: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    mode: Mapped[str | None] = mapped_column(String(16))
    deadline: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    # open | matched | in_progress | served | funded | closed (sync sets open/closed, the brokerage the rest)
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

    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    expert_user_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
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


class NeedOfferRecord(Base):
    """A volunteer of a need: an offer the codev plugin holds and that was not withdrawn."""

    __tablename__ = "need_offers"

    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False, index=True)
    username: Mapped[str] = mapped_column(String(60))
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatusChangeRecord(Base):
    """One change of a need's or an introduction's status, with its time; appended in the transaction of
    the change, never updated but to forget a person (their id and name blanked, `expert_key` kept as a
    keyed hash so that counts stay exact). Needs and introductions forgotten keep their rows."""

    __tablename__ = "status_history"
    __table_args__ = (Index("ix_status_history_need", "need_topic_id", "at"),
                      Index("ix_status_history_kind_status_at", "kind", "status", "at"),
                      Index("ix_status_history_forgotten", "id", postgresql_where=FORGOTTEN,
                            sqlite_where=FORGOTTEN),
                      # the waits in order (with their columns: read from the index alone): the median is read
                      # from the middle ones
                      Index("ix_status_history_wait", text("(at - proposed_at)"),
                            postgresql_include=["at", "proposed_at"], postgresql_where=TIMED,
                            sqlite_where=TIMED))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # need | introduction
    need_topic_id: Mapped[int] = mapped_column(ForumId)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # introductions: the expert while known; once forgotten, ids are null and expert_key the tombstone key
    expert_user_id: Mapped[int | None] = mapped_column(ForumId, index=True)
    expert_username: Mapped[str | None] = mapped_column(String(60))
    expert_key: Mapped[str | None] = mapped_column(String(64))
    # the need's commune group, organisation and skills at the time of the change
    commune_group: Mapped[str | None] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(100))
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # an introduction's answer (and end): when it was proposed, for the answer times
    proposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewThreadRecord(Base):
    """The state of one need's staff review topic; the topic and post ids come from the outbox."""

    __tablename__ = "review_threads"

    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
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

    user_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False, index=True)
    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanRowRecord(Base):
    """One row of a commune's plan as last imported (its draft topic: the sent outbox row `plan:<key>`)."""

    __tablename__ = "plan_rows"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(60), index=True)
    row: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- what codev will write to the forum ----------------------------------------------------------

class OutboxIntent(Base):
    """One write codev decided to make; intent_key makes a decision taken twice one row."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_claim", "status", "available_at"),
        Index("ix_outbox_target", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intent_key: Mapped[str] = mapped_column(String(128), unique=True)
    # create_topic | reply | private_message | edit_post | close_topic
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the intent whose topic/post this one writes to; the row waits until that one is sent
    depends_on: Mapped[str | None] = mapped_column(String(128))
    # the Discourse object an edit replaces ("post:<id>", "post-of:<key>"): one in flight at a time
    target: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # a request of an earlier attempt may have reached Discourse: look for the marker before sending
    maybe_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    leased_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    topic_id: Mapped[int | None] = mapped_column(ForumId, index=True)
    post_id: Mapped[int | None] = mapped_column(ForumId)
    last_error: Mapped[str | None] = mapped_column(Text)
    # the forum user the write is about (an introduction's expert, a digest's reader): forgetting them
    # removes it
    person_id: Mapped[int | None] = mapped_column(ForumId, index=True)


class BrokerageChange(Base):
    """A need or an expert that changed (row, introductions, offers): what the next pass re-ranks."""

    __tablename__ = "brokerage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_topic_id: Mapped[int | None] = mapped_column(ForumId)
    expert_user_id: Mapped[int | None] = mapped_column(ForumId)


class BrokerageLease(Base):
    """Who ranks for the deployment until when (one worker at a time)."""

    __tablename__ = "brokerage_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WorkerHeartbeat(Base):
    """One row a worker process: when it last finished a pass, how long that took, when it last
    reconciled, and how many 429s the forum answered it (read by /metrics and `codev doctor`)."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_pass_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    pass_seconds: Mapped[float] = mapped_column(Float)
    passes: Mapped[int] = mapped_column(Integer)
    last_reconcile_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rate_limited: Mapped[int] = mapped_column(Integer)
