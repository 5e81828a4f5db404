"""The `codev` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from sync_service.config import ConfigError, Settings, load_settings


class _Context:
    """Loads the settings the first time a command needs them."""

    def __init__(self, config_file: str | None) -> None:
        self.config_file = config_file
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(os.environ, self.config_file)
        return self._settings


@click.group()
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="YAML file of behaviour settings (default: $CODEV_CONFIG, else config/codev.yaml).")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """codev: match commune needs with migrant experts on a Discourse forum."""
    ctx.obj = _Context(config_file)


@cli.group()
def db() -> None:
    """The service's own database."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: _Context) -> None:
    """Create or migrate the database to the newest schema."""
    from sync_service.adapters.db.migrate import upgrade

    upgrade(obj.settings.database_url)
    click.echo(f"database at newest schema: {_redact(obj.settings.database_url)}")


@db.command("check")
@click.pass_obj
def db_check(obj: _Context) -> None:
    """Fail if the models and the migrations disagree."""
    from sync_service.adapters.db.migrate import check

    check(obj.settings.database_url)
    click.echo("models and migrations agree")


@cli.command("config")
@click.pass_obj
def show_config(obj: _Context) -> None:
    """Check the configuration and print it, secrets hidden."""
    s = obj.settings
    click.echo(f"config file:      {s.config_file or '(none: embedded defaults)'}")
    click.echo(f"database:         {_redact(s.database_url)}")
    click.echo(f"discourse:        {s.discourse.url} as {s.discourse.api_username}"
               f" (API key {'set' if s.discourse.api_key else 'NOT set'})")
    click.echo(f"webhook secrets:  {len(s.webhook_secrets)}")
    click.echo(f"needs category:   {s.forum.needs_category} (tag {s.forum.needs_tag})")
    click.echo(f"experts group:    {s.forum.experts_group}")


@cli.command("sandbox", context_settings={"ignore_unknown_options": True,
                                          "allow_extra_args": True})
@click.pass_context
def sandbox(ctx: click.Context) -> None:
    """Run the Discourse sandbox (same options as python -m discourse_sandbox)."""
    from discourse_sandbox.__main__ import main as sandbox_main

    sys.exit(sandbox_main(list(ctx.args)))


def _register_commands() -> None:
    from sync_service.entrypoints.demo import demo

    cli.add_command(demo)
    from sync_service.entrypoints.serve import serve

    cli.add_command(serve)
    from sync_service.entrypoints.inbox_cli import inbox
    from sync_service.entrypoints.sync_cli import sync
    from sync_service.entrypoints.worker import worker

    cli.add_command(worker)
    cli.add_command(inbox)
    cli.add_command(sync)
    from sync_service.entrypoints.cli_match import evaluate, match

    cli.add_command(match)
    cli.add_command(evaluate)
    from sync_service.entrypoints.provision_cli import provision

    cli.add_command(provision)
    from sync_service.entrypoints.outbox_cli import outbox

    cli.add_command(outbox)


_register_commands()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: a configuration error is one line on stderr and exit code 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="codev",
                 standalone_mode=False)
    except ConfigError as exc:
        click.echo(f"codev: configuration error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
