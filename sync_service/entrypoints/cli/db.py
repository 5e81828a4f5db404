"""`codev db upgrade` and `codev db check`: the service's own database."""

from __future__ import annotations

import click

from sync_service.adapters.db.engine import shown
from sync_service.adapters.db.migrate import check, upgrade
from sync_service.entrypoints.cli.context import Context, pass_context


@click.group("db")
def db() -> None:
    """The service's own database."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the database to the newest schema (a SQLite file and its folder are created)."""
    url = ctx.config.settings.database_url
    upgrade(url)
    click.echo(f"database at newest schema: {shown(url)}")


@db.command("check")
@pass_context
def db_check(ctx: Context) -> None:
    """Fail if the models and the migrations disagree."""
    check(ctx.config.settings.database_url)
    click.echo("models and migrations agree")
