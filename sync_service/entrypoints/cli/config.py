"""`codev config`: check every configuration file and print every effective setting, with where it came
from (default, file, environment) and secrets hidden."""

from __future__ import annotations

import dataclasses

import click

from sync_service.config.files import FORUM_FILE, LOCALES_DIR, MATCHING_FILE, TAXONOMY_FILE
from sync_service.config.load import effective
from sync_service.entrypoints.cli.context import Context, pass_context


@click.command("config")
@pass_context
def show_config(ctx: Context) -> None:
    """Check the configuration and print every effective setting, secrets hidden."""
    config = ctx.config
    files = config.files
    click.echo(f"config directory:  {files.directory or '(none: packaged defaults only)'}")
    click.echo(f"settings file:     {files.settings_file or '(none: defaults and environment)'}")
    for name in (FORUM_FILE, TAXONOMY_FILE, MATCHING_FILE, LOCALES_DIR, config.settings.forum.communes_file):
        path = files.find(name)
        click.echo(f"  {name:<16} {path} ({files.origin(path)})")
    click.echo("")
    rows = effective(config)
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        click.echo(f"{key:<{width}}  {value}  [{source}]")
    matching = config.path(MATCHING_FILE)
    for section in dataclasses.fields(config.matching):
        value = getattr(config.matching, section.name)
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                key = f"matching.{section.name}.{f.name}"
                click.echo(f"{key:<{width}}  {getattr(value, f.name)}  [{matching}]")
        else:
            click.echo(f"{'matching.' + section.name:<{width}}  {value}  [{matching}]")
    click.echo(f"\nconfiguration checked: {len(config.communes)} communes, {len(config.taxonomy.skills)} "
               f"skills, the forum structure of {files.find(FORUM_FILE).name}")
