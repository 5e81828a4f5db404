"""`codev sync [--full]`: reconciliation by hand, with counts (and a progress bar on a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import click

from sync_service.config import Settings
from sync_service.entrypoints.worker import rate_option


@click.command("sync")
@click.option("--full", is_flag=True, help="Refetch every person one by one, not from the listing.")
@rate_option
@click.pass_obj
def sync(obj: Any, full: bool, requests_per_minute: int | None) -> None:
    """Pull users and need topics from the forum, repair the database, purge what the forum lost."""
    from sync_service.entrypoints.worker import utcnow, wire
    from sync_service.services.reconcile import reconcile

    settings: Settings = obj.settings
    wiring = wire(settings, requests_per_minute)
    try:
        if sys.stdout.isatty():
            with click.progressbar(_unknown_length(), label="reconciling", show_pos=True) as bar:
                counts = reconcile(wiring.uow_factory, wiring.forum, wiring.rules, full, utcnow(),
                                   progress=lambda _kind, _outcome: bar.update(1), clock=utcnow)
        else:
            counts = reconcile(wiring.uow_factory, wiring.forum, wiring.rules, full, utcnow(),
                               clock=utcnow)
    finally:
        wiring.engine.dispose()
    for name in ("created", "updated", "purged", "unchanged", "ignored", "failed"):
        click.echo(f"{name + ':':<11}{getattr(counts, name)}")
    if not counts.complete:
        raise click.ClickException("the forum stopped answering: sweep incomplete, nothing purged; "
                                   "run `codev sync` again later")
    if counts.failed:
        raise click.ClickException(f"{counts.failed} entities failed; see the log, then run again")


def _unknown_length() -> Iterator[int]:
    """An iterable whose length click cannot know: the bar shows a count, not a percentage."""
    yield from ()
