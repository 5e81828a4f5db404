"""`codev export`: everything codev holds of one person, as JSON, for their request (GDPR art. 15 and
20). Forgetting them is done from the forum: deleting or anonymising the account (docs/deploy.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from sqlalchemy.orm import Session

from sync_service.adapters.db.personal_data import export_person, find_user_id
from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.entrypoints.cli.errors import fail


@click.command("export")
@click.option("--user-id", type=click.IntRange(min=-1), default=None, help="The person's forum user id.")
@click.option("--username", default=None, help="The person's forum username (as codev last saw it).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the JSON to this file (readable by its owner only); default: standard output.")
@pass_context
def export(ctx: Context, user_id: int | None, username: str | None, output: str | None) -> None:
    """Export one person's data held by codev (profile, needs, introductions, digests) as JSON."""
    if (user_id is None) == (username is None):
        raise click.UsageError("give exactly one of --user-id and --username")
    codev = ctx.codev(embed=False)
    try:
        with Session(codev.engine) as session:
            if user_id is None:
                assert username is not None
                user_id = find_user_id(session, username)
                if user_id is None:
                    raise fail(f"codev holds nothing under the username {username!r} (a person it never "
                               "saw, or already forgotten: try --user-id)")
            document = export_person(session, user_id, codev.clocks.now(),
                                     codev.settings.tombstone_key.encode())
    finally:
        codev.close()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    path = Path(output)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    click.echo(f"exported what codev holds of forum user {user_id} to {path}", err=True)
