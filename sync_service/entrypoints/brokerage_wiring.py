"""Build the brokerage (ranker, rules, writer, loop) for the worker, from settings and config/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sync_service.config import Settings


def build_loop(settings: Settings, wiring: Any, worker_id: str, clock: Callable[[], datetime],
               stop: Callable[[], bool], embed: bool = True) -> Any:
    """The BrokerageLoop of one worker: it shares the gateway's paced transport (one rate budget)."""
    from sync_service.adapters.discourse.writer import DiscourseWriter
    from sync_service.i18n_config import load_translator
    from sync_service.matching_config import load_matching_settings, load_taxonomy
    from sync_service.services.brokerage import rules_from
    from sync_service.services.brokerage_loop import BrokerageLoop
    from sync_service.services.outbox import SendPolicy
    from sync_service.services.ranking import EngineRanker

    embedder = None
    if embed:
        from sync_service.adapters.embedding import default_embedder

        embedder = default_embedder()
    translator = load_translator()
    ranker = EngineRanker(load_taxonomy(), load_matching_settings(), translator, embedder)
    rules = rules_from(settings, translator, None)  # the review category is looked up by the loop
    writer = DiscourseWriter(wiring.forum.transport, settings.discourse.api_username)
    w, out, review_category = settings.worker, settings.outbox, settings.forum.review_category
    policy = SendPolicy(batch=out.batch, lease_seconds=w.lease_seconds, max_attempts=w.max_attempts,
                        backoff_seconds=w.backoff_seconds, settle_seconds=out.settle_seconds)
    return BrokerageLoop(wiring.uow_factory, ranker, rules, wiring.forum, writer, worker_id, clock,
                         send_policy=policy,
                         pass_every=timedelta(seconds=settings.lifecycle.pass_seconds),
                         sweep_every=timedelta(minutes=max(w.reconcile_interval_minutes, 1)),
                         stop=stop,
                         find_review_category=lambda: wiring.forum.category_id(review_category))


def thread_reader(loop: Any) -> Callable[[Any, int, datetime], str]:
    """read_thread bound to the loop's forum, ranker and rules (what the worker calls for replies)."""
    from sync_service.services.answers import read_thread

    def read(uow: Any, topic_id: int, now: datetime) -> str:
        return read_thread(uow, loop.forum, loop.ranker, loop.rules, topic_id, now)

    return read
