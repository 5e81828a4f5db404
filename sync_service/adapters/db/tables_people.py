"""Tables of what people give codev later on: follow-up answers and published experiences, who joined
through a recruitment campaign, the dashboard's sign-in nonces (one MetaData with tables.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_service.adapters.db.base import Base, ForumId


class FollowupRecord(Base):
    """One person asked how a need served or funded went: their answers and consent, nothing more."""

    __tablename__ = "followups"

    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False, index=True)
    username: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16))  # author | expert
    locale: Mapped[str] = mapped_column(String(8))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # what was done, what changed, would they recommend: each capped (domain.followup.ANSWER_LIMIT)
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_post_number: Mapped[int] = mapped_column(Integer)


class ExperienceRecord(Base):
    """A need whose people were asked; published_at once a community manager published it."""

    __tablename__ = "experiences"

    need_topic_id: Mapped[int] = mapped_column(ForumId, primary_key=True, autoincrement=False)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CampaignRecord(Base):
    """A recruitment campaign: a multi-use invite into the experts group (created through the outbox
    intent named by `key`, whose sent row holds the invite's id) and the skills and communes it calls for."""

    __tablename__ = "campaigns"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    max_uses: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(String(60))
    created_by: Mapped[str | None] = mapped_column(String(60))
    skills: Mapped[list[str]] = mapped_column(JSON)
    communes: Mapped[list[str]] = mapped_column(JSON)
    link: Mapped[str | None] = mapped_column(String(300))


class CampaignMemberRecord(Base):
    """A person who joined through a campaign's invite: the keyed hash of their forum id (the history's
    and the tombstone's) and when, nothing more (joining is not consenting to be matched)."""

    __tablename__ = "campaign_members"

    campaign_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInNonce(Base):
    """A DiscourseConnect nonce the dashboard sent to the forum, until its answer comes back: each is
    taken once, by whichever web process receives the answer, and only while fresh."""

    __tablename__ = "sign_in_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
