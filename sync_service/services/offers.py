"""Volunteers: "Je peux aider" pressed (or withdrawn) in the codev plugin reaches codev as a signed
webhook, a hint; the need's offers are then read from the plugin under the need's lock, and codev holds
exactly the offers not withdrawn. The brokerage shows them in the review topic."""

from __future__ import annotations

from datetime import datetime

from sync_service.domain.brokerage import Volunteer
from sync_service.services.ports.forum import OfferReader
from sync_service.services.ports.storage import UnitOfWork


def read_offers(uow: UnitOfWork, forum: OfferReader, topic_id: int, now: datetime) -> str:
    """"updated" when the need's volunteers changed, "unchanged", or "ignored" without the plugin.
    Never commits."""
    uow.lock_entity("need", topic_id)
    offers = forum.offers(topic_id)
    if offers is None:
        return "ignored"  # the plugin is gone or disabled: its offers cannot be read
    volunteers = [Volunteer(topic_id, o.user_id, o.username, o.created_at)
                  for o in offers if o.withdrawn_at is None]
    return "updated" if uow.offers.replace(topic_id, volunteers) else "unchanged"
