"""`codev outbox`: the writes waiting for the forum, those that failed, and sending what is due."""

from __future__ import annotations

from typing import Any

import click

from sync_service.adapters.db import outbox as db_outbox
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.bootstrap import Codev, default_worker_id, send_policy
from sync_service.entrypoints.cli.context import Context, configure_logging, pass_context
from sync_service.services.outbox import send_due
from sync_service.services.ports.storage import OutboxRow

ERROR_WIDTH = 70
STATUSES = ("pending", "sending", "sent", "failed", "parked", "superseded")


@click.command("outbox")
@click.option("--stats", is_flag=True, help="Rows per status (the default with no option).")
@click.option("--failed", is_flag=True, help="Rows refused by Discourse (parked), given up, or retrying.")
@click.option("--send", is_flag=True, help="Send what is due now, paced, then exit.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="Rows claimed per transaction when sending.")
@pass_context
def outbox(ctx: Context, stats: bool, failed: bool, send: bool, batch: int) -> None:
    """Show the outbox of writes to Discourse, or send the due ones."""
    codev = ctx.codev()
    try:
        if send:
            _send(codev, batch)
        if failed:
            with SqlUnitOfWork(codev.engine) as uow:
                rows = db_outbox.list_rows(uow.session, ("parked", "failed"))
            if rows:
                _table(rows)
            else:
                click.echo("no failed writes")
        if stats or not (failed or send):
            with SqlUnitOfWork(codev.engine) as uow:
                _stats(db_outbox.stats(uow.session, codev.clocks.now()))
    finally:
        codev.close()


def _send(codev: Codev, batch: int) -> None:
    configure_logging(codev.settings)
    policy = send_policy(codev.settings, batch)
    totals = {"sent": 0, "found": 0, "retried": 0, "parked": 0, "failed": 0, "lost": 0}
    while True:
        report = send_due(codev.uow, codev.writer, default_worker_id(), codev.clocks.now, policy)
        for key in totals:
            totals[key] += getattr(report, key)
        if report.claimed == 0:
            break
    click.echo("outbox: " + ", ".join(f"{key} {value}" for key, value in totals.items()))


def _table(rows: list[OutboxRow]) -> None:
    header = f"{'id':>6}  {'status':<8} {'kind':<16} {'intent':<28} {'tries':>5}  error"
    click.echo(header)
    click.echo("-" * len(header))
    for r in rows:
        error = " ".join((r.last_error or "").split())
        if len(error) > ERROR_WIDTH:
            error = error[: ERROR_WIDTH - 1] + "…"
        click.echo(f"{r.id:>6}  {r.status:<8} {r.kind:<16} {r.key[:28]:<28} {r.attempts:>5}  {error}")


def _stats(numbers: dict[str, Any]) -> None:
    per_status = numbers["per_status"]
    for status in STATUSES:
        click.echo(f"{status + ':':<12}{per_status.get(status, 0)}")
    click.echo(f"{'due now:':<12}{numbers['due']}")
    oldest = numbers["oldest_pending"]
    if oldest is not None:
        click.echo(f"oldest pending decided {oldest:%Y-%m-%d %H:%M:%S} UTC")
