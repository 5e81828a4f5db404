"""Sync use case: refetch one person or topic from the forum and bring codev's database in line.

Rules that keep the database equal to the forum whatever the order of events:

- The forum's current state is the truth; a webhook only says which entity to look at again.
- One fetch-and-write per entity at a time: `uow.lock_entity` is taken BEFORE the refetch and held
  until the unit ends, so writes of one entity happen in the order of their fetches, and the last
  write holds the latest fetch. Nothing else decides freshness: not the wall clock of the fetch (two
  fetches 0.3 ms apart on a loaded machine came back in the other order), not the post's version
  (Discourse lowers it when an editor undoes an edit in the grace period), not the topic's dates.
- Whatever codev must not hold (deleted, anonymised, inactive, out of the experts group, no consent;
  a topic destroyed, hidden or no longer a need) is purged, and a tombstone is written (a keyed hash,
  kept 12 months, nothing else).
- A later fetch re-creates the row only when the forum returns the entity now and it qualifies again:
  a person who is again a consenting expert, a topic that is again a need (moved back, or recovered);
  its tombstone is then dropped. A deleted Discourse user or a destroyed topic is never returned again,
  so it never comes back; an anonymised user stays anonymised, so they never come back either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sync_service.domain.needs import NeedDetails, NeedRules, need_of
from sync_service.domain.people import PeopleRules, profile_of, why_not_kept
from sync_service.services.forget import TOMBSTONE_PEPPER, forget_need, forget_person, tombstone_key
from sync_service.services.ports.forum import ForumGateway, PersonSnapshot
from sync_service.services.ports.storage import EntityRef, UnitOfWork

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
    uow: UnitOfWork, forum: ForumGateway, rules: SyncRules, ref: EntityRef, now: datetime,
    clock: Callable[[], datetime] | None = None,
) -> str:
    """Refetch the entity and bring the database in line; returns "created" | "updated" |
    "unchanged" | "purged" | "ignored". Raises ForumUnavailable to be retried later. Never commits.

    The row's fetched_at is `clock()` read once the entity's lock is held (else `now`): read before,
    a unit that waited for the lock would stamp its newer fetch with an older time."""
    key = ref.key.strip()
    held = clock or (lambda: now)
    if ref.kind == "person" and key:
        return _apply_person(uow, forum, rules, key, held)
    if ref.kind == "need" and key.isdigit():
        return _apply_need(uow, forum, rules, int(key), held)
    return "ignored"


def known_keys(uow: UnitOfWork) -> tuple[list[int], list[int]]:
    """(forum user ids of stored experts, topic ids of stored needs), for reconciliation."""
    return uow.experts.ids(), uow.needs.ids()


def _apply_person(
    uow: UnitOfWork, forum: ForumGateway, rules: SyncRules, key: str, clock: Callable[[], datetime]
) -> str:
    if key.isdigit():
        user_id = int(key)
    else:
        # A username: only the id names a person for good (renames). Learn it, then fetch by id
        # under the lock: what is read before the lock is never written.
        named = forum.person(key)
        known = uow.experts.by_username(key) if named is None else None
        uow.rollback()  # no transaction may be open when the lock is taken
        if named is not None:
            user_id = named.user_id
        elif known is not None:
            user_id = known.profile.user_id
        else:
            return "ignored"
    uow.lock_entity("person", user_id)
    now = clock()
    snapshot = forum.person_by_id(user_id)
    stored = uow.experts.get(user_id, lock=True)
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
        _drop_tombstone(uow, "person", user_id, rules)
        uow.experts.save(profile, now, now)
        return "created"
    if stored.profile == profile:
        uow.experts.touch(user_id, now)
        return "unchanged"
    uow.experts.save(profile, now, now)
    return "updated"


def _apply_need(
    uow: UnitOfWork, forum: ForumGateway, rules: SyncRules, topic_id: int, clock: Callable[[], datetime]
) -> str:
    uow.lock_entity("need", topic_id)
    now = clock()
    snapshot = forum.need(topic_id)
    stored = uow.needs.get(topic_id, lock=True)
    imported = uow.plans.by_topic(topic_id) if snapshot is not None else None
    if imported is not None and snapshot is not None:
        # a draft codev posted from a plan speaks for the organisation named by the import, not its poster
        snapshot = dataclasses.replace(snapshot, author_groups=(imported.organisation,))
    details = need_of(snapshot, rules.needs, stored.details.status if stored is not None else None)
    if details is not None and imported is not None:
        details = dataclasses.replace(details, author_username=imported.organisation)  # PMs go to the group
        uow.plans.confirm(imported.key, now)
    if details is None:
        if stored is None and snapshot is not None:
            return "ignored"  # a topic that is not a need
        purged = forget_need(uow, topic_id, now, gone=snapshot is None, pepper=rules.tombstone_pepper)
        return "purged" if purged else "ignored"
    if stored is None:
        _drop_tombstone(uow, "need", topic_id, rules)
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


def listed_outcome(uow: UnitOfWork, rules: SyncRules, snapshot: PersonSnapshot) -> str | None:
    """What a person's snapshot from a listing settles without a refetch: "unchanged" when codev holds
    exactly that profile, "ignored" for a member who is no consenting expert and not held; None when
    something would change (then only a fetch under the person's lock may write it)."""
    profile = profile_of(snapshot, rules.people)
    stored = uow.experts.get(snapshot.user_id)
    if stored is None and profile is None and why_not_kept(snapshot, rules.people) not in GONE:
        return "ignored"
    if stored is not None and profile is not None and stored.profile == profile:
        return "unchanged"
    return None


def _drop_tombstone(uow: UnitOfWork, kind: str, entity_id: int, rules: SyncRules) -> None:
    """The forum confirms, under the entity's lock, that a forgotten entity qualifies again."""
    uow.tombstones.remove(tombstone_key(kind, entity_id, rules.tombstone_pepper))


def _content(details: NeedDetails) -> NeedDetails:
    return dataclasses.replace(details, post_version=0, topic_updated_at=None)
