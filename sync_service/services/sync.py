"""Sync use case: refetch one person or topic from the forum and bring codev's database in line.

Rules that keep the database equal to the forum whatever the order of events:

- The forum's current state is the truth; a webhook only says which entity to look at again.
- Work on one entity is serialised (`uow.lock_entity` before the refetch when the id is known, then a
  row lock), and a fetch that started before the stored one (`fetched_at`), or that shows an older
  post version or topic `updated_at`, changes nothing: an older fetch never overwrites a newer one.
- Whatever codev must not hold (deleted, anonymised, inactive, out of the experts group, no consent;
  a topic destroyed, hidden or no longer a need) is purged, and a tombstone is written.
- A tombstone blocks every fetch that started before it was written. A later fetch re-creates the row
  only when the forum returns the entity now and it qualifies again: a person who is again a
  consenting expert (after withdrawing consent or leaving the group), a topic that is again a need
  (moved back, or recovered). A deleted Discourse user or a destroyed topic is never returned again,
  so it never comes back; an anonymised user stays anonymised, so they never come back either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sync_service.domain.needs import NeedDetails, NeedRules, need_of
from sync_service.domain.people import PeopleRules, profile_of, why_not_kept
from sync_service.services.forget import TOMBSTONE_PEPPER, forget_need, forget_person, tombstone_key
from sync_service.services.ports.forum import ForumGateway, NeedSnapshot, PersonSnapshot
from sync_service.services.ports.storage import EntityRef, StoredNeed, UnitOfWork

GONE = ("deleted", "anonymised")


@dataclass(frozen=True)
class SyncRules:
    """What conversion needs: who is an expert, where needs live, how to read their values."""

    people: PeopleRules
    needs: NeedRules
    user_fields: Mapping[str, str]
    need_form_fields: Mapping[str, tuple[str, ...]]
    tombstone_pepper: bytes = TOMBSTONE_PEPPER


def apply_ref(
    uow: UnitOfWork, forum: ForumGateway, rules: SyncRules, ref: EntityRef, now: datetime
) -> str:
    """Refetch the entity and bring the database in line; returns "created" | "updated" |
    "unchanged" | "purged" | "ignored". Raises ForumUnavailable to be retried later. Never commits.

    `now` is when the refetch starts (the worker's clock); it orders fetches of the same entity."""
    key = ref.key.strip()
    if ref.kind == "person" and key:
        return _apply_person(uow, forum, rules, key, now)
    if ref.kind == "need" and key.isdigit():
        return _apply_need(uow, forum, rules, int(key), now)
    return "ignored"


def known_keys(uow: UnitOfWork) -> tuple[list[int], list[int]]:
    """(forum user ids of stored experts, topic ids of stored needs), for reconciliation."""
    return uow.experts.ids(), uow.needs.ids()


def _apply_person(
    uow: UnitOfWork, forum: ForumGateway, rules: SyncRules, key: str, now: datetime
) -> str:
    snapshot: PersonSnapshot | None
    if key.isdigit():
        user_id = int(key)
        uow.lock_entity("person", user_id)
        snapshot = forum.person_by_id(user_id)
    else:
        snapshot = forum.person(key)
        if snapshot is None:
            # Renamed, or deleted: only the id tells which, and only a stored profile knows the id.
            known = uow.experts.by_username(key)
            if known is None:
                return "ignored"
            user_id = known.profile.user_id
            uow.lock_entity("person", user_id)
            snapshot = forum.person_by_id(user_id)
        else:
            user_id = snapshot.user_id
            uow.lock_entity("person", user_id)
    stored = uow.experts.get(user_id, lock=True)
    if stored is not None and stored.fetched_at > now:
        return "unchanged"  # a fetch that started later was already applied
    profile = profile_of(snapshot, rules.people)
    if profile is None:
        reason = why_not_kept(snapshot, rules.people)
        if stored is None and reason not in GONE:
            return "ignored"  # a forum member who is not a consenting expert: nothing to hold
        username = stored.profile.username if stored is not None else None
        if username is None and snapshot is not None:
            username = snapshot.username
        purged = forget_person(uow, user_id, username, now, gone=reason in GONE,
                               pepper=rules.tombstone_pepper)
        return "purged" if purged else "ignored"
    if stored is None:
        if not _past_tombstone(uow, "person", user_id, rules, now):
            return "ignored"  # fetched before the person was forgotten: stale
        uow.experts.save(profile, now, now)
        return "created"
    if stored.profile == profile:
        uow.experts.touch(user_id, now)
        return "unchanged"
    uow.experts.save(profile, now, now)
    return "updated"


def _apply_need(
    uow: UnitOfWork, forum: ForumGateway, rules: SyncRules, topic_id: int, now: datetime
) -> str:
    uow.lock_entity("need", topic_id)
    snapshot = forum.need(topic_id)
    stored = uow.needs.get(topic_id, lock=True)
    if stored is not None and _is_stale(stored, snapshot, now):
        return "unchanged"
    details = need_of(snapshot, rules.needs, stored.details.status if stored is not None else None)
    if details is None:
        if stored is None and snapshot is not None:
            return "ignored"  # a topic that is not a need
        purged = forget_need(uow, topic_id, now, gone=snapshot is None, pepper=rules.tombstone_pepper)
        return "purged" if purged else "ignored"
    if stored is None:
        if not _past_tombstone(uow, "need", topic_id, rules, now):
            return "ignored"
        uow.needs.save(details, now, now)
        return "created"
    if _content(stored.details) == _content(details):
        if stored.details == details:
            uow.needs.touch(topic_id, now)
        else:
            uow.needs.save(details, now, stored.updated_at)  # only versions moved (a reply, a bump)
        return "unchanged"
    uow.needs.save(details, now, now)
    return "updated"


def _past_tombstone(uow: UnitOfWork, kind: str, entity_id: int, rules: SyncRules, now: datetime) -> bool:
    """False when the entity was forgotten after this fetch started (the fetch is stale); else True,
    and a tombstone older than the fetch is dropped: the forum confirms the entity qualifies again."""
    tomb = tombstone_key(kind, entity_id, rules.tombstone_pepper)
    written = uow.tombstones.created_at(tomb)
    if written is None:
        return True
    if written >= now:
        return False
    uow.tombstones.remove(tomb)
    return True


def _is_stale(stored: StoredNeed, snapshot: NeedSnapshot | None, fetched_at: datetime) -> bool:
    if stored.fetched_at > fetched_at:
        return True
    if snapshot is None:
        return False
    older_post = snapshot.post_version < stored.details.post_version
    known = stored.details.topic_updated_at
    return older_post or (known is not None and snapshot.updated_at < known)


def _content(details: NeedDetails) -> NeedDetails:
    return dataclasses.replace(details, post_version=0, topic_updated_at=None)
