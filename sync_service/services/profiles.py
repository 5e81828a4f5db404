"""Expert profiles on the user card: the codev plugin shows an expert's skills, languages and
availability. A profile changed since it was last pushed goes to the plugin through the outbox (paced,
exactly once a version); a forgotten expert's card is emptied the same way (services/forget.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sync_service.domain import plugin_state
from sync_service.services.brokerage import BrokerageRules
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent, UnitOfWork

PUSH_BATCH = 200  # profiles a pass pushes at most: a first push of every profile spreads over passes


def push_profiles(uow_factory: Callable[[], UnitOfWork], rules: BrokerageRules, now: datetime,
                  batch: int = PUSH_BATCH) -> int:
    """Queue the profiles changed since their last push; how many."""
    with uow_factory() as uow:
        changed = uow.experts.unpushed(batch)
        for stored in changed:
            profile = stored.profile
            document = plugin_state.expert_profile(profile, rules.translator, rules.language_label,
                                                   stored.updated_at)
            key = plugin_state.profile_key(profile.user_id, str(document["version"]))
            payload = {"user_id": profile.user_id, "username": profile.username, "profile": document}
            enqueue(uow, Intent(key, "put_user_profile", payload, person_id=profile.user_id), now)
            uow.experts.mark_pushed(profile.user_id, stored.updated_at)
        uow.commit()
    return len(changed)

