"""`codev worker`: process the webhook inbox until stopped (SIGTERM/SIGINT finish the current row)."""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click

from sync_service.config import Settings


def utcnow() -> datetime:
    """The wall clock, in UTC (the only zone codev writes)."""
    return datetime.now(UTC)


@dataclass
class Wiring:
    """The database and forum adapters built from settings, once per command."""

    engine: Any
    uow_factory: Callable[[], Any]
    forum: Any
    rules: Any


def database(settings: Settings) -> tuple[Any, Callable[[], Any]]:
    """An engine and a unit-of-work factory; a clear error if the schema was never created."""
    from sqlalchemy import inspect

    from sync_service.adapters.db.engine import make_engine
    from sync_service.adapters.db.unit_of_work import uow_factory

    engine = make_engine(settings.database_url)
    if not inspect(engine).has_table("inbox_delivery"):
        engine.dispose()
        raise click.ClickException("the database has no schema yet: run `codev db upgrade` first")
    return engine, uow_factory(engine)


def wire(settings: Settings, requests_per_minute: int | None = None) -> Wiring:
    """Database, the real Discourse gateway and the sync rules (taxonomy from config/)."""
    from sync_service.adapters.discourse.gateway import DiscourseGateway
    from sync_service.matching_config import load_taxonomy
    from sync_service.services.sync import rules_from

    engine, factory = database(settings)
    forum = DiscourseGateway(settings, requests_per_minute=requests_per_minute)
    return Wiring(engine, factory, forum, rules_from(settings, load_taxonomy()))


# Until the admin API budget is a setting (discourse.requests_per_minute), each command takes it.
rate_option = click.option(
    "--rate", "requests_per_minute", type=click.IntRange(0, 100_000), default=None,
    help="Admin API requests per minute the forum allows (default 60, Discourse's; 0: no pacing).")


def default_worker_id() -> str:
    """host:pid, unique among live workers, short enough for the leased_by column."""
    return f"{socket.gethostname()}:{os.getpid()}"[-64:]


def configure_logging() -> None:
    """Log lines to stderr unless the host application already set logging up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


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
@click.pass_obj
def worker(obj: Any, once: bool, batch: int, worker_id: str | None, idle: float, no_embedder: bool,
           requests_per_minute: int | None) -> None:
    """Refetch what the webhooks named, keep review threads and introductions going, send the outbox."""
    import threading

    from sync_service.entrypoints.brokerage_wiring import build_loop, thread_reader
    from sync_service.services.reconcile import reconcile
    from sync_service.services.worker import Worker, applying

    settings: Settings = obj.settings
    configure_logging()
    wiring = wire(settings, requests_per_minute)
    name = (worker_id or default_worker_id())[:64]
    stop = threading.Event()
    loop = build_loop(settings, wiring, name, utcnow, stop.is_set, embed=not no_embedder)
    runner = Worker(wiring.uow_factory, _inbox(), applying(wiring.forum, wiring.rules, thread_reader(loop)),
                    settings.worker, name, utcnow, stop=stop, after_batch=loop.after_batch)
    try:
        if once:
            _drain(runner, batch, loop)
            return
        _stop_on_signals(runner.stop.set)

        def sweep(between: Callable[[], None]) -> object:
            return reconcile(wiring.uow_factory, wiring.forum, wiring.rules, False, utcnow(),
                             progress=lambda _kind, _outcome: between(), stop=runner.stop.is_set,
                             clock=utcnow)

        runner.run_forever(batch, reconcile=sweep, idle_seconds=idle)
    finally:
        wiring.engine.dispose()


def _inbox() -> Any:
    from sync_service.adapters.db.inbox_claims import SqlInbox

    return SqlInbox()


def _drain(runner: Any, batch: int, loop: Any) -> None:
    """Inbox rows until none is due, each batch followed by the brokerage; then the outbox until empty."""
    totals = {"claimed": 0, "done": 0, "ignored": 0, "retried": 0, "parked": 0, "lost": 0}
    sent = 0
    while True:
        result = runner.run_once(batch)
        for key in totals:
            totals[key] += getattr(result, key)
        report = loop.after_batch(result.outcomes)
        sent += report.sent + report.found
        while report.claimed and not runner.stop.is_set():
            report = loop.send()
            sent += report.sent + report.found
        if result.claimed == 0 or result.pause > 0:
            break
    click.echo("worker: " + ", ".join(f"{key} {value}" for key, value in totals.items())
               + f", posts sent {sent}")


def _stop_on_signals(stop: Callable[[], None]) -> None:
    """First SIGTERM or SIGINT: finish the current row and stop; a second SIGINT interrupts."""
    def handler(_signum: int, _frame: object) -> None:
        stop()  # no logging here: a handler may interrupt the main thread inside a log call
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
