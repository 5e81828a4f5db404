"""`codev worker`: process the webhook inbox until stopped (SIGTERM/SIGINT finish the current row)."""

from __future__ import annotations

import faulthandler
import signal
import sys
import time
from collections.abc import Callable

import click

from sync_service.adapters.db.vitals import HeartbeatRecorder
from sync_service.entrypoints.cli.context import Context, configure_logging, pass_context, rate_option
from sync_service.entrypoints.cli.errors import fail
from sync_service.services.brokerage_loop import BrokerageLoop
from sync_service.services.worker import Worker


@click.command("worker")
@click.option("--once", is_flag=True, help="Process what is due now, then exit (no reconciliation).")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="Rows claimed per transaction.")
@click.option("--id", "worker_id", default=None, help="Name of this worker in leases (default host:pid).")
@click.option("--idle", default=1.0, show_default=True, type=click.FloatRange(0.01, 60),
              help="Seconds to sleep when nothing is due.")
@click.option("--no-embedder", is_flag=True,
              help="Rank without the multilingual sentence encoder (faster start, weaker ranking).")
@rate_option
@pass_context
def worker(ctx: Context, once: bool, batch: int, worker_id: str | None, idle: float, no_embedder: bool,
           requests_per_minute: int | None) -> None:
    """Refetch what the webhooks named, keep review threads and introductions going, send the outbox."""
    configure_logging(ctx.config.settings)
    codev = ctx.codev(requests_per_minute=requests_per_minute, embed=not no_embedder)
    try:
        codev.engine  # noqa: B018 - the database answers and is at the newest schema, or stop here
        runner, loop = codev.worker(worker_id)
        if once:
            _drain(runner, batch, loop, codev.heartbeat)
            return
        _stop_on_signals(runner.stop.set)

        heartbeat = codev.heartbeat

        def sweep(between: Callable[[], None]) -> object:
            def step(_kind: str, _outcome: str) -> None:
                between()
                if heartbeat is not None:
                    heartbeat.alive()

            counts = codev.reconcile(progress=step, stop=runner.stop.is_set)
            if heartbeat is not None and counts.complete:
                heartbeat.reconciled()
            return counts

        runner.run_forever(batch, reconcile=sweep, idle_seconds=idle)
    finally:
        codev.close()


def _drain(runner: Worker, batch: int, loop: BrokerageLoop, heartbeat: HeartbeatRecorder | None) -> None:
    """Inbox rows until none is due, each batch followed by the brokerage; then the outbox until empty.
    Exits non-zero when the forum did not answer or rows failed."""
    totals = {"claimed": 0, "done": 0, "ignored": 0, "retried": 0, "parked": 0, "lost": 0}
    sent, problems = 0, []
    while True:
        result = runner.run_once(batch)
        for key in totals:
            totals[key] += getattr(result, key)
        if result.error:
            problems.append(result.error)
        started = time.monotonic()
        report = loop.after_batch(result.outcomes)
        if heartbeat is not None:
            heartbeat.passed(time.monotonic() - started)
        sent += report.sent + report.found
        while report.claimed and not runner.stop.is_set():
            report = loop.send()
            sent += report.sent + report.found
        if loop.last.get("error"):
            problems.append(f"brokerage pass: {loop.last['error']}")
        if result.claimed == 0 or result.pause > 0:
            break
    click.echo("worker: " + ", ".join(f"{key} {value}" for key, value in totals.items())
               + f", posts sent {sent}")
    if problems:
        raise fail(f"the pass did not complete: {problems[-1]}")
    if totals["retried"] or totals["parked"]:
        raise fail(f"{totals['retried'] + totals['parked']} inbox row(s) failed; see `codev inbox --failed`")


def _stop_on_signals(stop: Callable[[], None]) -> None:
    """First SIGTERM or SIGINT: finish the current row and stop; a second SIGINT interrupts. SIGUSR1
    prints every thread's stack to stderr, the running worker untouched (what is it waiting for?)."""
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    def handler(_signum: int, _frame: object) -> None:
        stop()  # no logging here: a handler may interrupt the main thread inside a log call
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
