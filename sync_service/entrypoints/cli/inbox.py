"""`codev inbox`: what the worker has yet to do, what failed, and putting a parked row back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from sync_service.adapters.db import inbox_queue
from sync_service.adapters.db.unit_of_work import SqlUnitOfWork
from sync_service.bootstrap import utcnow
from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.services.ports.storage import InboxRow

ERROR_WIDTH = 70


@click.command("inbox")
@click.option("--failed", is_flag=True, help="Rows parked after too many attempts, and rows retrying.")
@click.option("--retry", "retry_id", type=int, default=None, metavar="ID",
              help="Put a parked row back in the queue, its attempts reset.")
@click.option("--stats", is_flag=True, help="Rows per status (the default with no option).")
@pass_context
def inbox(ctx: Context, failed: bool, retry_id: int | None, stats: bool) -> None:
    """Show the webhook inbox, or re-queue one parked delivery."""
    codev = ctx.codev()
    try:
        with SqlUnitOfWork(codev.engine) as uow:
            if retry_id is not None:
                _retry(uow, retry_id, utcnow())
            if failed:
                rows = inbox_queue.list_rows(uow.session, ("parked",), with_error=True)
                if rows:
                    _table(rows)
                else:
                    click.echo("no failed deliveries")
            if stats or (not failed and retry_id is None):
                _stats(inbox_queue.stats(uow.session, utcnow()))
            uow.rollback()
    finally:
        codev.close()


def _retry(uow: SqlUnitOfWork, delivery_id: int, now: datetime) -> None:
    before = inbox_queue.requeue(uow.session, delivery_id, now)
    if before is None:
        raise click.ClickException(f"no delivery {delivery_id}")
    if before not in ("parked", "pending"):
        raise click.ClickException(f"delivery {delivery_id} is {before}: only parked or waiting "
                                   "deliveries can be queued again")
    uow.commit()
    click.echo(f"delivery {delivery_id} queued again (was {before})")


def _table(rows: list[InboxRow]) -> None:
    header = f"{'id':>6}  {'status':<8} {'event':<18} {'entity':<22} {'tries':>5}  error"
    click.echo(header)
    click.echo("-" * len(header))
    for r in rows:
        entity = r.entity_kind if r.entity_key is None else f"{r.entity_kind} {r.entity_key}"
        error = " ".join((r.last_error or "").split())
        if len(error) > ERROR_WIDTH:
            error = error[: ERROR_WIDTH - 1] + "…"
        click.echo(f"{r.id:>6}  {r.status:<8} {r.event[:18]:<18} {entity[:22]:<22} {r.attempts:>5}  {error}")


def _stats(numbers: dict[str, Any]) -> None:
    per_status = numbers["per_status"]
    for status in ("pending", "running", "done", "ignored", "parked"):
        click.echo(f"{status + ':':<10}{per_status.get(status, 0)}")
    click.echo(f"{'due now:':<10}{numbers['due']}")
    oldest = numbers["oldest_pending"]
    if oldest is not None:
        click.echo(f"oldest pending received {oldest:%Y-%m-%d %H:%M:%S} UTC")
