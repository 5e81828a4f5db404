"""`codev report`: the project's four expected results against their targets, for a period
(docs/impact.md)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import click

from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.services.campaigns import summaries
from sync_service.services.report import ReportRequest, collector_paused, impact
from sync_service.services.report_views import Words, as_csv, as_html, as_json, as_markdown

FORMATS = ("json", "csv", "md", "html")


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", ctx, param) from None


@click.command("report")
@click.option("--from", "first_day", callback=_day, default=None, metavar="DATE",
              help="First day of the period, YYYY-MM-DD (UTC; default: the beginning).")
@click.option("--to", "last_day", callback=_day, default=None, metavar="DATE",
              help="Last day of the period, included (default: today, everything so far).")
@click.option("--format", "form", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--anonymous", is_flag=True, help="No names: every members list is empty.")
@click.option("--locale", type=click.Choice(("fr", "ar", "en")), default=None,
              help="Language of csv, md and html (default: the setting default_locale).")
@pass_context
def report(ctx: Context, first_day: date | None, last_day: date | None, form: str, anonymous: bool,
           locale: str | None) -> None:
    """The four expected results against their targets, needs and introductions, for a period."""
    if first_day is not None and last_day is not None and first_day > last_day:
        raise click.UsageError(f"--from {first_day} comes after --to {last_day}")
    request = ReportRequest(first_day, last_day)
    with collector_paused():  # a short command making many small objects (services/report.py)
        click.echo(_report(ctx, request, form, anonymous, locale), nl=False)


def _report(ctx: Context, request: ReportRequest, form: str, anonymous: bool, locale: str | None) -> str:
    """The report of the period, in its format."""
    codev = ctx.codev(embed=False)
    try:
        targets = dataclasses.asdict(codev.settings.impact.targets)
        pepper = codev.settings.tombstone_key.encode()
        result = impact(codev.uow, request, targets, pepper)
        campaigns = summaries(codev.uow, pepper, request.period())
    finally:
        codev.close()
    if form == "json":
        data = as_json(result, request, anonymous=anonymous, campaigns=campaigns)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    words = Words(codev.config.translator, locale or codev.settings.default_locale)
    render = {"csv": as_csv, "md": as_markdown, "html": as_html}[form]
    return render(result, request, words, anonymous=anonymous, campaigns=campaigns)
