"""Brokerage pass benchmark: what one worker's pass costs today, on PostgreSQL.

    .venv/bin/python bench/brokerage.py [--quick] [--needs N] [--experts M] [--introductions I]
                                        [--postgres-url URL] [--embedder]

On PostgreSQL (--postgres-url or CODEV_TEST_POSTGRES_URL; a schema of its own is created and dropped,
nothing else is touched) it stores M consenting experts, N open needs and I introductions (a third
pending or accepted, the rest ended), synthetic profiles drawn from the taxonomy's terms, then runs
the pass `codev worker` runs between inbox batches (BrokerageLoop.run_pass: rematch with the plan
across needs, timers, digests; no sweep, no forum call) with the packaged settings and OR-Tools:

- the first pass (index built, every review topic decided: one outbox row each);
- idle passes (nothing changed since the last one);
- a pass after one changed expert, and one after one changed need;
- each step of an idle pass alone (rematch, timers, digests).

For each: wall-clock time, this process's CPU time (the database server's is not in it), the time
spent in the ranker and in the plan's solver (wall-clock), SQL statements sent (counted on the
engine, by kind) and outbox rows added.
Without --embedder the engine ranks without the sentence encoder (bench/matching.py measures the
engine with it), so the figures are the pass's own cost: the database, the orchestration, the
ranking's lexical and concept parts. The issue's goal for a pass whose cost follows the changes
(full size: 10,000 needs, 100,000 experts, 50,000 introductions): one change in the affected review
topics' outbox rows within 1 s, an idle pass <= 50 ms, queries per pass reported. --quick: 1,000
needs, 10,000 experts, 5,000 introductions.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, select, text  # noqa: E402

from sync_service.adapters.assignment_solver import OrToolsFlowSolver  # noqa: E402
from sync_service.adapters.db.engine import make_engine  # noqa: E402
from sync_service.adapters.db.migrate import upgrade  # noqa: E402
from sync_service.adapters.db.tables import OutboxIntent  # noqa: E402
from sync_service.adapters.db.unit_of_work import uow_factory  # noqa: E402
from sync_service.bootstrap import brokerage_rules  # noqa: E402
from sync_service.config.load import assemble  # noqa: E402
from sync_service.config.settings import Settings  # noqa: E402
from sync_service.domain import brokerage as rules_  # noqa: E402
from sync_service.domain.needs import NeedDetails  # noqa: E402
from sync_service.domain.people import ExpertProfile  # noqa: E402
from sync_service.services import followup, incremental, timers  # noqa: E402
from sync_service.services.brokerage_loop import BrokerageLoop  # noqa: E402
from sync_service.services.ranking import EngineRanker  # noqa: E402

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROVINCES = ["Tiznit", "Taroudant", "Tata", "Chtouka-Aït Baha", "Ouarzazate", "Zagora", "Tinghir"]
LANGUAGES = ["fr", "ar", "ber", "en", "es", "nl", "de"]
MODES = ["remote", "on_site", "mentoring", "funding_network"]
HOURS = [2.0, 5.0, 10.0, 20.0, None]
ENDED = [rules_.DECLINED, rules_.EXPIRED, rules_.WITHDRAWN, rules_.DISCARDED]
BATCH = 2_000  # rows stored per transaction while loading


class Statements:
    """SQL statements sent on an engine, by their first word."""

    def __init__(self, engine: Any) -> None:
        self.kinds: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.kinds[statement.lstrip().split(None, 1)[0].upper()] += 1

    def since(self, before: Counter[str]) -> Counter[str]:
        return self.kinds - before


def synthetic(config: Any, n_experts: int, n_needs: int, seed: int = 1) -> tuple[list[ExpertProfile],
                                                                                  list[NeedDetails]]:
    """Profiles and needs from the taxonomy's terms, with a pool of texts as people repeat them."""
    rng = random.Random(seed)
    skills = list(config.taxonomy.skills.values())
    pool = []
    for _ in range(1_000):
        chosen = rng.sample(skills, rng.randint(1, 3))
        words = tuple(rng.choice(s.terms or (s.labels["fr"],)) for s in chosen)
        pool.append((words, f"{', '.join(words)}. Plusieurs années d'expérience en Europe."))
    experts = []
    for i in range(n_experts):
        words, bio = rng.choice(pool)
        experts.append(ExpertProfile(
            100_000 + i, f"expert{i}", bio=bio, skills=words, languages=tuple(rng.sample(LANGUAGES, 2)),
            modes=tuple(rng.sample(MODES, rng.randint(1, 2))), availability_hours=rng.choice(HOURS),
            origin_province=rng.choice(PROVINCES)))
    needs = []
    for j in range(n_needs):
        words, body = rng.choice(pool)
        needs.append(NeedDetails(
            10 + j, f"Besoin {j} : {words[0]}", 50, "commune.officiel", commune=f"Commune {j % 1_500}",
            province=rng.choice(PROVINCES), skills=words, body=body,
            languages=(rng.choice(["fr", "ar", "ber"]),), mode=rng.choice(["remote", "on_site", "any"])))
    return experts, needs


def load(uow_of: Callable[[], Any], experts: list[ExpertProfile], needs: list[NeedDetails],
         n_intros: int, rules: Any, seed: int = 2) -> None:
    """Store experts, needs and introductions through the repositories, with the needs' statuses."""
    rng = random.Random(seed)
    for start in range(0, len(experts), BATCH):
        with uow_of() as uow:
            for profile in experts[start:start + BATCH]:
                uow.experts.save(profile, T0, T0)
            uow.commit()
    by_need: dict[int, list[rules_.Introduction]] = {}
    pairs = set()
    while len(pairs) < n_intros:
        pairs.add((rng.choice(needs).topic_id, rng.randrange(len(experts))))
    for need_id, e in sorted(pairs):
        opened = T0 - timedelta(days=rng.randint(1, 60))
        draw = rng.random()  # an eighth pending, a twelfth accepted, the rest ended
        status = rules_.PENDING if draw < 1 / 8 else rules_.ACCEPTED if draw < 5 / 24 else rng.choice(ENDED)
        intro = rules_.open_introduction(need_id, experts[e].user_id, experts[e].username, opened,
                                         rules.delays, reviewed=True, approved_by="animatrice")
        if status == rules_.PENDING:  # due neither for a reminder nor for expiry during the bench
            intro = dataclasses.replace(intro, remind_at=T0 + timedelta(days=30),
                                        expire_at=T0 + timedelta(days=40))
        else:
            intro = dataclasses.replace(intro, status=status, closed_at=opened + timedelta(days=3))
        by_need.setdefault(need_id, []).append(intro)
    for start in range(0, len(needs), BATCH):
        with uow_of() as uow:
            for need in needs[start:start + BATCH]:
                intros = by_need.get(need.topic_id, [])
                uow.needs.save(dataclasses.replace(need, status=rules_.need_status("open", intros)), T0, T0)
                for intro in intros:
                    uow.introductions.add(intro)
            uow.commit()


class Timed:
    """A collaborator of the pass (the ranker, the plan's solver), with the time spent in it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.seconds = inner, 0.0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


def outbox_rows(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OutboxIntent)).scalar_one())


def measured(label: str, engine: Any, statements: Statements, parts: tuple[Timed, Timed],
             run: Callable[[], object]) -> float:
    """Run once; print time (and the shares of the ranker and the solver), statements by kind and
    outbox rows added; return the seconds."""
    ranker, solver = parts
    rows, before = outbox_rows(engine), Counter(statements.kinds)
    ranking, solving = ranker.seconds, solver.seconds
    started, cpu = time.perf_counter(), time.process_time()
    run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = statements.since(before)
    kinds = ", ".join(f"{k} {n:,}" for k, n in sent.most_common())
    print(f"{label:<34} {seconds * 1000:>9,.1f} ms (CPU {cpu * 1000:>8,.1f}; ranker "
          f"{(ranker.seconds - ranking) * 1000:>8,.1f}, solver {(solver.seconds - solving) * 1000:>6,.1f}) "
          f"{sum(sent.values()):>7,} statements ({kinds})   outbox +{outbox_rows(engine) - rows:,}",
          flush=True)
    return seconds


def bench(url: str, args: argparse.Namespace) -> None:
    upgrade(url)
    engine = make_engine(url)
    statements = Statements(engine)
    uow_of = uow_factory(engine)
    config = assemble(Settings())
    rules = brokerage_rules(config, review_category_id=1)
    experts, needs = synthetic(config, args.experts, args.needs)
    started = time.perf_counter()
    load(uow_of, experts, needs, args.introductions, rules)
    with uow_of() as uow:
        looking = sum(1 for n in uow.needs.open_needs() if n.status in ("open", "matched"))
        loads = uow.introductions.loads()
    print(f"stored {len(experts):,} experts, {len(needs):,} needs ({looking:,} open or matched) and "
          f"{args.introductions:,} introductions ({sum(loads.values()):,} pending or accepted) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    embedder = None
    if args.embedder:
        from sync_service.adapters.embedding import default_embedder

        embedder = default_embedder()
    ranker = Timed(EngineRanker(config.taxonomy, config.matching, config.translator, embedder))
    solver = Timed(OrToolsFlowSolver())
    parts = (ranker, solver)
    clock = {"now": T0}
    loop = BrokerageLoop(uow_of, ranker, rules, forum=None, writer=None, worker_id="bench",  # type: ignore[arg-type]
                         clock=lambda: clock["now"], solver=solver,
                         next_sweep=T0 + timedelta(days=3650))  # no sweep: it reads the forum

    def run_pass() -> None:
        clock["now"] += timedelta(minutes=2)
        report = loop.run_pass(clock["now"])
        assert "error" not in report, report

    def full_pass() -> None:  # today's pass before this change, the baseline: everything re-ranked
        clock["now"] += timedelta(minutes=2)
        incremental.rematch(uow_of, ranker, rules, clock["now"], closed_since=clock["now"], solver=solver)
        timers.tick(uow_of, rules, clock["now"])
        timers.send_digests(uow_of, ranker, rules, clock["now"])

    measured("first pass (index, every topic)", engine, statements, parts, run_pass)
    print("baseline, the full pass (every open need re-ranked and refreshed at every pass):")
    baseline = [measured(f"  full pass, nothing changed {i + 1}", engine, statements, parts, full_pass)
                for i in range(max(1, args.idle // 3))]
    loop.kept = None  # the baseline re-ranked outside the loop: the loop starts again from a full pass
    run_pass()
    print("the pass that follows the changes (the worker's pass now):")
    idle = [measured(f"  idle pass {i + 1}", engine, statements, parts, run_pass) for i in range(args.idle)]
    changed = dataclasses.replace(experts[0], skills=(*experts[0].skills, "énergie solaire"))
    until_edited("  one changed expert -> review edits", engine, statements, parts, run_pass, uow_of,
                 lambda uow: uow.experts.save(changed, T0, T0))
    with uow_of() as uow:  # a need that looks for an expert: its review topic shows the change
        stored = next(n for n in uow.needs.open_needs() if n.status == "open")
    until_edited("  one changed need -> review edits", engine, statements, parts, run_pass, uow_of,
                 lambda uow: uow.needs.save(dataclasses.replace(
                     stored, body="Forage et pompage solaire du douar."), T0, T0))
    print("idle pass, step by step:")
    now = clock["now"]
    assert loop.kept is not None
    kept = loop.kept
    measured("  rematch (read the feed)", engine, statements, parts,
             lambda: incremental.changed(uow_of, ranker, rules, now, kept, solver))
    measured("  timers", engine, statements, parts, lambda: timers.tick(uow_of, rules, now))
    measured("  digests", engine, statements, parts, lambda: timers.send_digests(uow_of, ranker, rules, now))
    measured("  follow-ups", engine, statements, parts, lambda: followup.ask_due(uow_of, rules, now))
    print(f"idle pass median {statistics.median(idle) * 1000:,.1f} ms over {len(idle)} "
          f"(goal: <= 50 ms at full size); the full pass it replaces: "
          f"{statistics.median(baseline) * 1000:,.1f} ms")
    engine.dispose()


def until_edited(label: str, engine: Any, statements: Statements, parts: tuple[Timed, Timed],
                 run_pass: Callable[[], None], uow_of: Callable[[], Any],
                 change: Callable[[Any], None]) -> None:
    """Commit one change, then time the pass that picks it up until its review topics' outbox rows exist."""
    with uow_of() as uow:
        change(uow)
        uow.commit()
    rows = outbox_rows(engine)
    seconds = measured(label, engine, statements, parts, run_pass)
    print(f"{'':<36}-> {outbox_rows(engine) - rows:,} review topic(s) edited, their outbox rows written "
          f"{seconds * 1000:,.1f} ms after the worker picked the change up (goal: within 1 s)", flush=True)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="1,000 needs, 10,000 experts, 5,000 introductions")
    parser.add_argument("--needs", type=int)
    parser.add_argument("--experts", type=int)
    parser.add_argument("--introductions", type=int)
    parser.add_argument("--idle", type=int, default=3, help="idle passes measured")
    parser.add_argument("--embedder", action="store_true", help="rank with the sentence encoder too")
    parser.add_argument("--postgres-url", default=os.environ.get("CODEV_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    sizes = (1_000, 10_000, 5_000) if args.quick else (10_000, 100_000, 50_000)
    args.needs = args.needs or sizes[0]
    args.experts = args.experts or sizes[1]
    args.introductions = args.introductions or sizes[2]
    if not args.postgres_url:
        print("brokerage pass: skipped, give --postgres-url or set CODEV_TEST_POSTGRES_URL", flush=True)
        return 0
    print(load_note() + " at the start", flush=True)
    schema = f"codev_bench_brokerage_{os.getpid()}"
    admin = create_engine(args.postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        joiner = "&" if "?" in args.postgres_url else "?"
        bench(f"{args.postgres_url}{joiner}options=-csearch_path%3D{schema}", args)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    print(load_note() + " at the end (figures are wall-clock; other processes on the machine slow them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
