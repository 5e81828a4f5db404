"""The brokerage proofs' world, in one process: the sandbox (threads on loopback), `codev provision` on
config/forum.yaml, the webhook intake (the real Flask app on a loopback port), and a worker built as
`codev worker` builds it (bootstrap.Codev) with an injected clock and no embedder.

The story's people are seeded straight into the sandbox (the sandbox has no API to grant moderation);
everything they then DO goes through the sandbox's API, so the forum fires the webhooks Discourse would.
`Forum` reads the sandbox's own state to check what codev wrote there.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.settings import Faults
from discourse_sandbox.seed.users import seed_users
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.unit_of_work import uow_factory
from sync_service.bootstrap import Clocks, Codev
from sync_service.config import (
    DiscourseSettings,
    ForumApiSettings,
    LifecycleSettings,
    OutboxSettings,
    Settings,
    WorkerSettings,
)
from sync_service.config.load import Config
from sync_service.domain.brokerage import Introduction, ReviewThread
from sync_service.services.provision import provision
from sync_service.services.worker import Worker
from tests import paths
from tests.configured import configured
from tests.conftest import ADMIN_API_KEY, start_sandbox
from tests.service.e2e.harness import StoryClient, free_port

ROOT = paths.ROOT
SECRET = "e2e-brokerage-webhook-secret-0123456789"
SCALE = 60.0  # sandbox seconds per real second: Retry-After and backoff waits pass 60 times faster
MARKER = re.compile(r"<!-- codev:intent:([^ ]+) -->")
MANAGER, OFFICIAL = "youness.azougagh", "rkia.aitbaha"
LIFECYCLE = LifecycleSettings(review_candidates=3, reminder_days=7, expiry_days=7, digest_interval_days=7,
                              digest_size=5, pass_seconds=60)


class StoryClock:
    """The worker's wall clock: real time plus the days the story skips (never behind real time, so
    webhooks stamped by the intake are due at once)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


class Killed(BaseException):
    """The worker process dies: none of our handlers runs and no transaction commits."""


def need_raw(sector: str, skills: str, description: str) -> str:
    """A need as the composer's form writes it (headings of settings.forum.need_form_fields)."""
    return (f"### Secteur\n{sector}\n\n### Type d'aide\nExpertise technique\n\n"
            f"### Compétences recherchées\n{skills}\n\n### Langues de travail\nFrançais\n\n"
            f"### Mode d'intervention\nÀ distance\n\n### Échéance\nAvant juin 2027\n\n"
            f"### Description du besoin\n{description}")


# --- the forum as the sandbox holds it ------------------------------------------------------------

@dataclass
class Forum:
    """Reads of the sandbox's own records (not through codev's gateway)."""

    sandbox: Sandbox

    def marker_counts(self) -> Counter[str]:
        """intent key -> live posts carrying its marker (every codev write carries one)."""
        with self.sandbox.state.transaction() as state:
            raws = [p.raw for p in state.posts.values() if p.deleted_at is None]
        return Counter(key for raw in raws for key in MARKER.findall(raw))

    def topics_in(self, slug: str) -> list[int]:
        with self.sandbox.state.transaction() as state:
            category = state.category_by_slug(slug)
            assert category is not None, slug
            return sorted(t.id for t in state.topics.values()
                          if t.category_id == category.id and t.deleted_at is None
                          and t.id != category.topic_id)

    def posts(self, topic_id: int) -> list[tuple[int, str, str, int]]:
        """(post_number, author username, raw, version) of the topic's live posts, in order."""
        with self.sandbox.state.transaction() as state:
            return [(p.post_number, state.users[p.user_id].username, p.raw, p.version)
                    for p in state.posts_of_topic(topic_id) if p.post_type == 1]

    def private_messages_of(self, username: str) -> list[int]:
        """PMs that name the user (not through a group)."""
        with self.sandbox.state.transaction() as state:
            user = state.user_by_username(username)
            assert user is not None
            return sorted(t.id for t in state.topics.values() if t.archetype == "private_message"
                          and user.id in t.allowed_user_ids and t.deleted_at is None)

    def recipients(self, topic_id: int) -> tuple[set[str], set[str]]:
        """(usernames, group names) a PM is addressed to."""
        with self.sandbox.state.transaction() as state:
            topic = state.topics[topic_id]
            return ({state.users[u].username for u in topic.allowed_user_ids},
                    {g.name for g in state.groups.values() if g.id in topic.allowed_group_ids})

    def user_id(self, username: str) -> int:
        with self.sandbox.state.transaction() as state:
            user = state.user_by_username(username)
            assert user is not None
            return user.id

    def field_options(self) -> dict[str, tuple[int, list[str]]]:
        """codev key -> (user field id, options) as provisioned."""
        names = Settings().forum.user_fields
        with self.sandbox.state.transaction() as state:
            by_name = {f.name: (f.id, list(f.options)) for f in state.user_fields.values()}
        return {key: by_name[name] for key, name in names.items() if name in by_name}


# --- codev's database -----------------------------------------------------------------------------

@dataclass
class Held:
    """What codev's database holds of the brokerage, read through its repositories."""

    database_url: str

    @contextmanager
    def uow(self) -> Iterator[Any]:
        engine = make_engine(self.database_url)
        try:
            with uow_factory(engine)() as uow:
                yield uow
                uow.rollback()
        finally:
            engine.dispose()

    def need_status(self, topic_id: int) -> str | None:
        with self.uow() as uow:
            stored = uow.needs.get(topic_id)
            return None if stored is None else str(stored.details.status)

    def introductions(self, topic_id: int) -> dict[str, Introduction]:
        with self.uow() as uow:
            return {i.expert_username: i for i in uow.introductions.of_need(topic_id)}

    def review(self, topic_id: int) -> ReviewThread | None:
        with self.uow() as uow:
            thread: ReviewThread | None = uow.reviews.get(topic_id)
            return thread

    def experts(self) -> dict[str, Any]:
        with self.uow() as uow:
            return {p.username: p for p in uow.experts.matchable()}

    def outbox(self) -> Counter[str]:
        from sync_service.adapters.db import outbox as db_outbox

        with self.uow() as uow:
            return Counter(db_outbox.stats(uow.session, datetime.now(UTC) + timedelta(days=3650))
                           ["per_status"])


# --- the world --------------------------------------------------------------------------------------

@dataclass
class World:
    """Sandbox, provisioned forum, webhook intake and one worker at a time."""

    tmp_path: Path
    database_url: str
    lifecycle: LifecycleSettings = LIFECYCLE
    # Discourse answers an identical API POST within 120 s with the first one's post: 0 turns that
    # off, so that only codev's own marker lookup stands between a retry and a duplicate
    memoize_seconds: float = 120.0
    plugin: bool = False  # the forum has the codev plugin (the sandbox plays it)
    max_open: int | None = None  # matching.yaml's assignment.max_open_introductions (None: packaged)
    sandbox: Sandbox = field(init=False)
    settings: Settings = field(init=False)
    clock: StoryClock = field(default_factory=StoryClock)
    # the transport's monotonic clock and sleep, SCALE times faster than real time
    time: Clock = field(default_factory=lambda: Clock(SCALE))
    api: StoryClient = field(init=False)
    forum: Forum = field(init=False)
    held: Held = field(init=False)
    worker: Worker | None = None
    loop: Any = None
    codev: Codev | None = None
    restarts: int = 0
    provisioned_messageable: bool = False
    _web: Any = None
    _faults: dict[str, float] = field(default_factory=dict)

    def start(self) -> World:
        """Migrate, start the sandbox and the intake, provision, seed the story's people."""
        upgrade(self.database_url)
        self.sandbox = start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0, time_scale=SCALE,
                                                     allowed_internal_hosts=["127.0.0.1"],  # codev's host
                                                     memoize_seconds=self.memoize_seconds,
                                                     plugin_codev_enabled=self.plugin,
                                                     faults=Faults(seed=20261129)))
        base = Settings()
        self.settings = dataclasses.replace(
            base, database_url=self.database_url,
            discourse=DiscourseSettings(self.sandbox.base_url, ADMIN_API_KEY, "system"),
            webhook_secrets=(SECRET,), lifecycle=self.lifecycle,
            forum_api=ForumApiSettings(requests_per_minute=0, timeout_seconds=10),
            outbox=OutboxSettings(batch=20, settle_seconds=30),
            worker=WorkerSettings(max_attempts=50, backoff_seconds=1, lease_seconds=60,
                                  reconcile_interval_minutes=0))
        self.api = StoryClient(self.sandbox.base_url)
        self.forum, self.held = Forum(self.sandbox), Held(self.database_url)
        self._serve()
        self._provision()
        self.provisioned_messageable = self.managers_messageable()
        self._people()
        return self

    def _serve(self) -> None:
        from werkzeug.serving import make_server

        from sync_service import create_app

        port = free_port()
        self._web = make_server("127.0.0.1", port, create_app(self.settings), threaded=True)
        threading.Thread(target=self._web.serve_forever, name="codev-web", daemon=True).start()
        self.intake_url = f"http://127.0.0.1:{port}/webhooks/discourse"

    def _provision(self) -> None:
        desired = configured(self.settings).forum_structure(self.intake_url)
        admin = Codev(configured(self.settings)).admin
        result = provision(admin, desired)
        assert result.refused is None, result.refused
        assert provision(admin, desired).nothing_to_change  # a second run changes nothing

    def managers_messageable(self) -> bool:
        """Whether codev (an admin) may name the managers' group in a PM (Group#messageable_level)."""
        with self.sandbox.state.transaction() as state:
            group = state.group_by_name(self.settings.forum.community_managers_group)
            return group is not None and group.messageable_level in (1, 2, 3, 4, 99)

    def _people(self) -> None:
        """The manager (moderator, animateurs) and a commune official: seeded, as staff is."""
        seed_users(self.sandbox, [
            {"username": MANAGER, "name": "Youness Azougagh", "moderator": True, "trust_level": 4,
             "groups": ["animateurs"]},
            {"username": OFFICIAL, "name": "Rkia Ait Baha", "trust_level": 2, "groups": ["commune-anzi"]},
        ])

    def add_expert(self, username: str, name: str) -> None:
        """A member of the experts group with an empty profile (they fill it in through the API)."""
        seed_users(self.sandbox, [{"username": username, "name": name, "trust_level": 1,
                                   "groups": ["experts"]}])

    def fill_profile(self, username: str, skills: list[str], sectors: list[str],
                     digest: bool = False) -> None:
        """The expert fills in the profile's user fields, consent ticked (PUT /u/{username}.json)."""
        fields = self.forum.field_options()

        def option(key: str, wanted: str) -> str:
            options = fields[key][1]
            found = [o for o in options if o.casefold() == wanted.casefold()]
            assert found or not options, f"{key}: no option {wanted!r} in {options}"
            return found[0] if found else wanted

        values: dict[str, Any] = {
            str(fields["skills"][0]): [option("skills", s) for s in skills],
            str(fields["sectors"][0]): [option("sectors", s) for s in sectors],
            str(fields["languages"][0]): ["Français", "Arabe"],
            str(fields["country"][0]): "France", str(fields["availability"][0]): "20",
            str(fields["modes"][0]): ["À distance"], str(fields["consent"][0]): "true"}
        if digest:
            values[str(fields["digest"][0])] = "true"
        with self._person_acting():
            self.api.put(f"/u/{username}.json", json={"bio_raw": f"{username}, ingénieur(e).",
                                                      "user_fields": values})

    def post_need(self, title: str, sector: str, skills: str, description: str,
                  author: str = OFFICIAL) -> int:
        """The commune official posts a need with the form in the needs category."""
        with self.sandbox.state.transaction() as state:
            category = state.category_by_slug("besoins")
            assert category is not None
            category_id = category.id
        with self._person_acting():
            posted = self.api.as_user(author).post("/posts.json", json={
                "title": title, "category": category_id, "raw": need_raw(sector, skills, description)})
        return int(posted.json()["topic_id"])

    def reply(self, username: str, topic_id: int, raw: str) -> None:
        with self._person_acting():
            self.api.as_user(username).post("/posts.json", json={"topic_id": topic_id, "raw": raw})

    def status_seen_by(self, username: str, path: str) -> int:
        """The HTTP status a person gets for a GET (without injected faults)."""
        with self._person_acting():
            return int(self.api.as_user(username).session.get(self.sandbox.base_url + path,
                                                              timeout=10).status_code)

    def close_topic(self, topic_id: int, username: str = MANAGER) -> None:
        with self._person_acting():
            self.api.as_user(username).put(f"/t/{topic_id}/status.json",
                                           data={"status": "closed", "enabled": "true"})

    def faults(self, **rates: float) -> None:
        """Switch the sandbox's API faults for codev's calls (0 turns them off)."""
        self._faults = dict(rates)
        self.sandbox.apply({"faults": rates})

    @contextmanager
    def _person_acting(self) -> Iterator[None]:
        """People's own clicks go through without faults: a write answered 500 after it happened
        would make the story post twice, which tells nothing about codev."""
        if not any(self._faults.values()):
            yield
            return
        self.sandbox.apply({"faults": dict.fromkeys(self._faults, 0.0)})
        try:
            yield
        finally:
            self.sandbox.apply({"faults": self._faults})

    # --- the worker ---------------------------------------------------------------------------

    def start_worker(self, name: str = "w1") -> Worker:
        """A worker assembled as `codev worker` assembles it (bootstrap.Codev), clock injected."""
        if self.codev is None:
            clocks = Clocks(now=self.clock, monotonic=self.time.seconds, sleep=self.time.sleep)
            self.codev = Codev(self.config(), clocks=clocks, embed=False, author_cache_seconds=0)
        self.worker, self.loop = self.codev.worker(name, threading.Event())
        return self.worker

    def config(self) -> Config:
        """The packaged configuration with the story's settings (and limit, when it sets one)."""
        config = configured(self.settings)
        if self.max_open is None:
            return config
        matching = config.matching
        assignment = dataclasses.replace(matching.assignment, max_open_introductions=self.max_open)
        return dataclasses.replace(config, matching=dataclasses.replace(matching, assignment=assignment))

    def settle(self, rounds: int = 400, on_kill: Callable[[], None] | None = None) -> int:
        """Run the worker (inbox batch, brokerage pass, outbox) until the forum and codev are quiet:
        webhooks delivered, no inbox row and no outbox row left to do. A `Killed` raised inside
        (the tests' kill switch) restarts the worker under a new name once the dead one's leases ran
        out. Returns the rounds it took."""
        assert self.worker is not None
        quiet = 0
        for n in range(rounds):
            assert self.sandbox.emitter.flush(timeout=30), "the sandbox did not deliver its webhooks"
            try:
                result = self.worker.run_once(20)
                report = self.loop.after_batch(result.outcomes)
                while report.claimed:
                    report = self.loop.send()
            except Killed:
                self.restarts += 1
                self.clock.advance(seconds=self.settings.worker.lease_seconds + 1)
                self.start_worker(f"w{self.restarts + 1}")
                if on_kill is not None:
                    on_kill()
                quiet = 0
                continue
            # a change seen within the loop's min_gap of the last pass waits for the next pass
            busy = result.claimed or report.claimed or self._waiting() or self.loop.dirty
            if busy:
                quiet = 0
                if not result.claimed and not report.claimed:
                    # rows wait for a backoff, a lease or a settle delay of the worker's clock
                    self.clock.advance(seconds=30)
                continue
            quiet += 1
            if quiet >= 2:
                return n
        raise AssertionError(f"not quiet after {rounds} rounds: inbox {self._inbox()}, outbox "
                             f"{self.held.outbox()}")

    def _inbox(self) -> dict[str, int]:
        from sqlalchemy import func, select

        from sync_service.adapters.db.tables import InboxDelivery

        with self.held.uow() as uow:
            rows = uow.session.execute(select(InboxDelivery.status, func.count())
                                       .group_by(InboxDelivery.status))
            return {str(s): int(c) for s, c in rows}

    def _waiting(self) -> bool:
        inbox, outbox = self._inbox(), self.held.outbox()
        return bool(inbox.get("pending") or inbox.get("running") or outbox.get("pending")
                    or outbox.get("sending"))

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop.set()
        if self.codev is not None:
            self.codev.close()
        if self._web is not None:
            self._web.shutdown()
        self.sandbox.stop()
