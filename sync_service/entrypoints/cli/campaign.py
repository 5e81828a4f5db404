"""`codev campaign`: launch a recruitment campaign (an invite link into the experts group and its call
text), and list the campaigns with who joined through each and who then accepted an introduction."""

from __future__ import annotations

import json

import click

from sync_service.domain.calls import PLAIN
from sync_service.entrypoints.cli.context import Context, pass_context
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.services import calls, campaigns


@click.group("campaign")
def campaign() -> None:
    """Recruitment campaigns: an invite link into the experts group, and who joined through it."""


@campaign.command("create")
@click.argument("name")
@click.option("--days", type=int, default=30, show_default=True, help="Days until the invite link expires.")
@click.option("--max-uses", type=int, default=200, show_default=True,
              help="How many people may join through the link (Discourse's max_redemptions_allowed).")
@click.option("--as", "actor", default=None, metavar="USERNAME",
              help="The community manager who launches it.")
@pass_context
def create(ctx: Context, name: str, days: int, max_uses: int, actor: str | None) -> None:
    """Launch a campaign: its invite is created through the outbox (the worker or `codev outbox --send`);
    `codev campaign call NAME` then prints the call text with its link, to share."""
    codev = ctx.codev(embed=False)
    try:
        launched = campaigns.launch(codev.uow, codev.campaign_rules(), name, codev.clocks.now(),
                                    days=days, max_uses=max_uses, actor=actor)
    except ValueError as exc:
        raise fail(str(exc), EXIT_CONFIG) from None
    finally:
        codev.close()
    state = "launched" if launched["created"] else "already launched (same name): nothing new"
    click.echo(f"campaign {launched['key']}: {state}; invite expires {launched['expires_at']}, "
               f"up to {launched['max_uses']} people into {launched['group']}; "
               f"`codev campaign call {json.dumps(launched['name'], ensure_ascii=False)}` prints its call")


@campaign.command("call")
@click.argument("name")
@click.option("--locale", type=click.Choice(("fr", "ar", "en")), default=None,
              help="Language of the call (default: the setting default_locale).")
@pass_context
def call_text(ctx: Context, name: str, locale: str | None) -> None:
    """The campaign's call as plain text, with its invite link, for social networks and newsletters."""
    codev = ctx.codev(embed=False)
    try:
        campaigns.refresh(codev.uow, codev.invites, codev.campaign_rules(), codev.clocks.now())
        found = campaigns.find(codev.uow, name)
        if found is None:
            raise fail(f"no campaign named {name!r}: `codev campaign list` shows them", EXIT_CONFIG)
        if not found["link"]:
            raise fail(f"campaign {found['key']}: its invite is not on the forum yet (run the worker or "
                       "`codev outbox --send`, then try again)")
        language = locale or codev.settings.default_locale
        names = calls.arabic_names(codev.config.communes) if language == "ar" else None
        text = calls.prepare(codev.uow, codev.config.translator, language, form=PLAIN, link=found["link"],
                             place_names=names)
    finally:
        codev.close()
    click.echo(text["text"], nl=False)


@campaign.command("list")
@click.option("--offline", is_flag=True, help="Do not ask the forum for new redemptions first.")
@click.option("--format", "form", type=click.Choice(("table", "json")), default="table", show_default=True)
@pass_context
def list_campaigns(ctx: Context, offline: bool, form: str) -> None:
    """Every campaign: its link, who joined through it, and who of them then accepted an introduction
    (names of those who are matchable experts; the others are counted only)."""
    codev = ctx.codev(embed=False)
    try:
        rules = codev.campaign_rules()
        if not offline:
            campaigns.refresh(codev.uow, codev.invites, rules, codev.clocks.now())
        rows = campaigns.summaries(codev.uow, rules.pepper, names=True)
    finally:
        codev.close()
    if form == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no campaign yet: `codev campaign create NAME`")
        return
    for row in rows:
        link = row["link"] or ("invite not created yet" if row["invite_id"] is None else "link not read yet")
        click.echo(f"{row['name']}  ({row['key']})")
        click.echo(f"  link: {link}; expires {row['expires_at'][:10]}; up to {row['max_uses']} people")
        click.echo(f"  joined: {row['joined']} {', '.join(row['joined_usernames'])}".rstrip())
        accepted = ", ".join(row["accepted_usernames"])
        click.echo(f"  accepted an introduction: {row['accepted']} {accepted}".rstrip())
