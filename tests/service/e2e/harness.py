"""Shared pieces of the sync proofs: the sandbox with a small community, `codev serve` and workers as
processes, the webhook registered in the sandbox, a story client that rides over injected API faults,
and the ORACLE: what codev's database must hold, computed from the sandbox's own state.

The oracle reads the sandbox's records directly (not through HTTP, not through the gateway), turns them
into snapshots here, and converts them with the domain's pure rules (`profile_of`, `need_of`) and the
pure form reader: so a gateway that reads the wrong field, misses a group, lists too few users or
topics, or a worker that applies a stale fetch, all show as a difference.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import create_engine, func, select

from discourse_sandbox import Sandbox, SandboxSettings
from discourse_sandbox.core.state import State
from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.migrate import upgrade
from sync_service.adapters.db.tables import InboxDelivery
from sync_service.adapters.db.unit_of_work import uow_factory
from sync_service.adapters.discourse.forms import read_form
from sync_service.config import Settings
from sync_service.domain.needs import NeedDetails, need_of
from sync_service.domain.people import ExpertProfile, profile_of
from sync_service.services.ports.forum import NeedSnapshot, PersonSnapshot
from sync_service.services.sync import SyncRules
from tests import paths
from tests.configured import rules
from tests.conftest import ADMIN_API_KEY, SandboxClient, start_sandbox

ROOT = paths.ROOT
SEED = ROOT / "config" / "examples" / "communaute.yaml"
SECRET = "e2e-proofs-webhook-secret-0123456789"
RETRIED_STATUSES = (429, 500, 502, 503)
FIELD_NAMES = Settings().forum.user_fields  # codev key -> Discourse user field name


# --- the sandbox -----------------------------------------------------------------------------------

def small_seed(path: Path, experts: int) -> Path:
    """The sample community without its topics and with only `experts` of its experts: staff,
    commune officials and every group, category, form and field stay (a short reconciliation)."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    seed.pop("topics", None)
    kept, count = [], 0
    for user in seed["users"]:
        if "experts" in (user.get("groups") or []):
            count += 1
            if count > experts:
                continue
        kept.append(user)
    seed["users"] = kept
    path.write_text(yaml.safe_dump(seed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def community(tmp_path: Path, experts: int) -> Sandbox:
    """A running sandbox with the small community, admin rate limit off (faults come separately);
    its operator listed codev's host, 127.0.0.1, in allowed_internal_hosts."""
    return start_sandbox(SandboxSettings(max_admin_api_reqs_per_minute=0,
                                         allowed_internal_hosts=["127.0.0.1"]),
                         seed=str(small_seed(tmp_path / "seed.yaml", experts)))


class StoryClient(SandboxClient):
    """The story's own API calls: a 429 or a 5xx injected before the route ran changed nothing, so it
    is sent again at once (the faults are random, not a real bucket); anything else must succeed."""

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for _ in range(50):
            response = super().request(method, path, **kwargs)
            if response.status_code not in RETRIED_STATUSES:
                assert response.ok, f"{method} {path}: {response.status_code} {response.text[:300]}"
                return response
            # a user's own rate limit (15 sandbox seconds between two topics) passes with time, even
            # scaled: a short pause keeps 50 tries from all landing in the same window
            time.sleep(0.02)
        raise AssertionError(f"{method} {path}: still failing after 50 tries")

    def as_user(self, username: str, api_key: str = ADMIN_API_KEY) -> StoryClient:
        return StoryClient(self.base_url, api_key, username)


# --- codev as processes ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str | Callable[[], str],
             every: float = 0.1) -> float:
    """Poll until `condition()`; the seconds it took. Fails after `timeout` with `what` (a callable is
    asked then, so the message tells the state at the failure, not at the start)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start >= timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what() if callable(what) else what}")
        time.sleep(every)
    return time.monotonic() - start


def wait_for_health(url: str, process: subprocess.Popen[str], timeout: float,
                    exited: Callable[[], str]) -> float:
    """Wait until `codev serve` at `url` answers /healthz; fails with `exited()` if the process died."""
    def healthy() -> bool:
        assert process.poll() is None, exited()
        try:
            return requests.get(f"{url}/healthz", timeout=1).ok
        except requests.ConnectionError:
            return False

    return wait_for(healthy, timeout, "codev serve answering /healthz")


@dataclass
class Codev:
    """codev's database, its environment, and the processes started from it."""

    sandbox: Sandbox
    database_url: str
    config: Path
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    workers: dict[str, subprocess.Popen[str]] = field(default_factory=dict)
    logs: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CODEV_DATABASE_URL": self.database_url, "CODEV_CONFIG": str(self.config),
                "CODEV_DISCOURSE_URL": self.sandbox.base_url, "CODEV_DISCOURSE_API_KEY": ADMIN_API_KEY,
                "CODEV_DISCOURSE_API_USERNAME": "system", "CODEV_WEBHOOK_SECRETS": SECRET}

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """`codev <args>` to completion."""
        return subprocess.run([sys.executable, "-m", "sync_service", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[str]:
        assert self.logs is not None
        log = (self.logs / f"{name}.log").open("a", encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "sync_service", *args], cwd=ROOT, env=self.env,
                                   text=True, stdout=log, stderr=subprocess.STDOUT)
        log.close()  # the child holds its own descriptor
        return process

    def serve(self, workers: int = 1) -> str:
        """`codev serve` (gunicorn) on a free port, answering /healthz; its base URL."""
        port = free_port()
        process = self._spawn("serve", "serve", "--port", str(port), "--workers", str(workers))
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, process, 30, lambda: f"codev serve exited: {self.log_tail('serve')}")
        return url

    def start_worker(self, name: str) -> subprocess.Popen[str]:
        """`codev worker` named `name` (no pacing, short idle), replacing a dead one of that name."""
        process = self._spawn(name, "worker", "--rate", "0", "--idle", "0.05", "--id", name, "--no-embedder")
        self.workers[name] = process
        return process

    def kill_worker(self, name: str) -> None:
        """SIGKILL: no handler runs, the transaction in flight is cut where it stands."""
        process = self.workers[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_workers(self) -> None:
        """SIGTERM every worker (they finish their row) and check they stopped cleanly."""
        for process in self.workers.values():
            process.send_signal(signal.SIGTERM)
        for name, process in self.workers.items():
            process.wait(timeout=60)
            assert process.returncode == 0, f"worker {name}: {self.log_tail(name)}"
        self.workers.clear()

    def close(self) -> None:
        for process in [*self.workers.values(), *self.processes]:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.workers.clear()

    def stacks(self, lines: int = 60) -> str:
        """Each running worker's threads as they stand (SIGUSR1, see `codev worker`) and its log's end."""
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGUSR1)
        time.sleep(1)
        return "\n".join(f"--- {name}\n{self.log_tail(name, lines)}" for name in self.workers)

    def log_tail(self, name: str, lines: int = 30) -> str:
        assert self.logs is not None
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(encoding="utf-8").splitlines()[-lines:]) if path.exists() else ""

    def inbox_counts(self) -> dict[str, int]:
        """Inbox rows by status."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(InboxDelivery.status, func.count()).group_by(InboxDelivery.status))
                return {str(status): int(count) for status, count in rows}
        finally:
            engine.dispose()

    def inbox_settled(self) -> bool:
        """No row waits or runs (parked rows are settled too: the tests check there are none)."""
        counts = self.inbox_counts()
        return counts.get("pending", 0) == 0 and counts.get("running", 0) == 0


def codev(sandbox: Sandbox, database_url: str, tmp_path: Path, **worker: float) -> Codev:
    """A migrated database and a CODEV_CONFIG with the worker settings given."""
    upgrade(database_url)
    config = tmp_path / "codev.yaml"
    config.write_text(yaml.safe_dump({"worker": {"reconcile_interval_minutes": 0, **worker}}),
                      encoding="utf-8")
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    return Codev(sandbox, database_url, config, logs=logs)


def register_webhook(api: SandboxClient, url: str) -> int:
    """A wildcard web hook in the sandbox towards codev's intake, signed with SECRET."""
    hook = api.post("/admin/api/web_hooks.json", data={
        "web_hook[payload_url]": f"{url}/webhooks/discourse", "web_hook[secret]": SECRET,
        "web_hook[content_type]": "1", "web_hook[active]": "true", "web_hook[wildcard_web_hook]": "true",
    })
    assert hook.ok, hook.text
    return int(hook.json()["web_hook"]["id"])


def field_ids(sandbox: Sandbox) -> dict[str, int]:
    """codev key -> the sandbox's user field id."""
    with sandbox.state.transaction() as state:
        by_name = {f.name: f.id for f in state.user_fields.values()}
    return {key: by_name[name] for key, name in FIELD_NAMES.items()}


# --- the oracle ------------------------------------------------------------------------------------

def sync_rules() -> SyncRules:
    """The rules `codev worker` runs with (default settings, the repository's taxonomy and communes)."""
    return rules()


@dataclass(frozen=True)
class Holdings:
    """Experts by forum user id and needs by topic id (topic_updated_at left out: a derived date)."""

    experts: dict[int, ExpertProfile]
    needs: dict[int, NeedDetails]

    def differences(self, other: Holdings) -> list[str]:
        """Human-readable differences, self being what must be."""
        lines: list[str] = []
        pairs = (("expert", self.experts, other.experts), ("need", self.needs, other.needs))
        for label, mine, theirs in pairs:
            for key in sorted(set(mine) | set(theirs)):
                if key not in theirs:
                    lines.append(f"{label} {key} missing")
                elif key not in mine:
                    lines.append(f"{label} {key} held but must not be")
                elif mine[key] != theirs[key]:
                    fields = [f.name for f in dataclasses.fields(mine[key])
                              if getattr(mine[key], f.name) != getattr(theirs[key], f.name)]
                    lines.append(f"{label} {key} differs in {fields}: want "
                                 f"{[getattr(mine[key], f) for f in fields]}, "
                                 f"held {[getattr(theirs[key], f) for f in fields]}")
        return lines


def _values(value: Any, field_type: str) -> tuple[str, ...]:
    """A stored user field value as the tuple of texts the domain reads (written here, not imported)."""
    if value is None or value is False or value == "":
        return ()
    if value is True:
        return ("true",)
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip()
    if field_type == "confirm" and text.lower() != "true":
        return ()
    return (text,) if text else ()


def _groups(state: State, user_id: int) -> tuple[str, ...]:
    return tuple(sorted(g.name for g in state.groups.values() if user_id in g.user_ids and not g.automatic))


def _person(state: State, user_id: int, now: datetime) -> PersonSnapshot:
    user = state.users[user_id]
    fields = {f.name: f for f in state.user_fields.values()}
    profile = {}
    for key, name in FIELD_NAMES.items():
        spec = fields.get(name)
        profile[key] = _values(user.user_fields.get(spec.id), spec.field_type) if spec else ()
    suspended = user.suspended_till is not None and user.suspended_till > now
    return PersonSnapshot(user_id=user.id, username=user.username, name=user.name.strip() or None,
                          bio=user.bio_raw.strip() or None, profile=profile, groups=_groups(state, user.id),
                          active=not suspended, anonymized=user.anonymized)


def _topic(state: State, topic_id: int, headings: dict[str, tuple[str, ...]]) -> NeedSnapshot | None:
    topic = state.topics[topic_id]
    about = {c.topic_id for c in state.categories.values()}
    if topic.deleted_at is not None or topic.archetype != "regular" or topic.id in about:
        return None
    posts = state.posts_of_topic(topic_id)
    first = posts[0] if posts and posts[0].post_number == 1 else None
    author = state.users.get(topic.user_id)
    if first is None or author is None:
        return None
    category = state.categories.get(topic.category_id) if topic.category_id else None
    return NeedSnapshot(topic_id=topic.id, title=topic.title, author_user_id=author.id,
                        author_username=author.username, author_groups=_groups(state, author.id),
                        category_slug=category.slug if category else None, tags=tuple(topic.tags),
                        closed=topic.closed, archived=topic.archived,
                        form=read_form(first.raw, headings).fields, raw=first.raw,
                        post_version=first.version, created_at=topic.created_at, updated_at=topic.updated_at,
                        visible=topic.visible)


def oracle(sandbox: Sandbox, rules: SyncRules) -> Holdings:
    """What codev's database must hold, from the sandbox's state read in one transaction."""
    headings = {k: tuple(v) for k, v in Settings().forum.need_form_fields.items()}
    now = datetime.now(UTC)
    experts: dict[int, ExpertProfile] = {}
    needs: dict[int, NeedDetails] = {}
    with sandbox.state.transaction() as state:
        for user in state.users.values():
            if user.id > 0 and not user.staged:
                profile = profile_of(_person(state, user.id, now), rules.people)
                if profile is not None:
                    experts[user.id] = profile
        for topic_id in state.topics:
            details = need_of(_topic(state, topic_id, headings), rules.needs)
            if details is not None:
                needs[topic_id] = dataclasses.replace(details, topic_updated_at=None)
    return Holdings(experts, needs)


def held(database_url: str) -> Holdings:
    """What codev's database holds, read through its own repositories."""
    engine = make_engine(database_url)
    try:
        with uow_factory(engine)() as uow:
            stored_experts = {i: uow.experts.get(i) for i in uow.experts.ids()}
            stored_needs = {i: uow.needs.get(i) for i in uow.needs.ids()}
            uow.rollback()
    finally:
        engine.dispose()
    experts = {i: s.profile for i, s in stored_experts.items() if s is not None}
    needs = {i: dataclasses.replace(s.details, topic_updated_at=None) for i, s in stored_needs.items()
             if s is not None}
    return Holdings(experts, needs)


def iter_text(database_url: str) -> Iterator[str]:
    """Every text and JSON value of every table (to look for what must have been forgotten)."""
    from sync_service.adapters.db.tables import Base

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                for column in table.columns:
                    if column.type.__class__.__name__ in ("String", "Text", "JSON"):
                        yield from (str(v) for (v,) in conn.execute(select(column)) if v is not None)
    finally:
        engine.dispose()
