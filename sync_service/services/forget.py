"""Forgetting: purge what codev holds of a person or a topic (profile, need, introductions, review
state, digests, writes not yet sent), and leave only a keyed-hash tombstone."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import cast

from sync_service.config import Settings
from sync_service.services.lifecycle_ports import BrokerageUnitOfWork
from sync_service.services.ports import SyncUnitOfWork

# The default key of the tombstone hashes; production sets its own secret (CODEV_TOMBSTONE_KEY) so
# that a dump of the tombstones cannot be checked against a list of forum user ids. Changing it
# orphans existing tombstones (they then block nothing).
TOMBSTONE_PEPPER = Settings.tombstone_key.encode()
# reliability.md §3.7: tombstones are kept at most 12 months.
TOMBSTONE_RETENTION = timedelta(days=365)


def tombstone_key(kind: str, entity_id: int, pepper: bytes = TOMBSTONE_PEPPER) -> str:
    """HMAC-SHA256 of "person:<id>" or "need:<id>": recognises the entity, reveals nothing of it."""
    return hmac.new(pepper, f"{kind}:{entity_id}".encode(), hashlib.sha256).hexdigest()


def forget_person(
    uow: SyncUnitOfWork, user_id: int, username: str | None, now: datetime, *, gone: bool,
    pepper: bytes = TOMBSTONE_PEPPER,
) -> bool:
    """Purge the person's profile, their traces in the inbox, their introductions, review listings,
    digests and unsent writes; when they are gone from the forum (deleted or anonymised), also their
    name on needs. Writes the tombstone. True if anything went."""
    removed = uow.experts.delete(user_id)
    traces = uow.deliveries.forget_person(user_id, username)
    authored = uow.needs.forget_author(user_id) if gone else 0
    brokerage = _brokerage(uow)
    brokered = forget_brokered_person(brokerage, user_id) if brokerage is not None else 0
    if removed or gone:
        uow.tombstones.add(tombstone_key("person", user_id, pepper), now)
    return removed or traces > 0 or authored > 0 or brokered > 0


def forget_brokered_person(uow: BrokerageUnitOfWork, user_id: int) -> int:
    """Delete the person's introductions, review listings, digest entries and unsent writes; how many."""
    return (uow.introductions.forget_expert(user_id) + uow.reviews.forget_expert(user_id)
            + uow.digests.forget_expert(user_id) + uow.outbox.forget_person(user_id))


def forget_need(
    uow: SyncUnitOfWork, topic_id: int, now: datetime, *, gone: bool, pepper: bytes = TOMBSTONE_PEPPER
) -> bool:
    """Purge the need, its introductions and its review state; a topic gone from the forum (or one
    codev held) gets a tombstone."""
    removed = uow.needs.delete(topic_id)
    brokerage = _brokerage(uow)
    if brokerage is not None:
        brokerage.introductions.forget_need(topic_id)
        brokerage.reviews.delete(topic_id)
    if removed or gone:
        uow.tombstones.add(tombstone_key("need", topic_id, pepper), now)
    return removed


def prune_tombstones(uow: SyncUnitOfWork, now: datetime, keep: timedelta = TOMBSTONE_RETENTION) -> int:
    """Drop tombstones older than the retention period; how many went."""
    return uow.tombstones.prune(now - keep)


def _brokerage(uow: SyncUnitOfWork) -> BrokerageUnitOfWork | None:
    # Every SQL unit of work holds the brokerage too; sync's callers (and their fakes) are still typed
    # as SyncUnitOfWork, so the brokerage side is taken when the unit has it.
    return cast(BrokerageUnitOfWork, uow) if hasattr(uow, "introductions") else None
