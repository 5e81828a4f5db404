"""The welcome step of `codev provision`: the guides of config/welcome/ queued as pinned topics."""

from __future__ import annotations

from sync_service.adapters.db.engine import DatabaseUnusable
from sync_service.bootstrap import Codev
from sync_service.domain.welcome import WelcomeError, WelcomeText, welcome_texts
from sync_service.entrypoints.cli.errors import EXIT_CONFIG, fail
from sync_service.services.welcome import queue_welcome

GUIDES = ("guide-commune", "guide-expert")


def read_guides(codev: Codev) -> list[WelcomeText]:
    """Every language section of the guides, in order (one line naming the file when one is malformed)."""
    texts: list[WelcomeText] = []
    for guide in GUIDES:
        path = codev.config.path(f"welcome/{guide}.md")
        try:
            texts += welcome_texts(guide.removeprefix("guide-"), path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError, WelcomeError) as exc:
            raise fail(f"welcome topics: {exc}", EXIT_CONFIG) from exc
    return texts


def welcome(codev: Codev) -> str:
    """Queue the welcome topics' creations and edits (sent by the worker, paced); what was done, in a line."""
    texts = read_guides(codev)
    categories = {slug: codev.gateway.category_id(slug) for slug in {t.category for t in texts}}
    try:
        with codev.uow() as uow:
            result = queue_welcome(uow, texts, categories, codev.clocks.now())
            uow.commit()
    except DatabaseUnusable as exc:
        return f"welcome topics: not queued ({exc})"
    missing = f"; no category for {', '.join(result.no_category)}" if result.no_category else ""
    return (f"welcome topics: {len(result.created)} to post and pin, {len(result.edited)} to edit, "
            f"{len(result.unchanged)} unchanged{missing} (sent by codev worker or codev outbox --send)")
