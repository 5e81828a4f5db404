"""`codev doctor`: is this codev ready to run beside this forum? One line a check: OK, PROBLEM (and what
to do) or SKIPPED (and why); exit 0 only when no check found a problem."""

from __future__ import annotations

import socket

import click
from sqlalchemy.exc import SQLAlchemyError

from sync_service.adapters.db.engine import DatabaseUnusable, check_connection, shown
from sync_service.adapters.db.vitals import read_vitals
from sync_service.bootstrap import Codev
from sync_service.config.load import Config
from sync_service.entrypoints.cli.context import Context, pass_context, rate_option
from sync_service.entrypoints.cli.errors import fail
from sync_service.services import doctor
from sync_service.services.ports.health import Vitals

STALE_PASSES = 3      # a worker is late after this many lifecycle.pass_seconds (at least STALE_FLOOR)
STALE_FLOOR = 300.0


@click.command("doctor")
@click.option("--only", default=None, metavar="CHECKS",
              help=f"Comma-separated checks to run, among: {', '.join(doctor.CHECKS)}.")
@click.option("--no-ping", is_flag=True, help="Do not ask the forum to ping the webhook.")
@click.option("--ping-timeout", default=30.0, show_default=True, type=click.FloatRange(0.5, 600),
              help="Seconds to wait for Discourse to record the ping's delivery.")
@click.option("--webhook-url", default=None,
              help="The webhook URL to look for (default: $CODEV_WEBHOOK_URL, else forum.yaml's).")
@click.option("--this-host", is_flag=True,
              help="Only this machine's (this container's) workers count as alive: a health check.")
@click.option("--strict", is_flag=True, help="A check that could not be made (SKIPPED) fails too.")
@rate_option
@pass_context
def doctor_command(ctx: Context, only: str | None, no_ping: bool, ping_timeout: float,
                   webhook_url: str | None, this_host: bool, strict: bool,
                   requests_per_minute: int | None) -> None:
    """Check the forum and codev before going live: one line a check, exit 0 when all pass."""
    config = ctx.config
    checks = _checks(only, no_ping)
    codev = ctx.codev(requests_per_minute=requests_per_minute, embed=False)
    try:
        expected = expectations(config, webhook_url, ping_timeout, this_host)
        forum = codev.inspector if any(c in doctor.FORUM_CHECKS for c in checks) else None
        findings = doctor.run(expected, forum, lambda: vitals(codev), codev.clocks.now(), checks)
    finally:
        codev.close()
    for finding in findings:
        click.echo(finding.line())
    counts = {s: sum(1 for f in findings if f.status == s) for s in ("OK", "PROBLEM", "SKIPPED")}
    click.echo(f"doctor: {counts['OK']} OK, {counts['PROBLEM']} PROBLEM, {counts['SKIPPED']} SKIPPED")
    failing = counts["PROBLEM"] + (counts["SKIPPED"] if strict else 0)
    if failing:
        names = [f.check for f in findings if f.status == "PROBLEM" or (strict and f.status == "SKIPPED")]
        raise fail(f"{failing} check(s) did not pass: {', '.join(names)}")


def _checks(only: str | None, no_ping: bool) -> tuple[str, ...]:
    chosen = tuple(c.strip() for c in only.split(",") if c.strip()) if only else doctor.CHECKS
    unknown = [c for c in chosen if c not in doctor.CHECKS]
    if unknown:
        raise click.UsageError(f"--only: unknown check {unknown[0]!r}; choose among "
                               f"{', '.join(doctor.CHECKS)}")
    return tuple(c for c in chosen if not (no_ping and c == "ping"))


def expectations(config: Config, webhook_url: str | None, ping_timeout: float,
                 this_host: bool) -> doctor.Expected:
    """What the forum and the database must show, from the configuration."""
    settings = config.settings
    structure = config.forum_structure(webhook_url or settings.webhook_url or None, require_secret=False)
    hook = structure.webhook
    return doctor.Expected(
        forum_url=settings.discourse.url, api_key=settings.discourse.api_key,
        api_username=settings.discourse.api_username, webhook_url=hook.payload_url if hook else "",
        webhook_secrets=settings.webhook_secrets, webhook_events=hook.events if hook else (),
        structure=structure, sso_secret=settings.dashboard.sso_secret, dashboard_url=settings.dashboard.url,
        ping_timeout=ping_timeout,
        worker_stale_seconds=max(STALE_FLOOR, STALE_PASSES * settings.lifecycle.pass_seconds),
        worker_prefix=f"{socket.gethostname()}:" if this_host else "")


def vitals(codev: Codev) -> Vitals | str:
    """The database's vitals, or why they cannot be read."""
    url = codev.settings.database_url
    try:
        check_connection(codev.lazy_engine, url)
        return read_vitals(codev.lazy_engine, codev.clocks.now())
    except DatabaseUnusable as exc:
        return str(exc)
    except SQLAlchemyError as exc:
        return f"cannot read the database {shown(url)} ({type(exc).__name__}); is its schema there? " \
               "run `codev db upgrade`"
