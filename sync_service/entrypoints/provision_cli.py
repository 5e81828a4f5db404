"""`codev provision [--dry-run]`: create or complete the forum structure of config/forum.yaml."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import click

from sync_service.config import ConfigError, Settings
from sync_service.entrypoints.worker import rate_option
from sync_service.services.ports import ForumUnavailable

EXIT_REFUSED = 1
EXIT_CONFIG = 2


@click.command("provision")
@click.option("--dry-run", is_flag=True, help="Print the differences; write nothing.")
@click.option("--forum-file", type=click.Path(dir_okay=False), default="config/forum.yaml",
              show_default=True, help="The forum structure to provision.")
@click.option("--taxonomy-file", type=click.Path(dir_okay=False), default="config/taxonomy.yaml",
              show_default=True, help="Skill labels and taxonomy ids used by the forum file.")
@click.option("--webhook-url", default=None,
              help="Where Discourse sends events (default: webhook.payload_url of the forum file).")
@rate_option
@click.pass_obj
def provision(obj: Any, dry_run: bool, forum_file: str, taxonomy_file: str, webhook_url: str | None,
              requests_per_minute: int | None) -> None:
    """Create or complete categories, tags, user fields, groups, the need form and the webhook."""
    from sync_service.adapters.discourse.admin import DiscourseAdmin
    from sync_service.adapters.discourse.client import HttpPolicy, Transport
    from sync_service.forum_config import load_forum_structure
    from sync_service.services.provision import provision as run

    try:
        settings: Settings = obj.settings
        desired = load_forum_structure(settings, forum_file, taxonomy_path=taxonomy_file,
                                       webhook_url=webhook_url)
    except ConfigError as exc:
        click.echo(f"codev: configuration error: {exc}", err=True)
        raise SystemExit(EXIT_CONFIG) from exc
    if not settings.discourse.api_key:
        click.echo("codev: configuration error: environment: CODEV_DISCOURSE_API_KEY: found nothing, "
                   "expected a global admin API key", err=True)
        raise SystemExit(EXIT_CONFIG)
    policy = HttpPolicy(requests_per_minute=settings.forum_api.requests_per_minute,
                        read_timeout=settings.forum_api.timeout_seconds)
    if requests_per_minute is not None:
        policy = replace(policy, requests_per_minute=requests_per_minute)
    forum = settings.discourse
    admin = DiscourseAdmin(Transport(forum.url, forum.api_key, forum.api_username, policy))
    try:
        result = run(admin, desired, dry_run=dry_run)
    except ForumUnavailable as exc:
        click.echo(f"codev: the forum did not answer ({exc}); nothing is lost: run `codev provision` "
                   "again (it reads before it writes)", err=True)
        raise SystemExit(EXIT_REFUSED) from exc
    if result.nothing_to_change and result.refused is None:
        click.echo(f"{forum.url}: nothing to change")
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
        click.echo(f"codev: Discourse refused: {refused.what}: {refused.reason}", err=True)
        click.echo(f"  to fix: {refused.fix}", err=True)
        raise SystemExit(EXIT_REFUSED)
