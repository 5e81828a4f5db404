"""Webhook intake benchmark: events accepted per second and p50/p99 latency on loopback.

    .venv/bin/python bench/webhook_intake.py [--quick] [--postgres-url URL]

For SQLite (a temporary file) and PostgreSQL (--postgres-url or CODEV_TEST_POSTGRES_URL; a schema of
its own is created and dropped, nothing else is touched), it starts `codev serve` (gunicorn, 2
workers), then sends signed, realistic, all-distinct deliveries (topic_created, post_created,
user_updated bodies recorded from the sandbox) over keep-alive connections, as a closed loop. The load
comes from wrk (Debian package `wrk`; see wrk_load.py), which costs the machine little CPU; without
wrk, or with --python-load, from Python processes, which on a 2-core machine take a large share of
the CPU from the server they measure. A baseline run of the same load on GET /healthz, which does no
database work, is printed beside it. Every delivery answered 200 is then looked for in the inbox.
Goal: >= 1,000 events/s, p99 <= 50 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import hmac
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wrk_load

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "discourse"
SECRET = "bench-webhook-secret-0123456789"
MIX = ("topic_created__need_form_labels", "post_created__need_form_labels", "user_updated__expert_profile")


@dataclass
class Result:
    """One load run."""

    label: str
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    server_cpu_seconds: float = float("nan")  # user + system time of the gunicorn workers
    percentiles_ms: dict[float, float] = field(default_factory=dict)  # as wrk reports them

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if q in self.percentiles_ms:
            return self.percentiles_ms[q]
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=1000, method="inclusive")[int(q * 1000) - 1]


# --- the load generator (runs in other processes) ----------------------------------------------

_ID = "8" * 15  # stands for the id in a serialised template, replaced by a number of the same role


def _templates() -> list[tuple[str, str, list[bytes]]]:
    """The recorded bodies, serialised once as Discourse does, cut where the id goes (cheap to vary)."""
    found = []
    for name in MIX:
        document = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        event_type = next(iter(document))
        payload = dict(document[event_type], id=int(_ID))
        if event_type == "post":
            payload["topic_id"] = int(_ID)
        body = json.dumps({event_type: payload}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        found.append((name.split("__")[0], event_type, body.split(_ID.encode())))
    return found


def _delivery(templates: list[tuple[str, str, list[bytes]]], n: int) -> tuple[dict[str, str], bytes]:
    """The n-th distinct signed delivery: a recorded body with new ids."""
    event, event_type, pieces = templates[n % len(templates)]
    body = str(1_000_000 + n).encode().join(pieces)
    signature = "sha256=" + hmac.digest(SECRET.encode(), body, "sha256").hex()
    headers = {"Content-Type": "application/json", "X-Discourse-Event": event,
               "X-Discourse-Event-Type": event_type, "X-Discourse-Event-Id": str(n),
               "X-Discourse-Instance": "http://127.0.0.1:4200", "X-Discourse-Event-Signature": signature,
               "User-Agent": "Discourse/bench"}
    return headers, body


def _client_thread(port: int, path: str, start: int, step: int, began: float, until: float,
                   out: list[Any]) -> None:
    templates = _templates()
    # not before the measured window: requests sent earlier would count in it and inflate the rate
    time.sleep(max(0.0, began - time.monotonic()))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = start
    while time.monotonic() < until:
        headers: dict[str, str]
        body: bytes | None
        if path == "/healthz":
            method, headers, body = "GET", {}, None
        else:
            method, (headers, body) = "POST", _delivery(templates, n)
        sent_at = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = -1
        latencies.append((time.perf_counter() - sent_at) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        n += step
    conn.close()
    out.append((latencies, statuses))


def _load_process(port: int, path: str, first: int, step: int, threads: int, began: float, until: float,
                  pipe: Any) -> None:
    out: list[Any] = []
    # each thread takes every `step`-th number from its own offset: numbers never collide
    workers = [threading.Thread(target=_client_thread,
                                args=(port, path, first + i, step, began, until, out))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    pipe.send(out)


def run_load(label: str, port: int, path: str, seconds: float, processes: int, threads: int,
             offset: int) -> Result:
    """`processes` x `threads` closed-loop clients for `seconds`."""
    ctx = mp.get_context("spawn")
    began = time.monotonic() + 1.0  # let the spawned interpreters import first
    until = began + seconds
    step = processes * threads
    pipes, procs = [], []
    for p in range(processes):
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_load_process,
                           args=(port, path, offset + p * threads, step, threads, began, until, child))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    for parent in pipes:
        for lat, st in parent.recv():
            latencies.extend(lat)
            for k, v in st.items():
                statuses[k] = statuses.get(k, 0) + v
    for proc in procs:
        proc.join()
    ok = statuses.get(200, 0)
    elapsed = max(time.monotonic(), until) - began
    return Result(label, len(latencies), ok, min(elapsed, seconds + 0.5), latencies, statuses)


def run_wrk(label: str, port: int, path: str, seconds: float, threads: int, connections: int,
            offset: int) -> Result:
    """`connections` keep-alive connections from wrk for `seconds` (closed loop, like run_load)."""
    with tempfile.TemporaryDirectory() as folder:
        count = int(seconds * wrk_load.MAX_RATE) + 10_000
        script = wrk_load.write_script(Path(folder), path, _templates(), SECRET, offset, count, threads)
        report = wrk_load.run(script, port, seconds, threads, connections)
    statuses = {int(k[len("status_"):]): v for k, v in report.items() if k.startswith("status_")}
    if report["errors"]:
        statuses[-1] = report["errors"]
    if report["repeated"]:
        print(f"  WARNING: {report['repeated']} bodies sent twice (more than {wrk_load.MAX_RATE}/s)")
    return Result(label, report["requests"], statuses.get(200, 0), report["duration_us"] / 1e6, [], statuses,
                  percentiles_ms={0.5: report["p50_us"] / 1000, 0.99: report["p99_us"] / 1000})


# --- the server and the databases ----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "CODEV_DATABASE_URL": database_url, "CODEV_WEBHOOK_SECRETS": SECRET,
           "CODEV_DISCOURSE_URL": "http://127.0.0.1:4200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sync_service", "serve", "--port", str(port), "--workers", str(workers),
         "--threads", str(threads)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"codev serve exited: {err}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit("codev serve did not answer within 30 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def postgres_schema_url(base_url: str, schema: str) -> str:
    """The same database, with every table in `schema` (search_path set on each connection)."""
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}"


def inbox_count(database_url: str) -> int:
    from sqlalchemy import create_engine, func, select

    from sync_service.adapters.db.tables import InboxDelivery

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(InboxDelivery)).scalar_one())
    finally:
        engine.dispose()


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                for c in (task / "children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc; NaN elsewhere)."""
    total = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return total / os.sysconf("SC_CLK_TCK") if pids else float("nan")


def measured(process: subprocess.Popen[bytes], runner: Callable[..., Result], *args: Any) -> Result:
    """runner(*args) (run_wrk or run_load), with the CPU time the server's workers spent meanwhile."""
    workers = _children(process.pid)
    before = _cpu_seconds(workers)
    result = runner(*args)
    result.server_cpu_seconds = _cpu_seconds(workers) - before
    return result


def bench_database(name: str, database_url: str, args: argparse.Namespace, offset: int) -> list[Result]:
    from sync_service.adapters.db.migrate import upgrade

    upgrade(database_url)
    process, port = start_server(database_url, args.workers, args.threads)
    try:
        results = []
        # a short warm-up: connections, imports and caches of each worker
        run_load("warm-up", port, "/healthz", 1.0, 1, 2, 0)
        if args.wrk:
            load: tuple[Any, ...] = (run_wrk, args.duration, args.wrk_threads, args.connections)
        else:
            load = (run_load, args.duration, args.processes, args.clients)
        runner, *shape = load
        results.append(measured(process, runner, f"{name:<10} GET  /healthz (baseline)", port, "/healthz",
                                *shape, 0))
        results.append(measured(process, runner, f"{name:<10} POST /webhooks/discourse", port,
                                "/webhooks/discourse", *shape, offset))
    finally:
        stop_server(process)
    stored = inbox_count(database_url)
    webhook = results[-1]
    print(f"  {name}: {stored} rows in the inbox for {webhook.ok} deliveries answered 200", flush=True)
    # Every body is distinct, so each 200 is one row. wrk stops with a request in flight on each of
    # its connections: those may be stored without their answer being counted.
    in_flight = args.connections if args.wrk else args.processes * args.clients
    if stored < webhook.ok:
        print(f"  WARNING: {webhook.ok - stored} deliveries answered 200 are not in the inbox", flush=True)
    elif stored - webhook.ok > in_flight:
        print(f"  WARNING: {stored - webhook.ok} rows more than deliveries answered 200", flush=True)
    return results


def print_table(results: list[Result], goal: tuple[float, float]) -> None:
    print()
    print(f"{'run':<44} {'requests':>9} {'ok/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms/req':>10}  non-200")
    for r in results:
        errors = {k: v for k, v in sorted(r.statuses.items()) if k != 200}
        cpu = r.server_cpu_seconds * 1000 / r.sent if r.sent else float("nan")
        print(f"{r.label:<44} {r.sent:>9} {r.rate:>8.0f} {r.quantile(0.5):>8.2f} {r.quantile(0.99):>8.2f}"
              f" {cpu:>10.2f}  {errors or '-'}")
    print("(cpu ms/req: user + system time of the gunicorn workers per request, load generator and "
          "database server not included)")
    print(f"\ngoal on PostgreSQL: >= {goal[0]:.0f} events/s with p99 <= {goal[1]:.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s per run instead of 20 s")
    parser.add_argument("--duration", type=float, default=None, help="seconds per run")
    parser.add_argument("--postgres-url", default=os.environ.get("CODEV_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn worker")
    parser.add_argument("--processes", type=int, default=2, help="load-generating processes")
    parser.add_argument("--clients", type=int, default=8, help="connections per load process")
    parser.add_argument("--python-load", action="store_true", help="the Python load generator, not wrk")
    parser.add_argument("--connections", type=int, default=16, help="wrk's keep-alive connections")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk's threads")
    args = parser.parse_args(argv)
    args.duration = args.duration or (3.0 if args.quick else 20.0)
    args.wrk = not args.python_load and wrk_load.available() is not None
    start_load = _load()
    if args.wrk:
        load = (f"wrk, {args.wrk_threads} thread(s) x {args.connections} keep-alive connections")
    else:
        if not args.python_load:
            print("  wrk not found (apt-get install wrk): falling back to the Python load generator, "
                  "which takes much of the CPU itself on a small machine", flush=True)
        load = f"Python, {args.processes} process(es) x {args.clients} keep-alive connections"
    print(f"codev serve: gunicorn {args.workers} workers x {args.threads} threads; load: {load}, "
          f"{args.duration:.0f} s per run; {os.cpu_count()} CPUs", flush=True)
    results: list[Result] = []
    offset = int(time.time()) % 1000 * 10_000_000  # distinct bodies across runs on one database
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            results += bench_database("sqlite", f"sqlite:///{folder}/bench.db", args, offset)
    if args.postgres_url:
        from sqlalchemy import create_engine, text

        schema = f"codev_bench_{os.getpid()}"
        admin = create_engine(args.postgres_url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            results += bench_database("postgresql", postgres_schema_url(args.postgres_url, schema), args,
                                      offset)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    else:
        print("  PostgreSQL skipped: give --postgres-url or set CODEV_TEST_POSTGRES_URL", flush=True)
    print_table(results, (1000, 50))
    print(f"load average (1 min) of the machine: {start_load} at the start, {_load()} at the end; "
          "other work on it shows in the baseline")
    return 0


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
