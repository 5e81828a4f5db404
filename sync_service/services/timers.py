"""What the clock decides: reminders and expiry of introductions, and the experts' opt-in digests.

Time is a parameter (`now`), never read here, so tests move it forward instead of waiting.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sync_service.domain import brokerage as rules_
from sync_service.domain import posts
from sync_service.domain.brokerage import Introduction
from sync_service.services.brokerage import (
    BrokerageRules,
    answer_for,
    need_locale,
    need_view,
    set_status,
    withdraw,
)
from sync_service.services.outbox import enqueue
from sync_service.services.ports.matching import Ranker
from sync_service.services.ports.storage import Intent, UnitOfWork

log = logging.getLogger("codev.brokerage")
UowFactory = Callable[[], UnitOfWork]


def tick(uow_factory: UowFactory, rules: BrokerageRules, now: datetime) -> dict[str, int]:
    """Send the reminders and expiries that are due; withdraw introductions of needs that ended."""
    with uow_factory() as uow:
        pending = uow.introductions.maybe_due(now)  # an idle pass reads an empty list
    counts: dict[str, int] = {}
    for intro in pending:
        with uow_factory() as uow:
            outcome = _step(uow, rules, intro, now)
            uow.commit()
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _step(uow: UnitOfWork, rules: BrokerageRules, seen: Introduction, now: datetime) -> str | None:
    uow.lock_entity("need", seen.need_topic_id)
    intro = uow.introductions.get(seen.need_topic_id, seen.expert_user_id, lock=True)
    if intro is None or intro.status != rules_.PENDING:
        return None
    stored = uow.needs.get(intro.need_topic_id, lock=True)
    if stored is None:
        uow.introductions.save(rules_.ended(intro, rules_.WITHDRAWN, now))  # the need is gone
        return "withdrawn"
    if stored.details.status in rules_.FINAL_STATUSES:
        withdraw(uow, rules, stored.details, intro, now)  # nobody waits any more: say so
        return "withdrawn"
    step = rules_.due_step(intro, now)
    if step is None:
        return None
    need, locale = stored.details, need_locale(stored.details)
    keys = rules_.intent_keys(intro.need_topic_id, intro.expert_user_id)
    t = rules.translator
    if step == "remind":
        # the second delay runs from the reminder actually sent (a worker that was down gives no less)
        expire_at = max(intro.expire_at, now + rules.delays.expiry)
        intro = dataclasses.replace(intro, reminded_at=now, expire_at=expire_at)
        raw = posts.reminder(t, need_view(need), answer_for(rules, locale, intro), locale, keys["reminder"])
        enqueue(uow, Intent(keys["reminder"], "reply", {"raw": raw}, depends_on=keys["pm"],
                            person_id=intro.expert_user_id), now)
        uow.introductions.save(intro)
        return "reminded"
    raw = posts.expiry(t, need_view(need), locale, keys["expiry"])
    enqueue(uow, Intent(keys["expiry"], "reply", {"raw": raw}, depends_on=keys["pm"],
                        person_id=intro.expert_user_id), now)
    expired = rules_.ended(intro, rules_.EXPIRED, now)
    uow.introductions.save(expired)
    others = [i for i in uow.introductions.of_need(need.topic_id) if i.expert_user_id != intro.expert_user_id]
    set_status(uow, need, [*others, expired], now, stored.fetched_at)
    return "expired"


def send_digests(uow_factory: UowFactory, ranker: Ranker, rules: BrokerageRules, now: datetime,
                 per_need: int = 20) -> int:
    """One PM per opted-in expert whose interval has passed, listing open needs that fit them and that
    no digest listed before. The ranker must be fresh (rematch runs first). Returns how many PMs."""
    with uow_factory() as uow:
        experts = uow.experts.digest_due(now - rules.digest_interval + timedelta(microseconds=1))
        needs = [n for n in uow.needs.open_needs() if n.status in ("open", "matched")] if experts else []
        # an expert already introduced to a need (or who declined it) is not offered it as new
        asked = {n.topic_id: rules_.already_asked(uow.introductions.of_need(n.topic_id)) for n in needs}
    if not experts or not needs:
        return 0  # ranking every need is only worth it when a digest is due
    fits: dict[int, list[int]] = {}
    for need in needs:
        for ranked in ranker.rank(need.topic_id, per_need, asked[need.topic_id], "fr"):
            fits.setdefault(ranked.user_id, []).append(need.topic_id)
    by_id = {n.topic_id: n for n in needs}
    sent = 0
    for expert in experts:
        with uow_factory() as uow:
            uow.lock_entity("person", expert.user_id)
            if not _due(uow.digests.last_sent(expert.user_id), now, rules):
                continue  # another worker sent it meanwhile
            listed = uow.digests.listed(expert.user_id)
            fresh = [i for i in fits.get(expert.user_id, []) if i not in listed][: rules.digest_size]
            if not fresh:
                continue
            locale = expert_locale(expert.languages)
            # to the second: intervals shorter than a day put two digests on one date
            key = f"digest:{expert.user_id}:{now:%Y%m%dT%H%M%S}"
            views = [need_view(by_id[i]) for i in fresh]
            raw = posts.digest(rules.translator, views, locale, key)
            if not enqueue(uow, Intent(key, "private_message", {
                    "title": posts.digest_title(rules.translator, len(views), locale), "raw": raw,
                    "target_recipients": [expert.username]}, person_id=expert.user_id), now):
                continue  # never note needs as listed by a digest that will not be sent
            uow.digests.record(expert.user_id, fresh, now)
            uow.commit()
            sent += 1
    return sent


def _due(last: datetime | None, now: datetime, rules: BrokerageRules) -> bool:
    return last is None or now - last >= rules.digest_interval


def expert_locale(languages: tuple[str, ...]) -> str:
    """French unless the expert reads neither French but Arabic or English (their stated languages)."""
    if not languages or "fr" in languages:
        return "fr"
    return "ar" if "ar" in languages else "en" if "en" in languages else "fr"
