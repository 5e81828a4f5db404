"""What a person reads when a command cannot do its work: one line, one prefix (`codev: `), and an
exit code (2: configuration or usage; 1: the database, the forum or the work itself)."""

from __future__ import annotations

import sys
from typing import IO, Any

import click

from sync_service.adapters.db.engine import DatabaseUnusable
from sync_service.config.errors import ConfigError
from sync_service.services.ports.forum import ForumUnavailable

PREFIX = "codev: "
EXIT_FAILED = 1
EXIT_CONFIG = 2


def message_of(exc: BaseException) -> tuple[str, int]:
    """The line to print (without the prefix) and the exit code, for the errors a person can act on."""
    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}", EXIT_CONFIG
    if isinstance(exc, DatabaseUnusable):
        return str(exc), EXIT_FAILED
    if isinstance(exc, ForumUnavailable):
        return str(exc), EXIT_FAILED
    if isinstance(exc, click.UsageError):
        return exc.format_message(), EXIT_CONFIG
    if isinstance(exc, click.ClickException):
        return exc.format_message(), exc.exit_code
    raise exc


class Failed(click.ClickException):
    """The command could not do its work (exit 1)."""

    exit_code = EXIT_FAILED

    def show(self, file: IO[Any] | None = None) -> None:
        """`codev: <message>` on stderr."""
        click.echo(f"{PREFIX}{self.format_message()}", file=file or sys.stderr)


class Misconfigured(Failed):
    """The command was given something it cannot use (exit 2)."""

    exit_code = EXIT_CONFIG


def fail(message: str, code: int = EXIT_FAILED) -> click.ClickException:
    """The exception to raise from a command: its message, and the exit code."""
    return Misconfigured(message) if code == EXIT_CONFIG else Failed(message)
