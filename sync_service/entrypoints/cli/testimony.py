"""`codev testimony`: the community manager lists the follow-ups, reads the draft of a "retour
d'expérience" and publishes it in the practices category (docs/guide-animateur.md)."""

from __future__ import annotations

from pathlib import Path

import click

from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.services import testimony as service
from sync_service.services.testimony import ExperienceLine, NotPublishable

LOCALES = ("fr", "ar", "en")


@click.group("testimony")
def testimony() -> None:
    """Follow-ups of needs served or funded: list, draft, publish a "retour d'expérience"."""


@testimony.command("list")
@click.option("--locale", type=click.Choice(LOCALES), default=None,
              help="Language of the listing (default: the setting default_locale).")
@pass_context
def list_command(ctx: Context, locale: str | None) -> None:
    """Every need whose people were asked: who answered, who agreed, whether it can be published."""
    codev = ctx.codev(embed=False)
    t, loc = ctx.config.translator, locale or ctx.config.settings.default_locale
    try:
        with codev.uow() as uow:
            lines = service.overview(uow)
    finally:
        codev.close()
    if not lines:
        click.echo(t.translate("testimony.none", loc))
        return
    heads = [t.translate(f"testimony.columns.{c}", loc)
             for c in ("need", "title", "asked", "people", "state")]
    click.echo(" | ".join(heads))
    for line in lines:
        click.echo(" | ".join((str(line.need_topic_id), line.title[:60],
                               t.format_date(line.experience.asked_at.date(), loc), _people(ctx, line, loc),
                               t.translate(f"testimony.state.{line.state}", loc))))


def _people(ctx: Context, line: ExperienceLine, loc: str) -> str:
    t = ctx.config.translator
    consent = {True: "yes", False: "no", None: "none"}
    return "; ".join(t.translate(
        "testimony.person", loc, user=p.username, role=t.translate(f"testimony.role.{p.role}", loc),
        answered=t.translate("testimony.answered" if p.answered else "testimony.not_answered", loc),
        consent=t.translate(f"testimony.consent.{consent[p.consent]}", loc)) for p in line.people) or "—"


@testimony.command("draft")
@click.argument("need", type=int)
@pass_context
def draft_command(ctx: Context, need: int) -> None:
    """Print the topic codev drafts from the answers (Markdown: the title, then the text)."""
    codev = ctx.codev(embed=False)
    try:
        with codev.uow() as uow:
            made = service.draft(uow, ctx.config.translator, need)
    except NotPublishable as exc:
        raise _refused(ctx, exc) from None
    finally:
        codev.close()
    click.echo(f"# {made.title}\n\n{made.raw}")


@testimony.command("publish")
@click.argument("need", type=int)
@click.option("--file", "edited", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Publish this Markdown file (the draft as you edited it) instead of the draft.")
@pass_context
def publish_command(ctx: Context, need: int, edited: str | None) -> None:
    """Publish the experience in the practices category, once, when everyone asked agreed."""
    t, loc = ctx.config.translator, ctx.config.settings.default_locale
    raw = None
    if edited is not None:
        raw = _without_title(Path(edited).read_text(encoding="utf-8"))
        if not raw.strip():
            raise fail(t.translate("testimony.empty_file", loc, file=edited), EXIT_CONFIG)
    codev = ctx.codev(embed=False)
    slug = codev.settings.forum.practices_category
    try:
        category = codev.gateway.category_id(slug)
        if category is None:
            raise fail(t.translate("testimony.no_category", loc, slug=slug))
        service.publish(codev.uow, t, need, category, codev.clocks.now(), raw)
    except NotPublishable as exc:
        raise _refused(ctx, exc) from None
    finally:
        codev.close()
    click.echo(t.translate("testimony.published", loc, need=need, slug=slug))


def _without_title(text: str) -> str:
    """An edited draft as `draft` printed it: its first line "# title" is the title, not the text."""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _refused(ctx: Context, exc: NotPublishable) -> click.ClickException:
    loc = ctx.config.settings.default_locale
    return fail(ctx.config.translator.translate(f"testimony.{exc.reason}", loc, need=exc.need_topic_id))
