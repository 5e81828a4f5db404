"""The demo: the Discourse sandbox with the sample community, `codev provision`, the webhook intake and
the worker (sync, matching, review threads, introductions, the outbox), all in one process."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from discourse_sandbox import Sandbox, SandboxSettings
from sync_service.adapters.db.engine import make_engine, shown
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import NeedRecord
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.bootstrap import Codev, with_settings
from sync_service.config.load import Config
from sync_service.config.settings import DashboardSettings, DiscourseSettings
from sync_service.entrypoints.web import build_app
from sync_service.services.provision import provision
from sync_service.services.worker import Worker

DEMO_API_KEY = "demo-admin-api-key-0123456789"  # declared in the sample seed; demo only
DEMO_DATABASE = "sqlite:///var/demo.db"
DEMO_LOCK = Path("var/demo.lock")
DEMO_WEBHOOK_SECRET = "demo-webhook-secret-0123456789"  # demo only
DEMO_CONNECT_SECRET = "demo-connect-secret-0123456789"  # the dashboard's DiscourseConnect secret; demo only
# The demo lifts the sandbox's admin API limit (Discourse's default is 60 a minute) so that the loop
# shows in seconds; codev paces itself to the same figure. Production keeps 60.
DEMO_RATE = 600
MANAGER = "youness.azougagh"  # a member of the animateurs group in the sample seed


class DemoError(Exception):
    """The demo cannot start or did not do what it shows; the message says why."""


@contextmanager
def only_demo(lock: Path = DEMO_LOCK) -> Iterator[None]:
    """Hold the demo's lock while it runs; a second demo is refused before it touches anything."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = lock.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise DemoError(f"a demo is already running ({holder}); stop it (Ctrl-C in its terminal) "
                            "before starting another") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def free(port: int, what: str) -> None:
    """DemoError when something already listens on the port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise DemoError(f"port {port} ({what}) is taken by another program: choose another with "
                            f"--{'port' if what == 'sandbox' else 'web-port'}") from None


def fresh_database(url: str) -> None:
    """The sandbox forgets everything when it stops, so the demo's database starts empty too: the
    demo's SQLite file is removed; any other database must hold no need yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            held = connection.scalar(select(func.count()).select_from(NeedRecord))
    finally:
        engine.dispose()
    if held:
        raise DemoError(f"{shown(url)} already holds {held} needs; the demo needs an empty database "
                        "(its sandbox starts afresh)")


@dataclasses.dataclass
class Demo:
    """The running demo: sandbox, intake, worker."""

    config: Config
    sandbox: Sandbox
    web: BaseWSGIServer
    codev: Codev
    worker: Worker | None = None

    @classmethod
    def start(cls, config: Config, seed: Path, port: int, web_port: int, database_url: str) -> Demo:
        """Sandbox with the seed, codev's settings pointed at it, the intake serving."""
        # the sandbox plays the codev plugin too (docs/plugin.md): codev pushes each need's state to it
        sandbox = Sandbox(SandboxSettings(max_admin_api_reqs_per_minute=DEMO_RATE, plugin_codev_enabled=True))
        sandbox.load_seed(seed)
        with sandbox.state.transaction() as state:
            # discourse_connect_provider_secrets: the dashboard's host and its secret
            state.sso_secrets["127.0.0.1"] = DEMO_CONNECT_SECRET
        url = sandbox.start("127.0.0.1", port)
        base = config.settings
        settings = dataclasses.replace(
            base, database_url=database_url, discourse=DiscourseSettings(url, DEMO_API_KEY, "system"),
            webhook_secrets=(DEMO_WEBHOOK_SECRET,),
            dashboard=DashboardSettings(f"http://127.0.0.1:{web_port}", DEMO_CONNECT_SECRET),
            forum_api=dataclasses.replace(base.forum_api, requests_per_minute=DEMO_RATE))
        demo_config = with_settings(config, settings)
        codev = Codev(demo_config)
        # plain HTTP on the loopback: the session cookie cannot be Secure here (it is everywhere else)
        web = make_server("127.0.0.1", web_port, build_app(codev, secure_cookies=False), threaded=True)
        threading.Thread(target=web.serve_forever, name="codev-web", daemon=True).start()
        return cls(demo_config, sandbox, web, codev)

    @property
    def forum_url(self) -> str:
        return self.sandbox.base_url

    def provision(self, webhook_url: str) -> int:
        """`codev provision` against the sandbox; how many changes it made."""
        result = provision(self.codev.admin, self.config.forum_structure(webhook_url))
        if result.refused is not None:
            raise DemoError(f"provision refused: {result.refused.what}: {result.refused.reason}")
        return len(result.applied)

    def start_worker(self) -> None:
        """Reconcile once (the seed was there before the webhook), then process webhooks until stopped."""
        worker, loop = self.codev.worker("demo-worker")
        self.worker = worker

        def run() -> None:
            self.codev.reconcile()
            loop.after_batch({"created": 1})
            worker.run_forever(idle_seconds=0.2)

        threading.Thread(target=run, name="codev-worker", daemon=True).start()

    def an_expert(self) -> str:
        """The username of one member of the experts' group (for the guide's "Je peux aider")."""
        with self.sandbox.state.transaction() as state:
            group = state.group_by_name(self.config.settings.forum.experts_group)
            ids = sorted(group.user_ids) if group is not None else []
            return next((state.users[i].username for i in ids if i in state.users), "system")

    def review_topics(self) -> list[tuple[int, int, str]]:
        """(need topic id, review topic id, need title) of every review thread the forum has."""
        with SqlUnitOfWork(self.codev.engine) as uow:
            found = []
            for need in uow.needs.open_needs():
                thread = uow.reviews.get(need.topic_id)
                if thread is not None and thread.topic_id is not None:
                    found.append((need.topic_id, thread.topic_id, need.title))
            return found

    def wait_for_reviews(self, timeout: float) -> list[tuple[int, int, str]]:
        """The review topics once the first pass is done (stable between two looks)."""
        deadline = time.monotonic() + timeout
        last: list[tuple[int, int, str]] = []
        while time.monotonic() < deadline:
            found = self.review_topics()
            if found and found == last:
                return found
            last = found
            time.sleep(2.0)
        if not last:
            raise DemoError(f"no review thread appeared within {timeout:.0f} s (see the log above)")
        return last

    def check(self, reviews: list[tuple[int, int, str]]) -> str:
        """Approve the first candidate of the first review thread as the manager; wait for the PM."""
        url = self.forum_url
        _need, topic_id, _title = reviews[0]
        first = requests.get(f"{url}/t/{topic_id}.json", headers=api(), timeout=10).json()
        post_id = first["post_stream"]["stream"][0]
        raw = requests.get(f"{url}/posts/{post_id}.json", headers=api(), timeout=10).json()["raw"]
        if "approuver" not in raw:
            raise DemoError(f"review topic {topic_id} shows no candidate to approve")
        before = {t["id"] for t in self._messages()}  # the plan import's review message among them
        answer = requests.post(f"{url}/posts.json", headers=api(MANAGER), timeout=10,
                               data={"topic_id": topic_id, "raw": "approuver 1, merci pour cette suggestion"})
        answer.raise_for_status()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            topics = [t for t in self._messages() if t["id"] not in before]
            if topics:
                return str(topics[0]["title"])
            time.sleep(1.0)
        raise DemoError("the approval did not open an introduction within 60 s")

    def _messages(self) -> list[dict[str, Any]]:
        """The private messages the manager (or the manager's groups) received."""
        listing = requests.get(f"{self.forum_url}/topics/private-messages/{MANAGER}.json",
                               headers=api(MANAGER), timeout=10)
        topics: list[dict[str, Any]] = listing.json().get("topic_list", {}).get("topics") if listing.ok \
            else []
        return topics or []

    def stop(self) -> None:
        """Stop the worker, the intake and the sandbox."""
        if self.worker is not None:
            self.worker.stop.set()
        self.web.shutdown()
        self.sandbox.stop()
        self.codev.close()


def api(username: str = "system") -> dict[str, str]:
    """The demo's API headers, acting as `username`."""
    return {"Api-Key": DEMO_API_KEY, "Api-Username": username}
