"""What codev holds of one person, as one JSON document (GDPR art. 15 and 20; docs/privacy.md): their
profile as matching reads it, the needs they posted, the introductions they are part of (as the expert
or as the need's author) with the history of their statuses, the digests sent to them, their answers to
follow-ups, the recruitment campaigns they joined through, and whether they were forgotten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sync_service.adapters.db.columns import aware
from sync_service.adapters.db.tables import (
    CampaignMemberRecord,
    CampaignRecord,
    DigestEntry,
    ExpertRecord,
    FollowupRecord,
    IntroductionRecord,
    NeedOfferRecord,
    NeedRecord,
    OutboxIntent,
    ReviewThreadRecord,
    StatusChangeRecord,
    Tombstone,
)
from sync_service.services.forget import tombstone_key

PROFILE = ("username", "display_name", "bio", "skills", "sectors", "languages", "modes", "country",
           "availability_hours", "origin_province", "matchable", "digest", "fetched_at", "updated_at")
NEED = ("topic_id", "title", "commune", "commune_code", "province", "sector", "kind", "skills", "languages",
        "mode", "deadline", "body", "status", "topic_updated_at", "updated_at")
FOLLOWUP = ("need_topic_id", "role", "locale", "asked_at", "answers", "answered_at", "consent", "consent_at")
INTRODUCTION = ("need_topic_id", "expert_user_id", "expert_username", "status", "reviewed", "approved_by",
                "opened_at", "reminded_at", "answered_at", "closed_at")


def find_user_id(session: Session, username: str) -> int | None:
    """The forum user id codev knows for a username (as an expert, a need's author or an introduced
    expert); None when codev holds nothing under that name."""
    name = username.strip().lower()
    for column, id_column in ((ExpertRecord.username, ExpertRecord.user_id),
                              (NeedRecord.author_username, NeedRecord.author_user_id),
                              (IntroductionRecord.expert_username, IntroductionRecord.expert_user_id)):
        found = session.scalar(select(id_column).where(func.lower(column) == name).limit(1))
        if found is not None:
            return int(found)
    return None


def export_person(session: Session, user_id: int, now: datetime, pepper: bytes) -> dict[str, Any]:
    """Everything codev holds of forum user `user_id`, in plain JSON values."""
    expert = session.get(ExpertRecord, user_id)
    needs = list(session.scalars(select(NeedRecord).where(NeedRecord.author_user_id == user_id)
                                 .order_by(NeedRecord.topic_id)))
    authored = [n.topic_id for n in needs]
    introductions = list(session.scalars(select(IntroductionRecord).where(or_(
        IntroductionRecord.expert_user_id == user_id, IntroductionRecord.need_topic_id.in_(authored)))
        .order_by(IntroductionRecord.opened_at)))
    titles = {n.topic_id: n.title for n in session.scalars(select(NeedRecord).where(
        NeedRecord.topic_id.in_([i.need_topic_id for i in introductions])))}
    digests = session.scalars(select(DigestEntry).where(DigestEntry.user_id == user_id)
                              .order_by(DigestEntry.sent_at))
    listed_in = [r.need_topic_id for r in session.scalars(select(ReviewThreadRecord))
                 if any(isinstance(s, list) and s and s[0] == user_id for s in r.shown or [])]
    waiting = session.scalar(select(func.count()).select_from(OutboxIntent).where(
        OutboxIntent.person_id == user_id, OutboxIntent.status.in_(("pending", "sending")))) or 0
    history = session.scalars(select(StatusChangeRecord).where(StatusChangeRecord.expert_user_id == user_id)
                              .order_by(StatusChangeRecord.at, StatusChangeRecord.id))
    offers = session.scalars(select(NeedOfferRecord).where(NeedOfferRecord.user_id == user_id)
                             .order_by(NeedOfferRecord.offered_at))
    followups = session.scalars(select(FollowupRecord).where(FollowupRecord.user_id == user_id)
                                .order_by(FollowupRecord.asked_at))
    person = tombstone_key("person", user_id, pepper)
    forgotten = session.get(Tombstone, person) is not None
    joined = session.execute(select(CampaignRecord.name, CampaignMemberRecord.joined_at)
                             .join(CampaignRecord, CampaignRecord.key == CampaignMemberRecord.campaign_key)
                             .where(CampaignMemberRecord.person_key == person)
                             .order_by(CampaignMemberRecord.joined_at))
    return {
        "forum_user_id": user_id,
        "exported_at": now.isoformat(),
        "forgotten": forgotten,
        "profile": _plain(expert, PROFILE) if expert is not None else None,
        "needs_posted": [_plain(n, NEED) for n in needs],
        "introductions": [{**_plain(i, INTRODUCTION), "need_title": titles.get(i.need_topic_id),
                           "role": "expert" if i.expert_user_id == user_id else "need author"}
                          for i in introductions],
        "introduction_history": [{"need_topic_id": h.need_topic_id, "status": h.status, "at": _value(h.at)}
                                 for h in history],
        "candidate_in_review_of_needs": sorted(listed_in),
        "offers_of_help": [{"need_topic_id": o.need_topic_id, "offered_at": _value(o.offered_at)}
                           for o in offers],
        "digests_received": [{"need_topic_id": d.need_topic_id, "sent_at": _value(d.sent_at)}
                             for d in digests],
        "follow_ups": [_plain(f, FOLLOWUP) for f in followups],
        "messages_not_yet_sent": waiting,
        "joined_through_campaigns": [{"campaign": name, "joined_at": _value(at)} for name, at in joined],
        "not_kept": "codev keeps no e-mail address, no password, no IP address; the forum's own export "
                    "(Discourse: your profile > Activity > Download all) holds your posts and account",
    }


def _plain(row: object, columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: _value(getattr(row, c)) for c in columns}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = aware(value)
        return moment.isoformat() if moment else None
    return value
