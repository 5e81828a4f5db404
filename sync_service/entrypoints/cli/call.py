"""`codev call`: prepare a call for experts from the skill gaps, and publish the edited text."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync_service.domain.calls import FORUM, PLAIN, read_document
from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.services import calls


@click.group("call")
def call() -> None:
    """The call for experts: a draft from the skill gaps, then the edited text published."""


@call.command("draft")
@click.option("--locale", type=click.Choice(("fr", "ar", "en")), default=None,
              help="Language of the draft (default: the setting default_locale).")
@click.option("--plain", is_flag=True, help="Plain text for social networks and newsletters (no Markdown).")
@click.option("--json", "as_json", is_flag=True, help="The draft and the gaps behind it as JSON.")
@pass_context
def draft(ctx: Context, locale: str | None, plain: bool, as_json: bool) -> None:
    """Print a draft call listing the missing skills and the communes that need them."""
    codev = ctx.codev(embed=False)
    try:
        language = locale or codev.settings.default_locale
        names = calls.arabic_names(codev.config.communes) if language == "ar" else None
        prepared = calls.prepare(codev.uow, codev.config.translator, language,
                                 form=PLAIN if plain else FORUM, place_names=names)
    finally:
        codev.close()
    if as_json:
        click.echo(json.dumps(prepared, ensure_ascii=False, indent=2))
    else:
        click.echo(prepared["text"], nl=False)


@call.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--category", default=None, metavar="SLUG",
              help="Category of the topic (default: the setting forum.calls_category).")
@click.option("--as", "actor", required=True, metavar="USERNAME",
              help="The community manager who publishes it (kept in the log).")
@pass_context
def publish(ctx: Context, file: Path, category: str | None, actor: str) -> None:
    """Post the edited call (FILE: "# Title", a blank line, the text) as a topic, through the outbox."""
    try:
        text = file.read_text(encoding="utf-8")
        read_document(text)  # a malformed file is named before anything reaches the forum
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: cannot be read as UTF-8 text ({exc})", EXIT_CONFIG) from None
    except ValueError as exc:
        raise fail(f"{file}: {exc}", EXIT_CONFIG) from None
    codev = ctx.codev(embed=False)
    try:
        slug = category or codev.settings.forum.calls_category
        category_id = codev.gateway.category_id(slug)
        if category_id is None:
            raise fail(f"--category {slug}: the forum has no such category", EXIT_CONFIG)
        try:
            result = calls.publish(codev.uow, text, category_id, actor, codev.clocks.now())
        except ValueError as exc:
            raise fail(f"{file}: {exc}", EXIT_CONFIG) from None
    finally:
        codev.close()
    state = "queued for the forum" if result["created"] else "already queued (same text): nothing new"
    click.echo(f"call {result['key']}: {state}; `codev outbox --send` or the worker posts it")
