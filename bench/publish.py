"""Publishing benchmark: posts sent through the outbox under Discourse's admin rate limit.

    .venv/bin/python bench/publish.py [--quick] [--posts N] [--scale S] [--database-url URL]

A sandbox limits the admin key to 60 requests a minute (Discourse's default) with its time scaled by
S (default 10: the run takes about 30 s); the sender's clocks (pacing, leases, retry times) are
scaled the same way, so every figure below is in sandbox seconds. N intents (default 300: one review
topic for every five posts, four replies under each) are enqueued, then `send_due` runs until nothing
is left. Each intent must be on the forum exactly once (its marker counted in the sandbox's state).

The minimum the limit allows: the first 60 requests at once, then 60 per rolling minute, so N requests
need (ceil(N / 60) - 1) minutes (the last answers not counted). Goal: within 10 %.

Baseline, in the same process and first (it also warms the process up, as a running worker is): the
same N intents through the same sender and a sandbox without the limit (pacing off), which gives the
sender's own cost per post c. One request at a time, the last minute's 60 posts cannot finish before
60 c after that minute opens, so a sequential sender's floor is (ceil(N / 60) - 1) minutes + 60 c;
what is left above it ("pacing slack") is what the pacing itself costs: each minute opens one answer's
latency late (a request is counted from its answer, never before Discourse's own window) and keeps the
spacing of the minute before it, as a rolling window does. The scale does not speed up the CPU: c is
the real cost (7 to 11 ms here: one HTTP round trip to the sandbox, one committed transaction) times
S, so 0.1 s at S = 10 but 0.6 s at S = 60, where the last minute's sending alone is about 38 s, 16 %
of the 240 s minimum: above S = 20 or so the benchmark measures the machine, not the pacing.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discourse_sandbox import Sandbox  # noqa: E402
from discourse_sandbox.core.clock import Clock  # noqa: E402
from discourse_sandbox.core.records import ApiKey  # noqa: E402
from discourse_sandbox.core.settings import SandboxSettings  # noqa: E402
from sync_service.adapters.db.engine import make_engine  # noqa: E402
from sync_service.adapters.db.migrate import upgrade  # noqa: E402
from sync_service.adapters.db.unit_of_work import uow_factory  # noqa: E402
from sync_service.adapters.discourse.client import HttpPolicy, Transport  # noqa: E402
from sync_service.adapters.discourse.writer import DiscourseWriter  # noqa: E402
from sync_service.services.outbox import SendPolicy, enqueue, marker, send_due  # noqa: E402
from sync_service.services.ports.storage import Intent  # noqa: E402

API_KEY = "bench-publish-admin-key"
LIMIT = 60  # max_admin_api_reqs_per_minute, Discourse's default
REPLIES_PER_TOPIC = 4


def intents(count: int, prefix: str = "bench") -> list[Intent]:
    """Review topics and replies under them, in the order a matching run decides them."""
    made: list[Intent] = []
    topic: Intent | None = None
    for n in range(count):
        if n % (REPLIES_PER_TOPIC + 1) == 0:
            topic = Intent(f"{prefix}:review:{n}", "create_topic", {
                "title": f"Revue des candidats pour le besoin numéro {n}",
                "raw": f"Les candidats proposés pour le besoin {n}, avec leurs raisons."})
            made.append(topic)
        else:
            assert topic is not None
            made.append(Intent(f"{prefix}:reply:{n}", "reply",
                               {"raw": f"Nouveau candidat proposé ({n}) pour ce besoin."}, topic.key))
    return made


def run(count: int, scale: float, database_url: str, limit: int, prefix: str) -> dict[str, Any]:
    """Publish `count` intents under `limit` admin requests a minute (0 = none); the figures of the run."""
    sandbox = Sandbox(SandboxSettings(max_admin_api_reqs_per_minute=limit, time_scale=scale))
    with sandbox.state.transaction() as state:
        state.api_keys[API_KEY] = ApiKey(API_KEY, None, "bench")
    sandbox.start()
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = uow_factory(engine)
    clock = Clock(scale)  # the sender runs on the sandbox's kind of clock, as fast
    answers: list[tuple[float, int]] = []  # (sandbox seconds, status) of every answer, in order
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: answers.append((clock.seconds(), r.status_code)))
    try:
        transport = Transport(sandbox.base_url, API_KEY, "system", HttpPolicy(requests_per_minute=limit),
                              clock=clock.seconds, sleep=clock.sleep, session=session)
        writer = DiscourseWriter(transport, "system")
        wanted = intents(count, prefix)
        with factory() as uow:
            for intent in wanted:
                enqueue(uow, intent, clock.now())
            uow.commit()
        policy = SendPolicy(batch=LIMIT)
        started = clock.seconds()
        sent = found = 0
        while True:
            report = send_due(factory, writer, "bench", clock.now, policy)
            sent, found = sent + report.sent, found + report.found
            if report.claimed == 0:
                break
        elapsed = clock.seconds() - started
        with sandbox.state.transaction() as state:
            raws = [p.raw for p in state.posts.values() if p.deleted_at is None]
    finally:
        engine.dispose()
        sandbox.stop()
    counts = [sum(marker(i.key) in raw for raw in raws) for i in wanted]
    return {"count": count, "elapsed": elapsed, "sent": sent, "found": found,
            "requests": transport.requests_made, "refused": sum(s == 429 for _t, s in answers),
            "answers": [t - started for t, _s in answers], "once": sum(c == 1 for c in counts),
            "twice": sum(c > 1 for c in counts), "missing": sum(c == 0 for c in counts)}


def minimum_seconds(requests: int) -> float:
    """What a 60-a-minute rolling window allows for this many requests (the last answer not counted)."""
    return (math.ceil(requests / LIMIT) - 1) * 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="120 posts instead of 300")
    parser.add_argument("--posts", type=int, default=None, help="intents to publish (default 300)")
    parser.add_argument("--scale", type=float, default=10.0, help="sandbox seconds per real second")
    parser.add_argument("--database-url", default=None,
                        help="an empty database of its own (default: temporary SQLite files)")
    args = parser.parse_args(argv)
    count = args.posts or (120 if args.quick else 300)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        # the baseline first: it also warms the process up, as a worker that has been running is
        base = run(count, args.scale, args.database_url or f"sqlite:///{Path(folder) / 'base.db'}", 0,
                   "baseline")
        real_start = time.monotonic()
        r = run(count, args.scale, url, LIMIT, "bench")
        real = time.monotonic() - real_start
    floor = minimum_seconds(r["requests"])
    per_post = base["elapsed"] / base["count"]
    last = min(LIMIT, r["requests"])
    sequential = floor + last * per_post
    opened = r["answers"][-last] - per_post if len(r["answers"]) >= last else 0.0  # last minute's start
    print(f"publish: {r['count']} intents, {r['requests']} admin requests, limit {LIMIT}/min, "
          f"time scale {args.scale:g} ({url.split(':')[0]}); times in sandbox seconds")
    print(f"  exactly once: {r['once']}   twice or more: {r['twice']}   missing: {r['missing']}   "
          f"sent {r['sent']}, found {r['found']}, 429s {r['refused']}")
    print(f"  baseline, no limit: {base['count']} posts in {base['elapsed']:.1f} s = {per_post:.3f} s a post "
          f"({1000 * per_post / args.scale:.1f} ms real); each once: {base['once'] == base['count']}")
    print(f"  total {r['elapsed']:.1f} s ({real:.1f} s real)   minimum the limit allows {floor:.0f} s   "
          f"ratio {r['elapsed'] / floor if floor else float('nan'):.3f}")
    first = r["answers"][last - 1] if len(r["answers"]) >= last else 0.0
    print(f"  where it goes: first {last} answers by {first:.1f} s; last minute opened at {opened:.1f} s "
          f"and took {r['elapsed'] - opened:.1f} s; at the baseline's cost {last} posts take "
          f"{last * per_post:.1f} s: sequential floor {sequential:.1f} s, pacing slack "
          f"{r['elapsed'] - sequential:+.1f} s")
    ok = (r["once"] == r["count"] and r["requests"] == r["count"] and r["refused"] == 0
          and r["elapsed"] <= 1.10 * floor)
    if args.quick:  # two windows: the last one's own cost weighs double; the goal is the full run's
        print("  quick run: each intent once" if r["once"] == r["count"] else "  quick run: FAILED")
    else:
        print("  goal (each once, one request per post, no 429, within 10 % of the minimum):",
              "met" if ok else "NOT met")
    return 0 if r["once"] == r["count"] and base["once"] == base["count"] else 1


if __name__ == "__main__":
    sys.exit(main())
