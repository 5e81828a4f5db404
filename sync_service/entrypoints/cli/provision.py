"""`codev provision [--dry-run]`: create or complete the forum structure of config/forum.yaml."""

from __future__ import annotations

import click

from sync_service.entrypoints.cli.context import Context, pass_context, rate_option
from sync_service.entrypoints.cli.errors import fail
from sync_service.entrypoints.cli.progress import progress
from sync_service.entrypoints.cli.welcome import welcome
from sync_service.services.ports.forum import AccessDenied, ForumUnavailable
from sync_service.services.provision import provision as run


@click.command("provision")
@click.option("--dry-run", is_flag=True, help="Print the differences; write nothing.")
@click.option("--webhook-url", default=None,
              help="Where Discourse sends events (default: $CODEV_WEBHOOK_URL, else webhook.payload_url of "
                   "forum.yaml).")
@rate_option
@pass_context
def provision(ctx: Context, dry_run: bool, webhook_url: str | None, requests_per_minute: int | None) -> None:
    """Create or complete categories, tags, user fields, groups, the need form and the webhook; queue the
    pinned welcome topics (config/welcome/)."""
    config = ctx.config
    desired = config.forum_structure(webhook_url or config.settings.webhook_url or None)
    forum = config.settings.discourse
    if not forum.api_key:
        raise fail("configuration error: environment: CODEV_DISCOURSE_API_KEY: found nothing, expected a "
                   "global admin API key", 2)
    codev = ctx.codev(requests_per_minute=requests_per_minute)
    try:
        with progress("provisioning", unit="change") as bar:
            result = run(codev.admin, desired, dry_run=dry_run, progress=lambda: bar.update(1),
                         planned=lambda count: bar.reset(total=count))
    except AccessDenied:
        raise
    except ForumUnavailable as exc:
        raise fail(f"the forum did not answer ({exc}); nothing is lost: run `codev provision` again "
                   "(it reads before it writes)") from exc
    if result.nothing_to_change and result.refused is None:
        click.echo(f"{forum.url}: nothing to change")
        if not dry_run:
            click.echo(welcome(codev))
        return
    if dry_run:
        click.echo(f"{forum.url}: {len(result.planned)} change(s) to make (dry run: nothing written)")
        for action in result.planned:
            click.echo(f"  {action.describe()}")
    else:
        for action in result.applied:
            click.echo(f"  {action.describe()}")
        click.echo(f"{forum.url}: {len(result.applied)} of {len(result.planned)} change(s) made")
    if result.refused is not None:
        refused = result.refused
        raise fail(f"Discourse refused: {refused.what}: {refused.reason}\n  to fix: {refused.fix}")
    if not dry_run:
        click.echo(welcome(codev))
