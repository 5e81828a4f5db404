"""Repositories of what sync keeps (experts, needs, tombstones); they never commit."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from sync_service.adapters.db.changes import SqlChangeRepository
from sync_service.adapters.db.columns import aware, rowcount, utc
from sync_service.adapters.db.history import need_changed
from sync_service.adapters.db.tables import DigestEntry, ExpertRecord, NeedRecord, Tombstone
from sync_service.domain.lifecycle import CLOSED
from sync_service.domain.needs import NeedDetails
from sync_service.domain.people import ExpertProfile
from sync_service.services.ports.storage import NeedTitle, StoredExpert, StoredNeed


def _fit(value: str | None, length: int) -> str | None:
    # A text longer than its column would fail the row on PostgreSQL at every retry; these columns
    # hold choices and names, so the end of an overlong one carries nothing matching needs.
    return value[:length] if value is not None else None


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


class _KeyedRows:
    """What the experts and needs tables share: a row by key (optionally locked), touch, delete, keys."""

    model: Any
    key_name: str  # the primary key's attribute (a column descriptor cannot sit on this class)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes = SqlChangeRepository(session)

    def _changed(self, key: int) -> None:
        """Note the change in the brokerage's feed (the next pass re-ranks what it touches)."""
        raise NotImplementedError

    def _row(self, key: int, *, lock: bool = False) -> Any:
        query = select(self.model).where(getattr(self.model, self.key_name) == key)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalars(query).one_or_none()

    def touch(self, key: int, fetched_at: datetime) -> None:
        """Record a fetch that found nothing new."""
        row = self.session.get(self.model, key)
        if row is not None:
            row.fetched_at = fetched_at
            self.session.flush()

    def delete(self, key: int) -> bool:
        """Remove the row; True when there was one."""
        row = self.session.get(self.model, key)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        self._changed(key)
        return True

    def ids(self) -> list[int]:
        """Every stored key."""
        column = getattr(self.model, self.key_name)
        return list(self.session.scalars(select(column).order_by(column)))


class SqlExpertRepository(_KeyedRows):
    """Experts in the `experts` table."""

    model = ExpertRecord
    key_name = "user_id"

    def get(self, user_id: int, *, lock: bool = False) -> StoredExpert | None:
        """The stored profile; with lock, FOR UPDATE until the transaction ends."""
        row = self._row(user_id, lock=lock)
        return _stored_expert(row) if row is not None else None

    def by_username(self, username: str) -> StoredExpert | None:
        """The stored profile of that username, if any."""
        # Discourse's usernames are unique without regard to case (User#username_lower)
        row = self.session.scalars(select(ExpertRecord).where(
            func.lower(ExpertRecord.username) == username.lower())).first()
        return _stored_expert(row) if row is not None else None

    def save(self, profile: ExpertProfile, fetched_at: datetime, now: datetime) -> None:
        """Insert or replace the profile."""
        row = self.session.get(ExpertRecord, profile.user_id)
        if row is None:
            row = ExpertRecord(user_id=profile.user_id)
            self.session.add(row)
        row.username = profile.username
        row.display_name = _fit(profile.display_name, 255)
        row.bio = profile.bio
        row.skills = list(profile.skills)
        row.sectors = list(profile.sectors)
        row.languages = list(profile.languages)
        row.modes = list(profile.modes)
        row.country = _fit(profile.country, 100)
        row.availability_hours = profile.availability_hours
        row.origin_province = _fit(profile.origin_province, 100)
        row.matchable = profile.matchable
        row.digest = profile.digest
        row.fetched_at = fetched_at
        row.updated_at = now
        self.session.flush()
        self._changed(profile.user_id)

    def _changed(self, key: int) -> None:
        self.changes.note(expert_user_id=key)

    def digest_due(self, sent_before: datetime) -> list[ExpertProfile]:
        """Consenting experts who asked for the digest and were sent none at or after `sent_before`."""
        r, d = ExpertRecord, DigestEntry
        recent = exists().where(d.user_id == r.user_id, d.sent_at >= sent_before)
        rows = self.session.scalars(select(r).where(r.digest.is_(True), r.matchable.is_(True), ~recent)
                                    .order_by(r.user_id))
        return [_stored_expert(row).profile for row in rows]

    def matchable(self) -> list[ExpertProfile]:
        """Profiles matching may rank."""
        rows = self.session.scalars(
            select(ExpertRecord).where(ExpertRecord.matchable.is_(True)).order_by(ExpertRecord.user_id)
        )
        return [_stored_expert(row).profile for row in rows]

    def unpushed(self, limit: int) -> list[StoredExpert]:
        """Profiles changed since they were last pushed to the codev plugin (or never pushed)."""
        r = ExpertRecord
        rows = self.session.scalars(
            select(r).where(or_(r.profile_pushed_at.is_(None), r.profile_pushed_at < r.updated_at))
            .order_by(r.user_id).limit(limit))
        return [_stored_expert(row) for row in rows]

    def mark_pushed(self, user_id: int, updated_at: datetime) -> None:
        """Record that the profile as it was at `updated_at` went to the codev plugin."""
        self.session.execute(update(ExpertRecord).where(ExpertRecord.user_id == user_id)
                             .values(profile_pushed_at=updated_at).execution_options(synchronize_session=False))


def _stored_expert(row: ExpertRecord) -> StoredExpert:
    profile = ExpertProfile(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        bio=row.bio,
        skills=_texts(row.skills),
        sectors=_texts(row.sectors),
        languages=_texts(row.languages),
        modes=_texts(row.modes),
        country=row.country,
        availability_hours=row.availability_hours,
        origin_province=row.origin_province,
        matchable=row.matchable,
        digest=bool(row.digest),
    )
    pushed = utc(row.profile_pushed_at) if row.profile_pushed_at is not None else None
    return StoredExpert(profile, utc(row.fetched_at), utc(row.updated_at), pushed)


class SqlNeedRepository(_KeyedRows):
    """Needs in the `needs` table."""

    model = NeedRecord
    key_name = "topic_id"

    def get(self, topic_id: int, *, lock: bool = False) -> StoredNeed | None:
        """The stored need; with lock, FOR UPDATE until the transaction ends."""
        row = self._row(topic_id, lock=lock)
        return _stored_need(row) if row is not None else None

    def save(self, details: NeedDetails, fetched_at: datetime, now: datetime) -> None:
        """Insert or replace the need."""
        row = self.session.get(NeedRecord, details.topic_id)
        before = None if row is None else row.status
        if row is None:
            row = NeedRecord(topic_id=details.topic_id)
            self.session.add(row)
        need_changed(self.session, before, details, now)
        for name in _NEED_COLUMNS:
            value = getattr(details, name)
            if isinstance(value, str) and name in _NEED_LENGTHS:
                value = _fit(value, _NEED_LENGTHS[name])
            setattr(row, name, list(value) if isinstance(value, tuple) else value)
        row.fetched_at = fetched_at
        row.updated_at = now
        self.session.flush()
        self._changed(details.topic_id)

    def _changed(self, key: int) -> None:
        self.changes.note(need_topic_id=key)

    def open_needs(self) -> list[NeedDetails]:
        """Needs whose status is not closed."""
        rows = self.session.scalars(
            select(NeedRecord).where(NeedRecord.status != CLOSED).order_by(NeedRecord.topic_id)
        )
        return [_stored_need(row).details for row in rows]

    def titles(self, topics: Collection[int]) -> dict[int, NeedTitle]:
        """Those needs' titles and sectors, by topic id (the dashboard's lists); a need gone is left out."""
        n, wanted = NeedRecord, sorted(set(topics))
        found: dict[int, NeedTitle] = {}
        for chunk in range(0, len(wanted), 5000):  # bound parameters a statement
            query = select(n.topic_id, n.title, n.sector).where(n.topic_id.in_(wanted[chunk:chunk + 5000]))
            found.update((r.topic_id, NeedTitle(r.title, r.sector)) for r in self.session.execute(query))
        return found

    def closed_since(self, since: datetime | None) -> list[NeedDetails]:
        """Closed needs whose row changed at or after `since` (every closed need when None)."""
        query = select(NeedRecord).where(NeedRecord.status == CLOSED)
        if since is not None:
            query = query.where(NeedRecord.updated_at >= since)
        rows = self.session.scalars(query.order_by(NeedRecord.topic_id))
        return [_stored_need(row).details for row in rows]

    def forget_author(self, user_id: int) -> int:
        """Blank author id and username on the needs of that person; how many."""
        rows = list(self.session.scalars(select(NeedRecord).where(NeedRecord.author_user_id == user_id)))
        for row in rows:
            row.author_user_id = None
            row.author_username = None
            self._changed(row.topic_id)
        self.session.flush()
        return len(rows)


_NEED_COLUMNS = (
    "title", "author_user_id", "author_username", "commune_group", "commune_code", "commune", "province",
    "sector", "kind", "skills", "languages", "mode", "deadline", "body", "status", "post_version",
    "topic_updated_at", "organisation",
)


_NEED_LENGTHS = {"author_username": 60, "commune_group": 100, "commune_code": 16, "commune": 100,
                 "province": 100, "mode": 16, "organisation": 100}


def _stored_need(row: NeedRecord) -> StoredNeed:
    details = NeedDetails(
        topic_id=row.topic_id,
        title=row.title,
        author_user_id=row.author_user_id,
        author_username=row.author_username,
        commune_group=row.commune_group,
        commune_code=row.commune_code,
        commune=row.commune,
        province=row.province,
        sector=row.sector,
        kind=row.kind,
        skills=_texts(row.skills),
        languages=_texts(row.languages),
        mode=row.mode,
        deadline=row.deadline,
        body=row.body,
        status=row.status,
        post_version=row.post_version,
        topic_updated_at=aware(row.topic_updated_at),
        organisation=row.organisation,
    )
    return StoredNeed(details, utc(row.fetched_at), utc(row.updated_at))


class SqlTombstoneRepository:
    """Tombstones in the `tombstones` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def created_at(self, key: str) -> datetime | None:
        """When the tombstone was written, or None when there is none."""
        written = self.session.scalar(select(Tombstone.created_at).where(Tombstone.key == key))
        return aware(written)

    def add(self, key: str, now: datetime) -> None:
        """Write (or refresh) the tombstone."""
        row = self.session.get(Tombstone, key)
        if row is None:
            self.session.add(Tombstone(key=key, created_at=now))
        else:
            row.created_at = max(utc(row.created_at), now)
        self.session.flush()

    def remove(self, key: str) -> None:
        """Drop the tombstone (the entity is confirmed back)."""
        row = self.session.get(Tombstone, key)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def prune(self, before: datetime) -> int:
        """Drop tombstones written before that time; how many."""
        result = self.session.execute(
            delete(Tombstone).where(Tombstone.created_at < before),
            execution_options={"synchronize_session": False},
        )
        return rowcount(result)
