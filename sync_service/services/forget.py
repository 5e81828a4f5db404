"""Forgetting: purge what codev holds of a person or a topic (profile, need, introductions, review
state, digests, writes not yet sent), and leave only a keyed-hash tombstone."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sync_service.config.settings import DEFAULT_TOMBSTONE_KEY
from sync_service.services.ports.storage import UnitOfWork

# The default key of the tombstone hashes; production sets its own secret (CODEV_TOMBSTONE_KEY) so
# that a dump of the tombstones cannot be checked against a list of forum user ids. Changing it
# orphans existing tombstones (they then block nothing).
TOMBSTONE_PEPPER = DEFAULT_TOMBSTONE_KEY.encode()
# Tombstones are kept at most 12 months (docs/privacy.md): long enough for any late event.
TOMBSTONE_RETENTION = timedelta(days=365)


def tombstone_key(kind: str, entity_id: int, pepper: bytes = TOMBSTONE_PEPPER) -> str:
    """HMAC-SHA256 of "person:<id>" or "need:<id>": recognises the entity, reveals nothing of it."""
    return hmac.new(pepper, f"{kind}:{entity_id}".encode(), hashlib.sha256).hexdigest()


def forget_person(
    uow: UnitOfWork, user_id: int, username: str | None, now: datetime, *, gone: bool,
    pepper: bytes = TOMBSTONE_PEPPER,
) -> bool:
    """Purge the person's profile, their traces in the inbox, their introductions, review listings,
    digests and unsent writes; when they are gone from the forum (deleted or anonymised), also their
    name on needs. Writes the tombstone. True if anything went."""
    removed = uow.experts.delete(user_id)
    traces = uow.inbox.forget_person(user_id, username)
    authored = uow.needs.forget_author(user_id) if gone else 0
    # the history keeps the expert's rows (a past report never changes), under a keyed hash instead
    uow.history.forget_expert(user_id, tombstone_key("person", user_id, pepper))
    brokered = (uow.introductions.forget_expert(user_id) + uow.reviews.forget_expert(user_id)
                + uow.digests.forget_expert(user_id) + uow.outbox.forget_person(user_id)
                + uow.offers.forget_expert(user_id))
    if removed or gone:
        uow.tombstones.add(tombstone_key("person", user_id, pepper), now)
    return removed or traces > 0 or authored > 0 or brokered > 0


def forget_need(
    uow: UnitOfWork, topic_id: int, now: datetime, *, gone: bool, pepper: bytes = TOMBSTONE_PEPPER
) -> bool:
    """Purge the need, its introductions and its review state; a topic gone from the forum (or one
    codev held) gets a tombstone."""
    removed = uow.needs.delete(topic_id)
    uow.introductions.forget_need(topic_id)
    uow.offers.forget_need(topic_id)
    uow.reviews.delete(topic_id)
    if removed or gone:
        uow.tombstones.add(tombstone_key("need", topic_id, pepper), now)
    return removed


def prune_tombstones(uow: UnitOfWork, now: datetime, keep: timedelta = TOMBSTONE_RETENTION) -> int:
    """Drop tombstones older than the retention period; how many went."""
    return uow.tombstones.prune(now - keep)

