"""`codev sync [--full]`: reconciliation by hand, with counts (and progress on a terminal)."""

from __future__ import annotations

import click

from sync_service.entrypoints.cli.context import Context, configure_logging, pass_context, rate_option
from sync_service.entrypoints.cli.errors import fail
from sync_service.entrypoints.cli.progress import progress

OUTCOMES = ("created", "updated", "purged", "unchanged", "ignored", "failed")


@click.command("sync")
@click.option("--full", is_flag=True, help="Refetch every person one by one, not from the listing.")
@rate_option
@pass_context
def sync(ctx: Context, full: bool, requests_per_minute: int | None) -> None:
    """Pull users and need topics from the forum, repair the database, purge what the forum lost."""
    configure_logging(ctx.config.settings)
    codev = ctx.codev(requests_per_minute=requests_per_minute, embed=False)
    try:
        codev.engine  # noqa: B018 - the database answers and is at the newest schema, or stop here
        # Discourse's listings say no total: the bar counts people and needs as they come, with the rate
        with progress("reconciling", unit="entity") as bar:
            def seen(kind: str, _outcome: str) -> None:
                bar.set_description(f"reconciling {'people' if kind == 'person' else 'needs'}", refresh=False)
                bar.update(1)

            counts = codev.reconcile(full, progress=seen)
    finally:
        codev.close()
    for name in OUTCOMES:
        click.echo(f"{name + ':':<11}{getattr(counts, name)}")
    if not counts.complete:
        raise fail(f"sweep incomplete, nothing purged: {counts.stopped_because}")
    if counts.failed:
        raise fail(f"{counts.failed} entities failed; see the log, then run `codev sync` again")
