"""The one composition root: from a Config, build every adapter and use case once, typed.

Every entry point (the CLI, the web app, the worker, the demo) and the end-to-end tests assemble codev
here; nothing else builds a transport, a gateway, a writer or a worker. Parts are built on first use,
so a command that only reads the database never opens a connection to the forum.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property

from sqlalchemy import Engine

from sync_service.adapters.assignment_solver import OrToolsFlowSolver
from sync_service.adapters.db.engine import check_connection, make_engine
from sync_service.adapters.db.migrate import require_newest
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.adapters.db.vitals import HeartbeatRecorder
from sync_service.adapters.discourse.admin import DiscourseAdmin
from sync_service.adapters.discourse.client import HttpPolicy, Transport
from sync_service.adapters.discourse.gateway import DiscourseGateway
from sync_service.adapters.discourse.inspect import DiscourseInspector
from sync_service.adapters.discourse.invites import DiscourseInvites
from sync_service.adapters.discourse.pacing import Clock, Sleep
from sync_service.adapters.discourse.writer import DiscourseWriter
from sync_service.adapters.embedding import default_embedder
from sync_service.config.load import Config
from sync_service.config.settings import Settings
from sync_service.domain.brokerage import Delays
from sync_service.domain.matching.engine import Embedder
from sync_service.domain.needs import NeedRules
from sync_service.domain.people import PeopleRules
from sync_service.domain.vocabulary import Vocabulary
from sync_service.services import answers, offers, sync
from sync_service.services.brokerage import BrokerageRules, command_words
from sync_service.services.brokerage_loop import BrokerageLoop
from sync_service.services.campaigns import CampaignRules, refresh
from sync_service.services.outbox import SendPolicy, SendReport
from sync_service.services.ports.storage import EntityRef, UnitOfWork
from sync_service.services.ranking import EngineRanker
from sync_service.services.reconcile import Counts, Progress, reconcile
from sync_service.services.sync import SyncRules
from sync_service.services.worker import ApplyRef, Worker, first_of, routing


def utcnow() -> datetime:
    """The wall clock, in UTC (the only zone codev writes)."""
    return datetime.now(UTC)


def default_worker_id() -> str:
    """host:pid, unique among live workers, short enough for the leased_by column."""
    return f"{socket.gethostname()}:{os.getpid()}"[-64:]


@dataclass(frozen=True)
class Clocks:
    """Time as codev reads it; the tests give faster or frozen ones."""

    now: Callable[[], datetime] = utcnow
    monotonic: Clock = time.monotonic
    sleep: Sleep = time.sleep


def http_policy(settings: Settings, requests_per_minute: int | None = None) -> HttpPolicy:
    """Timeouts, retries and pacing of every request to the forum."""
    rate = settings.forum_api.requests_per_minute if requests_per_minute is None else requests_per_minute
    return HttpPolicy(requests_per_minute=rate, read_timeout=settings.forum_api.timeout_seconds)


def sync_rules(config: Config) -> SyncRules:
    """Who is an expert, where needs live, how their values read."""
    forum = config.settings.forum
    vocabulary = Vocabulary(config.taxonomy)
    headings = {h for field_id, labels in forum.need_form_fields.items() for h in (field_id, *labels)}
    return SyncRules(
        people=PeopleRules(experts_group=forum.experts_group, vocabulary=vocabulary),
        needs=NeedRules(needs_category=forum.needs_category, needs_tag=forum.needs_tag,
                        vocabulary=vocabulary, commune_group_prefix=forum.commune_group_prefix,
                        communes=dict(config.communes), form_headings=frozenset(headings),
                        actor_groups=actor_groups(config)),
        user_fields=dict(forum.user_fields),
        need_form_fields=dict(forum.need_form_fields),
        tombstone_pepper=config.settings.tombstone_key.encode(),
    )


def actor_groups(config: Config) -> frozenset[str]:
    """The groups of config/forum.yaml that are development actors (communes, associations,
    cooperatives, GIE, federations): every declared group but the experts' and the managers'."""
    forum = config.settings.forum
    groups = config.forum_structure(require_secret=False).groups
    return frozenset(g.name for g in groups) - {forum.experts_group, forum.community_managers_group}


def brokerage_rules(config: Config, review_category_id: int | None = None) -> BrokerageRules:
    """Review threads, introductions and their delays; command words from every catalogue."""
    settings, translator = config.settings, config.translator
    life = settings.lifecycle
    return BrokerageRules(
        translator=translator,
        managers_group=settings.forum.community_managers_group,
        review_category_id=review_category_id,
        review_candidates=life.review_candidates,
        direct=life.direct_introductions,
        per_need=life.introductions_per_need,
        delays=Delays(timedelta(days=life.reminder_days), timedelta(days=life.expiry_days)),
        digest_interval=timedelta(days=life.digest_interval_days),
        digest_size=life.digest_size,
        words=command_words(translator),
        approve_tag_prefix=life.approve_tag_prefix,
        followup_days=life.followup_days,
        bands=config.matching.bands,
        language_label=lambda code, locale: config.taxonomy.label("language", code, locale),
        max_open=config.matching.assignment.max_open_introductions,
        shortlist=config.matching.assignment.candidates_per_need,
    )


def send_policy(settings: Settings, batch: int | None = None) -> SendPolicy:
    """How the outbox sender claims, retries and waits after an unclear outcome."""
    w, out = settings.worker, settings.outbox
    return SendPolicy(batch=batch or out.batch, lease_seconds=w.lease_seconds, max_attempts=w.max_attempts,
                      backoff_seconds=w.backoff_seconds, settle_seconds=out.settle_seconds)


class Codev:
    """codev assembled from one Config: the database, the forum's adapters and the use cases."""

    def __init__(self, config: Config, *, clocks: Clocks | None = None,
                 requests_per_minute: int | None = None, embed: bool = True,
                 author_cache_seconds: float = 60.0) -> None:
        self.config = config
        self.settings = config.settings
        self.clocks = clocks or Clocks()
        self.requests_per_minute = requests_per_minute
        self.embed = embed
        self.author_cache_seconds = author_cache_seconds
        self.heartbeat: HeartbeatRecorder | None = None  # the last worker's, once built

    # --- the database ------------------------------------------------------------------------

    @cached_property
    def lazy_engine(self) -> Engine:
        """The engine, not checked: it connects on first use (the web app answers 503 while the
        database is down rather than failing to start)."""
        return make_engine(self.settings.database_url)

    @cached_property
    def engine(self) -> Engine:
        """The engine, checked: the server answers and the schema is the newest."""
        engine = self.lazy_engine
        check_connection(engine, self.settings.database_url)
        require_newest(engine, self.settings.database_url)
        return engine

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction) on the engine."""
        return SqlUnitOfWork(self.engine)

    # --- the forum ---------------------------------------------------------------------------

    @cached_property
    def transport(self) -> Transport:
        """The one paced HTTP client: reads and writes share Discourse's rate budget."""
        forum = self.settings.discourse
        return Transport(forum.url, forum.api_key, forum.api_username,
                         http_policy(self.settings, self.requests_per_minute),
                         clock=self.clocks.monotonic, sleep=self.clocks.sleep)

    @cached_property
    def gateway(self) -> DiscourseGateway:
        """Reads people, needs and codev's threads."""
        return DiscourseGateway(self.transport, self.settings.forum, clock=self.clocks.monotonic,
                                author_cache_seconds=self.author_cache_seconds)

    @cached_property
    def writer(self) -> DiscourseWriter:
        """Writes posts for the outbox."""
        return DiscourseWriter(self.transport, self.settings.discourse.api_username)

    @cached_property
    def admin(self) -> DiscourseAdmin:
        """The admin side, for provisioning."""
        return DiscourseAdmin(self.transport)

    @cached_property
    def invites(self) -> DiscourseInvites:
        """Reads the invites codev made and who redeemed them (recruitment campaigns)."""
        return DiscourseInvites(self.transport)

    def campaign_rules(self) -> CampaignRules:
        """The experts group campaigns invite into, the inviter (codev's API user), the keyed hash."""
        return CampaignRules(self.settings.forum.experts_group, self.settings.discourse.api_username,
                             self.settings.tombstone_key.encode())

    @cached_property
    def inspector(self) -> DiscourseInspector:
        """The forum's set-up, read for `codev doctor`."""
        return DiscourseInspector(self.transport, self.admin, sleep=self.clocks.sleep,
                                  monotonic=self.clocks.monotonic)

    # --- the use cases -----------------------------------------------------------------------

    @cached_property
    def sync_rules(self) -> SyncRules:
        """The rules of sync (experts group, needs category, vocabulary, communes)."""
        return sync_rules(self.config)

    @cached_property
    def ranker(self) -> EngineRanker:
        """The matching engine, with the sentence encoder unless `embed` is off."""
        embedder: Embedder | None = default_embedder() if self.embed else None
        return EngineRanker(self.config.taxonomy, self.config.matching, self.config.translator, embedder)

    def brokerage(self, worker_id: str, stop: Callable[[], bool]) -> BrokerageLoop:
        """The brokerage of one worker: review threads, introductions, timers, the outbox sender."""
        settings = self.settings
        category = settings.forum.review_category
        return BrokerageLoop(
            self.uow, self.ranker, brokerage_rules(self.config), self.gateway, self.writer, worker_id,
            self.clocks.now, send_policy=send_policy(settings),
            pass_every=timedelta(seconds=settings.lifecycle.pass_seconds),
            sweep_every=timedelta(minutes=max(settings.worker.reconcile_interval_minutes, 1)),
            stop=stop, find_review_category=lambda: self.gateway.category_id(category),
            lease_for=timedelta(seconds=settings.worker.lease_seconds),
            find_plugin=self.gateway.plugin_installed, solver=OrToolsFlowSolver(),
            refresh_campaigns=lambda now: refresh(self.uow, self.invites, self.campaign_rules(), now))

    def applying(self, loop: BrokerageLoop) -> ApplyRef:
        """What an inbox row does, by the kind of entity it names (a table, not a chain of ifs)."""
        def refetch(uow: UnitOfWork, ref: EntityRef, now: datetime) -> str:
            return sync.apply_ref(uow, self.gateway, self.sync_rules, ref, now, clock=self.clocks.now)

        def thread(uow: UnitOfWork, ref: EntityRef, now: datetime) -> str:
            key = ref.key.strip()
            if not key.isdigit():
                return "ignored"
            return answers.read_thread(uow, loop.forum, loop.ranker, loop.rules, int(key), now)

        def volunteers(uow: UnitOfWork, ref: EntityRef, now: datetime) -> str:
            key = ref.key.strip()
            return offers.read_offers(uow, self.gateway, int(key), now) if key.isdigit() else "ignored"

        # a topic event may be a tag added to one of codev's review topics: its own threads first
        # (read_thread answers "ignored" for other topics without asking the forum), then sync
        return routing({"person": refetch, "need": first_of(thread, refetch), "thread": thread,
                        "offers": volunteers})

    def worker(self, worker_id: str | None = None,
               stop: threading.Event | None = None) -> tuple[Worker, BrokerageLoop]:
        """A worker and its brokerage, sharing one stop signal; each pass beats the worker's heartbeat
        (`self.heartbeat`: its last pass, its duration, its reconciliations and 429s)."""
        name = (worker_id or default_worker_id())[:64]
        stop = stop or threading.Event()
        loop = self.brokerage(name, stop.is_set)
        heartbeat = self.heartbeat = HeartbeatRecorder(
            self.engine, name, self.clocks.now, lambda: self.transport.rate_limited,
            monotonic=self.clocks.monotonic)

        def after_batch(outcomes: dict[str, int]) -> SendReport:
            started = self.clocks.monotonic()
            report = loop.after_batch(outcomes)
            heartbeat.passed(self.clocks.monotonic() - started)
            return report

        worker = Worker(self.uow, self.applying(loop), self.settings.worker, name, self.clocks.now,
                        stop=stop, after_batch=after_batch)
        return worker, loop

    def reconcile(self, full: bool = False, progress: Progress | None = None,
                  stop: Callable[[], bool] | None = None) -> Counts:
        """One reconciliation sweep over the forum's people and needs."""
        return reconcile(self.uow, self.gateway, self.sync_rules, full, self.clocks.now(), progress,
                         stop=stop, clock=self.clocks.now)

    def close(self) -> None:
        """Release the database connections (if any were opened)."""
        if "lazy_engine" in self.__dict__:
            self.lazy_engine.dispose()


def with_settings(config: Config, settings: Settings) -> Config:
    """The same configuration files with other settings (the demo, the tests)."""
    return replace(config, settings=settings)
