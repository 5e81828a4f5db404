"""The `codev` command line: one small module per command group, assembled here."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from sync_service.entrypoints.cli.call import call
from sync_service.entrypoints.cli.campaign import campaign
from sync_service.entrypoints.cli.config import show_config
from sync_service.entrypoints.cli.context import Context
from sync_service.entrypoints.cli.db import db
from sync_service.entrypoints.cli.doctor import doctor_command
from sync_service.entrypoints.cli.errors import PREFIX, fail, message_of
from sync_service.entrypoints.cli.export import export
from sync_service.entrypoints.cli.import_plan import import_plan
from sync_service.entrypoints.cli.inbox import inbox
from sync_service.entrypoints.cli.match import evaluate, match
from sync_service.entrypoints.cli.outbox import outbox
from sync_service.entrypoints.cli.provision import provision
from sync_service.entrypoints.cli.report import report
from sync_service.entrypoints.cli.serve import serve
from sync_service.entrypoints.cli.sync import sync
from sync_service.entrypoints.cli.testimony import testimony
from sync_service.entrypoints.cli.worker import worker

# Commands that need the Discourse sandbox, loaded when asked for: an installation without it (the
# production image) runs every other command, and says so for these.
SANDBOX_COMMANDS = {"demo": "sync_service.entrypoints.cli.demo",
                    "sandbox": "sync_service.entrypoints.cli.sandbox"}


class CodevGroup(click.Group):
    """The `codev` group: every error a person can act on is one line, `codev: ...`, and a non-zero exit
    (also under click's test runner, which calls `main` too)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, the sandbox's included."""
        return sorted({*super().list_commands(ctx), *SANDBOX_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command; the sandbox's are imported now (or stand in with an explanation)."""
        if cmd_name not in SANDBOX_COMMANDS:
            return super().get_command(ctx, cmd_name)
        try:
            command = getattr(importlib.import_module(SANDBOX_COMMANDS[cmd_name]), cmd_name)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("discourse_sandbox"):
                raise
            return _without_sandbox(cmd_name)
        return command  # type: ignore[no-any-return]

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.exceptions.Abort:
            click.echo(f"{PREFIX}aborted", err=True)
            code = 1
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
            line, code = message_of(exc)
            click.echo(f"{PREFIX}{line}", err=True)
        except Exception as exc:  # only the errors message_of knows; any other one re-raises with its trace
            line, code = message_of(exc)
            click.echo(f"{PREFIX}{line}", err=True)
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=CodevGroup)
@click.option("--config-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of configuration files (default: $CODEV_CONFIG_DIR, else the packaged defaults); "
                   "a file it lacks is taken from the defaults.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Behaviour settings file (default: $CODEV_CONFIG, else codev.yaml of the config folder).")
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None, config_file: str | None) -> None:
    """codev: match commune needs with migrant experts on a Discourse forum."""
    ctx.obj = Context(config_dir, config_file)


for command in (db, show_config, serve, worker, inbox, outbox, sync, provision, doctor_command, export,
                match, evaluate, import_plan, report, testimony, call, campaign):
    cli.add_command(command)


def _without_sandbox(name: str) -> click.Command:
    def unavailable() -> None:
        raise fail(f"`codev {name}` needs the Discourse sandbox, which this installation does not have (the "
                   "production image leaves it out): run it from a checkout (`make demo`)")
    return click.Command(name, callback=unavailable, help="(needs the Discourse sandbox: not installed here)",
                         context_settings={"ignore_unknown_options": True, "allow_extra_args": True})


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `codev` command."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="codev")
