"""Workers killed with SIGKILL at random moments while thousands of webhooks arrive: the end state equals
the forum, every inbox row is finished, and no write ever undid a newer one.

How "nothing processed twice with visible effect" is checked: a trigger the test installs records every
insert, update and delete of `experts` and `needs` (old and new version, old and new fetched_at), in
commit order per entity. The story only ever raises an expert's availability and a need's post version,
so a stale or replayed fetch that landed would show as a version going down or a fetched_at going back;
and an entity may not change more often than the story changed it.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from sync_service.adapters.db.engine import make_engine
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.domain.impact import Period
from sync_service.domain.impact_tally import HistoryTally, tally_of
from tests.service.e2e.harness import (
    Codev,
    StoryClient,
    codev,
    community,
    field_ids,
    held,
    oracle,
    register_webhook,
    sync_rules,
    wait_for,
)

# `make proof` sets CODEV_PROOF_CRASH=1: the full size, API faults and a CPU hog (docs/reliability.md)
FULL = os.environ.get("CODEV_PROOF_CRASH") == "1"
EDITS = 10_000 if FULL else 1500   # profile updates and need edits, each one webhook at least
KILLS = 50 if FULL else 22         # SIGKILLs of a worker (the story goes on until they are done)
POSTGRES_WORKERS = 3 if FULL else 2
STORY_SECONDS = 1500 if FULL else 240
# 10 % of the API calls fail in the full proof: 429 (Retry-After 1 s), 5xx before the route, 500 after
# the write was done
API_FAULTS = {"seed": 20261207, "api_429_rate": 0.03, "api_429_wait_seconds": 1, "api_5xx_rate": 0.04,
              "api_fail_after_write_rate": 0.03} if FULL else {}
EXPERTS = 20
NEEDS = 10
SEED = 3               # the story's and the killer's random choices

# table, key, the column the story only ever raises
VERSIONED = (("experts", "user_id", "availability_hours"), ("needs", "topic_id", "post_version"))
SQLITE_AUDIT = [
    """CREATE TABLE proof_writes (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, entity INTEGER,
       op TEXT, old_version REAL, new_version REAL, old_fetched TEXT, new_fetched TEXT)""",
    *[f"""CREATE TRIGGER proof_{table}_{op} AFTER {op.upper()} ON {table} BEGIN
          INSERT INTO proof_writes (kind, entity, op, old_version, new_version, old_fetched, new_fetched)
          VALUES ('{table}', {row}.{key}, '{op}', {old}, {new}, {old_f}, {new_f}); END"""
      for table, key, version in VERSIONED
      for op, row, old, new, old_f, new_f in (
          ("insert", "NEW", "NULL", f"NEW.{version}", "NULL", "NEW.fetched_at"),
          ("update", "NEW", f"OLD.{version}", f"NEW.{version}", "OLD.fetched_at", "NEW.fetched_at"),
          ("delete", "OLD", f"OLD.{version}", "NULL", "OLD.fetched_at", "NULL"))],
]
POSTGRES_AUDIT = [
    """CREATE TABLE proof_writes (id BIGSERIAL PRIMARY KEY, kind TEXT, entity INTEGER, op TEXT,
       old_version DOUBLE PRECISION, new_version DOUBLE PRECISION, old_fetched TIMESTAMPTZ,
       new_fetched TIMESTAMPTZ)""",
    *[f"""CREATE FUNCTION proof_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO proof_writes (kind, entity, op, new_version, new_fetched)
            VALUES ('{table}', NEW.{key}, 'insert', NEW.{version}, NEW.fetched_at);
          ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO proof_writes (kind, entity, op, old_version, new_version, old_fetched, new_fetched)
            VALUES ('{table}', NEW.{key}, 'update', OLD.{version}, NEW.{version}, OLD.fetched_at,
                    NEW.fetched_at);
          ELSE
            INSERT INTO proof_writes (kind, entity, op, old_version, old_fetched)
            VALUES ('{table}', OLD.{key}, 'delete', OLD.{version}, OLD.fetched_at);
          END IF;
          RETURN NULL; END $$""" for table, key, version in VERSIONED],
    "CREATE TRIGGER proof_experts AFTER INSERT OR UPDATE OR DELETE ON experts "
    "FOR EACH ROW EXECUTE FUNCTION proof_experts()",
    "CREATE TRIGGER proof_needs AFTER INSERT OR UPDATE OR DELETE ON needs "
    "FOR EACH ROW EXECUTE FUNCTION proof_needs()",
]


@dataclass(frozen=True)
class Write:
    kind: str
    entity: int
    op: str
    old_version: float | None
    new_version: float | None
    old_fetched: datetime | None
    new_fetched: datetime | None


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _install_audit(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for statement in SQLITE_AUDIT if database_url.startswith("sqlite") else POSTGRES_AUDIT:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _writes(database_url: str) -> list[Write]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, entity, op, old_version, new_version, old_fetched, "
                                     "new_fetched FROM proof_writes ORDER BY id")).all()
    finally:
        engine.dispose()
    return [Write(r[0], int(r[1]), r[2], r[3], r[4], _moment(r[5]), _moment(r[6])) for r in rows]


def _tally_and_rows(database_url: str) -> tuple[HistoryTally, HistoryTally]:
    """The report's tally of all time as the database counts it (what the history's triggers kept, on
    PostgreSQL), and as the pure definitions count the history's rows."""
    engine = make_engine(database_url)
    try:
        with SqlUnitOfWork(engine) as uow:
            facts = uow.history.facts(Period())
            sectors = {topic: title.sector for topic, title in uow.needs.titles(list(facts.at_end)).items()}
            return uow.history.tally(Period()), tally_of(facts, sectors)
    finally:
        engine.dispose()


def _need_raw(title: str, revision: int) -> str:
    return (f"### Secteur\nEau potable\n\n### Type d'aide\nExpertise technique\n\n"
            f"### Compétences recherchées\nAEP rurale, SIG\n\n### Langues de travail\nFrançais\n\n"
            f"### Mode d'intervention\nÀ distance\n\n### Échéance\nRévision {revision}\n\n"
            f"### Description du besoin\n{title} : la commune précise son besoin (révision {revision}).")


class Killer(threading.Thread):
    """SIGKILLs a random worker, restarts it at once, `minimum` times. Most kills come a random moment
    after the worker has finished a row since its restart (so they land in the middle of its work, not
    in the import of a slow start); one in five comes at a random moment after the start, whatever it
    is doing."""

    def __init__(self, app: Codev, names: list[str], minimum: int, rng: random.Random) -> None:
        super().__init__(daemon=True, name="killer")
        self.app, self.names, self.minimum, self.rng = app, names, minimum, rng
        self.kills = 0
        self.mid_work = 0
        self.done = threading.Event()
        self.error: BaseException | None = None
        self._rows = {name: 0 for name in names}

    def rows_logged(self, name: str) -> int:
        """Rows the worker of that name finished, by its log (across restarts)."""
        assert self.app.logs is not None
        path = self.app.logs / f"{name}.log"
        return path.read_text(encoding="utf-8").count("codev.worker: inbox row") if path.exists() else 0

    def run(self) -> None:
        try:
            while self.kills < self.minimum:
                name = self.rng.choice(self.names)
                if self.rng.random() < 0.2:
                    time.sleep(self.rng.uniform(0.05, 1.0))
                else:
                    deadline = time.monotonic() + 30
                    while self.rows_logged(name) <= self._rows[name] and time.monotonic() < deadline:
                        time.sleep(0.02)
                    self.mid_work += self.rows_logged(name) > self._rows[name]
                    time.sleep(self.rng.uniform(0.0, 0.4))
                self.app.kill_worker(name)
                self.kills += 1
                self._rows[name] = self.rows_logged(name)
                self.app.start_worker(name)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.done.set()


class Syncer(threading.Thread):
    """Runs `codev sync` again and again while the story lasts: reconciliation applies snapshots of its
    own, concurrently with the workers, so an older one must never overwrite what a worker stored."""

    def __init__(self, app: Codev) -> None:
        super().__init__(daemon=True, name="syncer")
        self.app = app
        self.runs: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            result = self.app.run("sync", "--rate", "0")
            # the lines that say what went wrong, whole: an entity given up is named there
            said = [line for line in result.stderr.splitlines()
                    if "WARNING" in line or "ERROR" in line or "failed" in line]
            self.runs.append(f"{result.returncode} {result.stdout.split()} {said[-6:]}")
            self.stop.wait(1.0)  # leave the two cores to the workers most of the time


@pytest.mark.slow
def test_workers_killed_at_random_moments_lose_nothing_and_never_undo_a_newer_write(
    database_url: str, tmp_path: Path
) -> None:
    on_sqlite = database_url.startswith("sqlite")
    names = ["w1"] if on_sqlite else [f"w{i + 1}" for i in range(POSTGRES_WORKERS)]
    rng = random.Random(SEED)
    sandbox = community(tmp_path, EXPERTS)
    app = codev(sandbox, database_url, tmp_path, lease_seconds=3, backoff_seconds=0.2)
    _install_audit(database_url)
    killer = Killer(app, names, KILLS, random.Random(SEED + 1))
    syncer = Syncer(app)
    edits: Counter[tuple[str, int]] = Counter()
    hog: subprocess.Popen[bytes] | None = None
    try:
        api = StoryClient(sandbox.base_url)
        register_webhook(api, app.serve())
        fields = field_ids(sandbox)
        with sandbox.state.transaction() as state:
            experts = sorted(state.group_by_name("experts").user_ids)  # type: ignore[union-attr]
            usernames = {u.id: u.username for u in state.users.values()}
            officials = sorted(u.username for u in state.users.values()
                               if any(g.name.startswith("commune-") and u.id in g.user_ids
                                      for g in state.groups.values()))
            category = state.category_by_slug("besoins").id  # type: ignore[union-attr]
        needs = []
        for i, author in enumerate(officials[:NEEDS]):
            title = f"Besoin numéro {i} de la commune de {author.split('.')[1].capitalize()}"
            posted = api.as_user(author).post("/posts.json", json={
                "title": title, "category": category, "raw": _need_raw(title, 0)}).json()
            needs.append((int(posted["topic_id"]), int(posted["id"]), title))
        loaded = app.run("sync", "--rate", "0")
        assert loaded.returncode == 0, loaded.stderr
        assert sandbox.emitter.flush(timeout=30)
        for name in names:
            app.start_worker(name)
        if API_FAULTS:
            sandbox.apply({"faults": API_FAULTS})
            hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # the machine is busy

        started = time.monotonic()
        killer.start()
        syncer.start()
        hours = dict.fromkeys(experts, 100)
        revisions = dict.fromkeys((t for t, _, _ in needs), 0)
        while sum(edits.values()) < EDITS or not killer.done.is_set():
            assert time.monotonic() - started < STORY_SECONDS, f"{killer.kills} kills in {STORY_SECONDS} s"
            if rng.random() < 0.7:
                user_id = rng.choice(experts)
                hours[user_id] += 1
                api.put(f"/u/{usernames[user_id]}.json",
                        json={"user_fields": {str(fields["availability"]): str(hours[user_id])}})
                edits[("experts", user_id)] += 1
            else:
                topic_id, post_id, title = rng.choice(needs)
                revisions[topic_id] += 1
                raw = _need_raw(title, revisions[topic_id])
                api.put(f"/posts/{post_id}.json", json={"post": {"raw": raw}})
                edits[("needs", topic_id)] += 1
        story_seconds = time.monotonic() - started
        syncer.stop.set()
        syncer.join(timeout=120)
        assert sandbox.emitter.flush(timeout=60)
        killer.join(timeout=10)
        assert not killer.is_alive() and killer.error is None, killer.error
        drained = wait_for(app.inbox_settled, 600 if FULL else 120,
                           lambda: f"the workers drain the inbox ({app.inbox_counts()})\n{app.stacks()}")
        duration = time.monotonic() - started
        app.stop_workers()
        # the workers' last posts (review topics) may fire webhooks after the inbox looked settled:
        # what arrives once they stopped is drained by `codev worker --once`, which must succeed
        for _ in range(5):
            assert sandbox.emitter.flush(timeout=60)
            if app.inbox_settled():
                break
            late = app.run("worker", "--once", "--rate", "0", "--no-embedder")
            assert late.returncode == 0, late.stderr[-2000:]
        want, got = oracle(sandbox, sync_rules()), held(database_url)
        with sandbox.state.transaction() as state:
            events = len(state.web_hook_events)
        injected = dict(sandbox.faults.injected)
    finally:
        killer.minimum = 0
        syncer.stop.set()
        if hog is not None:
            hog.kill()
            hog.wait()
        app.close()
        sandbox.stop()

    inbox = app.inbox_counts()
    writes = _writes(database_url)
    counted, defined = _tally_and_rows(database_url)
    updates = [w for w in writes if w.op == "update"]
    changes = Counter((w.kind, w.entity) for w in updates if w.new_version != w.old_version)
    figures = (f"{sum(edits.values())} edits, {events} webhook events, inbox {inbox}, {killer.kills} "
               f"SIGKILLs over {len(names)} worker(s) ({killer.mid_work} after a row done since the "
               f"restart), {len(syncer.runs)} concurrent `codev sync` runs, story {story_seconds:.1f} s, "
               f"drained "
               f"{drained:.1f} s after the last edit, {duration:.1f} s in all; "
               f"{len(updates)} row updates of which {sum(changes.values())} changed a version; "
               f"API faults injected {injected if API_FAULTS else 'none'}")
    print(f"\n[crash {database_url.split(':')[0]}] {figures}")

    assert events >= EDITS and killer.kills >= KILLS >= 20 and killer.mid_work >= KILLS // 2, figures
    if API_FAULTS:
        assert all(injected[kind] > 0 for kind in ("429", "5xx", "after_write")), figures
    assert want.differences(got) == [], figures
    failed_syncs = [r for r in syncer.runs if not (r.startswith("0 ") and "'failed:', '0'" in r)]
    assert syncer.runs and failed_syncs == [], "\n".join(failed_syncs[:3])
    assert set(inbox) <= {"done", "ignored"} and sum(inbox.values()) >= EDITS, figures
    going_back = [w for w in updates if w.new_fetched is not None and w.old_fetched is not None
                  and w.new_fetched < w.old_fetched]
    undone = [w for w in updates if None not in (w.old_version, w.new_version)
              and w.new_version < w.old_version]  # type: ignore[operator]
    assert going_back == [] and undone == [], f"stale writes landed: {(going_back + undone)[:5]}"
    assert [w for w in writes if w.op == "delete"] == [], "nobody left the forum: nothing may be purged"
    too_many = {k: (n, edits[k]) for k, n in changes.items() if n > edits[k]}
    assert too_many == {}, f"more visible changes than edits: {too_many}"
    assert counted.needs_by_commune and counted == defined, "the report's tally is not its rows'"
