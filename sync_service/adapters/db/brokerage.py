"""Repositories of the brokerage (introductions, review threads, digests); they never commit.

Where codev's own threads are in the forum is not stored twice: an introduction's PM topic and a review
thread's topic and post are those of the outbox row of its intent key, once that row is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_service.adapters.db.changes import SqlChangeRepository
from sync_service.adapters.db.columns import aware, rowcount, utc
from sync_service.adapters.db.history import introduction_changed
from sync_service.adapters.db.tables import (
    DigestEntry,
    IntroductionRecord,
    NeedOfferRecord,
    NeedRecord,
    OutboxIntent,
    ReviewThreadRecord,
)
from sync_service.domain.brokerage import (
    ACCEPTED,
    FINAL_STATUSES,
    PENDING,
    Introduction,
    ReviewThread,
    ShownCandidate,
    Volunteer,
    intent_keys,
    review_key,
)

_INTRO_FIELDS = ("expert_username", "status", "reviewed", "opened_at", "remind_at", "expire_at",
                 "approved_by", "reminded_at", "answered_at", "closed_at", "last_post_number")
_MOMENTS = ("opened_at", "remind_at", "expire_at", "reminded_at", "answered_at", "closed_at")


class _Sent(NamedTuple):
    topic_id: int | None
    post_id: int | None
    sent_at: datetime | None


_NOT_SENT = _Sent(None, None, None)


def _sent(session: Session, keys: Iterable[str]) -> dict[str, _Sent]:
    """intent key -> where and when the forum holds it, for the rows among these keys that were sent."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    o = OutboxIntent
    rows = session.execute(select(o.intent_key, o.topic_id, o.post_id, o.sent_at)
                           .where(o.intent_key.in_(wanted), o.status == "sent"))
    return {r.intent_key: _Sent(r.topic_id, r.post_id, aware(r.sent_at)) for r in rows}


def _sent_keys_in_topic(session: Session, topic_id: int, prefix: str) -> list[str]:
    o = OutboxIntent
    return list(session.scalars(select(o.intent_key).where(
        o.topic_id == topic_id, o.status == "sent", o.intent_key.startswith(prefix, autoescape=True))
        .order_by(o.id)))


def _ids_in_key(key: str, prefix: str, count: int) -> tuple[int, ...] | None:
    """The numbers of "prefix:<n>[:<m>]", or None when the key has another shape (a reply, an edit)."""
    parts = key.split(":")
    if parts[0] != prefix or len(parts) != count + 1 or not all(p.isdigit() for p in parts[1:]):
        return None
    return tuple(int(p) for p in parts[1:])


class SqlIntroductionRepository:
    """Introductions in the `introductions` table (implements ports.storage.IntroductionRepository)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes = SqlChangeRepository(session)

    def get(self, need_topic_id: int, expert_user_id: int, *, lock: bool = False) -> Introduction | None:
        """One introduction; with lock, FOR UPDATE until the transaction ends."""
        r = IntroductionRecord
        query = select(r).where(r.need_topic_id == need_topic_id, r.expert_user_id == expert_user_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self.session.scalars(query).one_or_none()
        return None if row is None else self._with_topics([row])[0]

    def of_need(self, need_topic_id: int) -> list[Introduction]:
        """Every introduction of one need, oldest first."""
        r = IntroductionRecord
        return self._many(select(r).where(r.need_topic_id == need_topic_id)
                          .order_by(r.opened_at, r.expert_user_id))

    def add(self, intro: Introduction) -> bool:
        """Insert; False when this pair already has one (nothing changes then)."""
        if self.session.get(IntroductionRecord, (intro.need_topic_id, intro.expert_user_id)) is not None:
            return False
        try:
            # a savepoint: a concurrent insert of the same pair loses only this row, not the caller's work
            with self.session.begin_nested():
                row = IntroductionRecord(need_topic_id=intro.need_topic_id,
                                         expert_user_id=intro.expert_user_id)
                _copy(intro, row)
                self.session.add(row)
                introduction_changed(self.session, None, intro)
        except IntegrityError:
            return False
        self.changes.note(need_topic_id=intro.need_topic_id, expert_user_id=intro.expert_user_id)
        return True

    def save(self, intro: Introduction) -> None:
        """Update the row of this pair (inserted if it is missing)."""
        row = self.session.get(IntroductionRecord, (intro.need_topic_id, intro.expert_user_id))
        before = None if row is None else row.status
        if row is None:
            row = IntroductionRecord(need_topic_id=intro.need_topic_id, expert_user_id=intro.expert_user_id)
            self.session.add(row)
        introduction_changed(self.session, before, intro)
        _copy(intro, row)
        self.session.flush()
        self.changes.note(need_topic_id=intro.need_topic_id, expert_user_id=intro.expert_user_id)

    def maybe_due(self, now: datetime) -> list[Introduction]:
        """Pending introductions whose reminder or expiry date passed, or whose need is gone or ended."""
        r, n = IntroductionRecord, NeedRecord
        live = exists().where(n.topic_id == r.need_topic_id, n.status.not_in(FINAL_STATUSES))
        return self._many(select(r).where(r.status == PENDING, or_(
            and_(r.reminded_at.is_(None), r.remind_at <= now), r.expire_at <= now, ~live))
            .order_by(r.expire_at, r.need_topic_id, r.expert_user_id))

    def pending(self) -> list[Introduction]:
        """Every introduction awaiting an answer, by expiry date."""
        r = IntroductionRecord
        return self._many(select(r).where(r.status == PENDING)
                          .order_by(r.expire_at, r.need_topic_id, r.expert_user_id))

    def by_pm_topic(self, topic_id: int) -> Introduction | None:
        """The introduction whose PM is this topic (the sent outbox row of its "pm" intent)."""
        for key in _sent_keys_in_topic(self.session, topic_id, "intro:"):
            ids = _ids_in_key(key, "intro", 2)
            if ids is not None and intent_keys(ids[0], ids[1])["pm"] == key:
                return self.get(ids[0], ids[1])
        return None

    def loads(self) -> dict[int, int]:
        """Pending or accepted introductions per expert user id."""
        r = IntroductionRecord
        rows = self.session.execute(select(r.expert_user_id, func.count())
                                    .where(r.status.in_((PENDING, ACCEPTED))).group_by(r.expert_user_id))
        return {user_id: int(n) for user_id, n in rows}

    def forget_expert(self, user_id: int) -> int:
        """Delete that expert's introductions; how many."""
        r = IntroductionRecord
        for need in self.session.scalars(select(r.need_topic_id).where(r.expert_user_id == user_id)):
            self.changes.note(need_topic_id=need, expert_user_id=user_id)
        return rowcount(self.session.execute(delete(r).where(r.expert_user_id == user_id)))

    def forget_need(self, need_topic_id: int) -> int:
        """Delete that need's introductions; how many."""
        r = IntroductionRecord
        for expert in self.session.scalars(select(r.expert_user_id).where(r.need_topic_id == need_topic_id)):
            self.changes.note(need_topic_id=need_topic_id, expert_user_id=expert)
        return rowcount(self.session.execute(delete(r).where(r.need_topic_id == need_topic_id)))

    def _many(self, query: Any) -> list[Introduction]:
        return self._with_topics(list(self.session.scalars(query)))

    def _with_topics(self, rows: Sequence[IntroductionRecord]) -> list[Introduction]:
        keys = {(r.need_topic_id, r.expert_user_id): intent_keys(r.need_topic_id, r.expert_user_id)["pm"]
                for r in rows}
        sent = _sent(self.session, keys.values())
        return [_introduction(r, sent.get(keys[(r.need_topic_id, r.expert_user_id)], _NOT_SENT))
                for r in rows]


def _copy(intro: Introduction, row: IntroductionRecord) -> None:
    for name in _INTRO_FIELDS:
        setattr(row, name, getattr(intro, name))


def _introduction(row: IntroductionRecord, pm: _Sent) -> Introduction:
    values = {name: getattr(row, name) for name in _INTRO_FIELDS}
    for name in _MOMENTS:
        values[name] = aware(values[name])
    values["reviewed"] = bool(values["reviewed"])
    return Introduction(need_topic_id=row.need_topic_id, expert_user_id=row.expert_user_id,
                        pm_topic_id=pm.topic_id, pm_sent_at=pm.sent_at, **values)


class SqlReviewRepository:
    """Review threads in the `review_threads` table (implements ports.storage.ReviewRepository)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, need_topic_id: int, *, lock: bool = False) -> ReviewThread | None:
        """The thread state with its topic and first post once the outbox sent it."""
        r = ReviewThreadRecord
        query = select(r).where(r.need_topic_id == need_topic_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self.session.scalars(query).one_or_none()
        if row is None:
            return None
        key, latest = review_key(need_topic_id), review_key(need_topic_id, row.revision)
        sent = _sent(self.session, [key, latest])
        topic_id, post_id, _ = sent.get(key, _NOT_SENT)
        return _thread(row, topic_id, post_id, published=latest in sent)

    def save(self, thread: ReviewThread) -> None:
        """Insert or update."""
        row = self.session.get(ReviewThreadRecord, thread.need_topic_id)
        if row is None:
            row = ReviewThreadRecord(need_topic_id=thread.need_topic_id)
            self.session.add(row)
        row.revision = thread.revision
        row.content_hash = thread.content_hash
        row.shown = [[c.user_id, c.username] for c in thread.shown]
        row.last_post_number = thread.last_post_number
        row.locale = thread.locale
        row.handled_tags = list(thread.handled_tags)
        row.updated_at = func.now()
        self.session.flush()

    def by_topic(self, topic_id: int) -> ReviewThread | None:
        """The review thread whose topic is this one (the sent outbox row of its review key)."""
        for key in _sent_keys_in_topic(self.session, topic_id, "review:"):
            ids = _ids_in_key(key, "review", 1)
            if ids is not None and review_key(ids[0]) == key:
                return self.get(ids[0])
        return None

    def delete(self, need_topic_id: int) -> bool:
        """Forget the thread state of a need (the topic itself stays in the forum)."""
        r = ReviewThreadRecord
        return rowcount(self.session.execute(delete(r).where(r.need_topic_id == need_topic_id))) > 0

    def forget_expert(self, user_id: int) -> int:
        """Drop that expert from every `shown` list; how many threads changed."""
        changed = 0
        for row in self.session.scalars(select(ReviewThreadRecord)):
            kept = [entry for entry in row.shown or [] if int(entry[0]) != user_id]
            if len(kept) != len(row.shown or []):
                row.shown = kept
                changed += 1
        self.session.flush()
        return changed


def _thread(row: ReviewThreadRecord, topic_id: int | None, post_id: int | None,
            published: bool) -> ReviewThread:
    shown = tuple(ShownCandidate(int(user_id), str(username)) for user_id, username in row.shown or [])
    return ReviewThread(need_topic_id=row.need_topic_id, revision=row.revision,
                        content_hash=row.content_hash, shown=shown, last_post_number=row.last_post_number,
                        locale=row.locale, topic_id=topic_id, post_id=post_id, published=published,
                        handled_tags=tuple(str(tag) for tag in row.handled_tags or []))


class SqlDigestRepository:
    """Digest entries in the `digest_entries` table (implements ports.storage.DigestRepository)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def last_sent(self, user_id: int) -> datetime | None:
        """When the expert's last digest was decided, or None."""
        d = DigestEntry
        moment = self.session.scalar(select(func.max(d.sent_at)).where(d.user_id == user_id))
        return aware(moment)

    def listed(self, user_id: int) -> set[int]:
        """Topic ids of needs already listed to this expert."""
        d = DigestEntry
        return set(self.session.scalars(select(d.need_topic_id).where(d.user_id == user_id)))

    def record(self, user_id: int, need_topic_ids: Sequence[int], now: datetime) -> None:
        """Note a digest decided now listing these needs (a need listed again takes the new date)."""
        for topic_id in dict.fromkeys(need_topic_ids):
            row = self.session.get(DigestEntry, (user_id, topic_id))
            if row is None:
                self.session.add(DigestEntry(user_id=user_id, need_topic_id=topic_id, sent_at=now))
            else:
                row.sent_at = now
        self.session.flush()

    def forget_expert(self, user_id: int) -> int:
        """Delete what digests noted of this expert; how many rows."""
        return rowcount(self.session.execute(delete(DigestEntry).where(DigestEntry.user_id == user_id)))


class SqlOfferRepository:
    """Volunteers in the `need_offers` table (implements ports.storage.OfferRepository)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes = SqlChangeRepository(session)

    def of_need(self, need_topic_id: int) -> list[Volunteer]:
        """The need's volunteers, first offer first."""
        r = NeedOfferRecord
        rows = self.session.scalars(select(r).where(r.need_topic_id == need_topic_id)
                                    .order_by(r.offered_at, r.user_id))
        return [Volunteer(row.need_topic_id, row.user_id, row.username, utc(row.offered_at)) for row in rows]

    def replace(self, need_topic_id: int, volunteers: Sequence[Volunteer]) -> bool:
        """Hold exactly these volunteers for the need; True if that changed anything."""
        if set(self.of_need(need_topic_id)) == set(volunteers):
            return False
        r = NeedOfferRecord
        self.session.execute(delete(r).where(r.need_topic_id == need_topic_id))
        self.session.add_all(NeedOfferRecord(need_topic_id=need_topic_id, user_id=v.user_id,
                                             username=v.username, offered_at=v.offered_at)
                             for v in volunteers)
        self.session.flush()
        self.changes.note(need_topic_id=need_topic_id)
        return True

    def forget_expert(self, user_id: int) -> int:
        """Delete that person's offers; how many rows."""
        r = NeedOfferRecord
        for need in self.session.scalars(select(r.need_topic_id).where(r.user_id == user_id)):
            self.changes.note(need_topic_id=need)
        return rowcount(self.session.execute(delete(r).where(r.user_id == user_id)))

    def forget_need(self, need_topic_id: int) -> int:
        """Delete the need's offers; how many rows."""
        r = NeedOfferRecord
        return rowcount(self.session.execute(delete(r).where(r.need_topic_id == need_topic_id)))
