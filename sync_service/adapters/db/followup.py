"""The follow-up's repository (tables followups and experiences); it never commits. Where the messages
and the published topic are in the forum is read from the sent outbox rows of their intent keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_service.adapters.db.brokerage import _ids_in_key, _sent, _sent_keys_in_topic
from sync_service.adapters.db.columns import aware, rowcount, utc
from sync_service.adapters.db.outbox import UNSENT
from sync_service.adapters.db.tables import (
    ExperienceRecord,
    FollowupRecord,
    NeedRecord,
    OutboxIntent,
    StatusChangeRecord,
)
from sync_service.domain.followup import OUTCOMES, Experience, Followup, experience_key, followup_key
from sync_service.domain.impact import EXPERIENCE, NEED

_FIELDS = ("username", "role", "locale", "asked_at", "answered_at", "consent", "consent_at",
           "last_post_number")


class SqlFollowupRepository:
    """Implements ports.followup.FollowupRepository."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def due_needs(self, served_since: datetime, served_before: datetime) -> list[int]:
        """Needs served or funded now, first so in [since, before), never asked."""
        h, n, e = StatusChangeRecord, NeedRecord, ExperienceRecord
        first = (select(h.need_topic_id, func.min(h.at).label("at"))
                 .where(h.kind == NEED, h.status.in_(OUTCOMES)).group_by(h.need_topic_id).subquery())
        query = (select(n.topic_id).join(first, first.c.need_topic_id == n.topic_id)
                 .where(n.status.in_(OUTCOMES), first.c.at >= served_since, first.c.at < served_before,
                        ~exists().where(e.need_topic_id == n.topic_id))
                 .order_by(first.c.at, n.topic_id))
        return list(self.session.scalars(query))

    def get(self, need_topic_id: int, user_id: int, *, lock: bool = False) -> Followup | None:
        """One follow-up; with lock, FOR UPDATE until the transaction ends."""
        f = FollowupRecord
        query = select(f).where(f.need_topic_id == need_topic_id, f.user_id == user_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self.session.scalars(query).one_or_none()
        return None if row is None else self._joined([row])[0]

    def of_need(self, need_topic_id: int) -> list[Followup]:
        """The people asked about one need."""
        f = FollowupRecord
        return self._joined(list(self.session.scalars(
            select(f).where(f.need_topic_id == need_topic_id).order_by(f.asked_at, f.user_id))))

    def add(self, followup: Followup) -> bool:
        """Insert; False when this person was already asked about this need."""
        if self.session.get(FollowupRecord, (followup.need_topic_id, followup.user_id)) is not None:
            return False
        try:
            with self.session.begin_nested():
                row = FollowupRecord(need_topic_id=followup.need_topic_id, user_id=followup.user_id)
                _copy(followup, row)
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def save(self, followup: Followup, now: datetime) -> None:
        """Update the row; the first answers append a history row."""
        row = self.session.get(FollowupRecord, (followup.need_topic_id, followup.user_id))
        if row is None:
            return  # forgotten meanwhile: nothing of theirs is written back
        if row.answered_at is None and followup.answered_at is not None:
            self._history(followup.need_topic_id, "received", followup.answered_at)
        _copy(followup, row)
        self.session.flush()

    def by_pm_topic(self, topic_id: int) -> Followup | None:
        """The follow-up whose message is this topic."""
        for key in _sent_keys_in_topic(self.session, topic_id, "followup:"):
            ids = _ids_in_key(key, "followup", 2)
            if ids is not None and followup_key(ids[0], ids[1]) == key:
                return self.get(ids[0], ids[1])
        return None

    def listening(self, asked_since: datetime) -> list[Followup]:
        """Follow-ups asked since then whose experience is not published."""
        f, e = FollowupRecord, ExperienceRecord
        query = (select(f).where(f.asked_at >= asked_since, ~exists().where(
            e.need_topic_id == f.need_topic_id, e.published_at.is_not(None)))
            .order_by(f.asked_at, f.need_topic_id, f.user_id))
        return self._joined(list(self.session.scalars(query)))

    def experience(self, need_topic_id: int, *, lock: bool = False) -> Experience | None:
        """The need's experience."""
        e = ExperienceRecord
        query = select(e).where(e.need_topic_id == need_topic_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self.session.scalars(query).one_or_none()
        return None if row is None else self._experiences([row])[0]

    def experiences(self) -> list[Experience]:
        """Every experience, most recently asked first."""
        e = ExperienceRecord
        return self._experiences(list(self.session.scalars(
            select(e).order_by(e.asked_at.desc(), e.need_topic_id.desc()))))

    def add_experience(self, experience: Experience) -> bool:
        """Insert; False when the need has one."""
        if self.session.get(ExperienceRecord, experience.need_topic_id) is not None:
            return False
        try:
            with self.session.begin_nested():
                self.session.add(ExperienceRecord(need_topic_id=experience.need_topic_id,
                                                  asked_at=experience.asked_at,
                                                  published_at=experience.published_at))
        except IntegrityError:
            return False
        return True

    def published(self, need_topic_id: int, now: datetime) -> bool:
        """Note the publication decided now; False if it was decided before (or there is no experience)."""
        row = self.session.get(ExperienceRecord, need_topic_id)
        if row is None or row.published_at is not None:
            return False
        row.published_at = now
        self._history(need_topic_id, "published", now)
        self.session.flush()
        return True

    def forget_person(self, user_id: int) -> int:
        """Delete that person's follow-ups; a publication of their needs not yet sent is called off (its
        outbox row and its history row go: without their yes nothing is published). How many rows."""
        f, e, o, h = FollowupRecord, ExperienceRecord, OutboxIntent, StatusChangeRecord
        needs = list(self.session.scalars(select(f.need_topic_id).where(f.user_id == user_id)))
        count = rowcount(self.session.execute(delete(f).where(f.user_id == user_id)))
        for need in needs:
            unsent = delete(o).where(o.intent_key == experience_key(need), o.status.in_(UNSENT))
            if rowcount(self.session.execute(unsent.execution_options(synchronize_session=False))):
                self.session.execute(update(e).where(e.need_topic_id == need).values(published_at=None))
                self.session.execute(delete(h).where(h.kind == EXPERIENCE, h.need_topic_id == need,
                                                     h.status == "published"))
                count += 1
        return count

    def forget_need(self, need_topic_id: int) -> int:
        """Delete the need's follow-ups and experience; how many rows."""
        f, e = FollowupRecord, ExperienceRecord
        return (rowcount(self.session.execute(delete(f).where(f.need_topic_id == need_topic_id)))
                + rowcount(self.session.execute(delete(e).where(e.need_topic_id == need_topic_id))))

    def _history(self, need_topic_id: int, status: str, at: datetime) -> None:
        need = self.session.get(NeedRecord, need_topic_id)
        self.session.add(StatusChangeRecord(
            kind=EXPERIENCE, need_topic_id=need_topic_id, status=status, at=at,
            commune_group=need.commune_group if need else None,
            organisation=need.organisation if need else None, skills=[]))

    def _joined(self, rows: Sequence[FollowupRecord]) -> list[Followup]:
        keys = {(r.need_topic_id, r.user_id): followup_key(r.need_topic_id, r.user_id) for r in rows}
        sent = _sent(self.session, keys.values())
        return [_followup(r, sent[keys[(r.need_topic_id, r.user_id)]].topic_id
                          if keys[(r.need_topic_id, r.user_id)] in sent else None) for r in rows]

    def _experiences(self, rows: Sequence[ExperienceRecord]) -> list[Experience]:
        sent = _sent(self.session, (experience_key(r.need_topic_id) for r in rows))
        out = []
        for r in rows:
            topic = sent.get(experience_key(r.need_topic_id))
            out.append(Experience(r.need_topic_id, utc(r.asked_at), aware(r.published_at),
                                  topic.topic_id if topic is not None else None))
        return out


def _copy(followup: Followup, row: FollowupRecord) -> None:
    for name in _FIELDS:
        setattr(row, name, getattr(followup, name))
    row.answers = list(followup.answers)


def _followup(row: FollowupRecord, pm_topic_id: int | None) -> Followup:
    a = [str(x) for x in (row.answers or [])] + ["", "", ""]
    return Followup(row.need_topic_id, row.user_id, row.username, row.role, row.locale, utc(row.asked_at),
                    (a[0], a[1], a[2]), aware(row.answered_at),
                    None if row.consent is None else bool(row.consent), aware(row.consent_at),
                    row.last_post_number, pm_topic_id)
