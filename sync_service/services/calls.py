"""The call for experts: prepare a draft from the skill gaps, publish the edited text through the
outbox on a person's explicit action. Plain data in and out, for the CLI and a web form alike."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sync_service.domain.calls import (
    FORUM,
    CallRefused,
    Gap,
    GapNeed,
    as_document,
    call_text,
    gaps_of,
    read_document,
)
from sync_service.domain.i18n import LOCALES, Translator
from sync_service.domain.impact import LOOKING, Period
from sync_service.domain.needs import Commune
from sync_service.services.outbox import enqueue, with_marker
from sync_service.services.ports.storage import Intent, UnitOfWork

log = logging.getLogger(__name__)
TITLE_MAX = 255  # Discourse's max_topic_title_length
# Discourse's max_post_length (config/site_settings.yml), which StrippedLengthValidator compares with the
# raw text as sent, before stripping anything: the outbox's marker counts.
POST_MAX = 32000


def gap_needs(uow: UnitOfWork, place_names: Mapping[str, str] | None = None) -> list[GapNeed]:
    """The report's skill gaps today: needs still open (nobody introduced, nobody accepted) without a
    strong candidate; commune names as `place_names` gives them in the call's language
    (config/communes.csv's Arabic)."""
    names = place_names or {}
    gaps = {gap.topic for gap in uow.history.tally(Period()).gaps}
    return [GapNeed(d.topic_id, d.skills, names.get(commune, commune) if commune else None)
            for d in uow.needs.open_needs() if d.status == LOOKING and d.topic_id in gaps
            for commune in (d.commune or d.commune_group,)]


def gaps_as_data(gaps: tuple[Gap, ...]) -> list[dict[str, Any]]:
    """[{"skill", "needs", "communes"}], most asked first."""
    return [{"skill": g.skill, "needs": g.needs, "communes": list(g.communes)} for g in gaps]


def prepare(make_uow: Callable[[], UnitOfWork], translator: Translator, locale: str, *,
            form: str = FORUM, link: str | None = None,
            place_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A draft call in one locale: {"locale", "title", "body", "text" (as a person edits it), "gaps"}."""
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {', '.join(LOCALES)}, got {locale!r}")
    with make_uow() as uow:
        gaps = gaps_of(gap_needs(uow, place_names))
    call = call_text(translator, gaps, locale, form=form, link=link)
    return {"locale": locale, "title": call.title, "body": call.body, "text": as_document(call),
            "gaps": gaps_as_data(gaps)}


def arabic_names(communes: Mapping[str, Commune]) -> dict[str, str]:
    """French commune name -> Arabic name, from config/communes.csv (for a call in Arabic)."""
    return {c.name: c.name_ar for c in communes.values() if c.name_ar}


def publish(make_uow: Callable[[], UnitOfWork], text: str, category_id: int, actor: str,
            now: datetime) -> dict[str, Any]:
    """Post the edited call as a topic in the category, through the outbox: {"key", "created", "title"}.

    The same text published twice is one topic (the intent key is the text's hash). CallRefused (a
    ValueError, one line) when the text is empty, has no "# Title" first line or no body, or is longer
    than Discourse takes."""
    title, body = read_document(text)
    if len(title) > TITLE_MAX:
        raise CallRefused("title_too_long", f"the title has {len(title)} characters; Discourse takes "
                          f"{TITLE_MAX} at most", length=len(title), limit=TITLE_MAX)
    if not actor.strip():
        raise ValueError("say who publishes the call (the community manager's username)")
    key = "call:" + hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:24]
    raw = len(with_marker(body, key))
    if raw > POST_MAX:
        raise CallRefused("too_long", f"the text has {raw} characters with codev's marker; Discourse takes "
                          f"{POST_MAX} at most", length=raw, limit=POST_MAX)
    payload = {"title": title, "raw": body, "category": int(category_id), "decided_by": actor.strip()}
    with make_uow() as uow:
        created = enqueue(uow, Intent(key, "create_topic", payload), now)
        uow.commit()
    log.info("call for experts %s %s by %s", key, "queued" if created else "already queued", actor)
    return {"key": key, "created": created, "title": title}


def published(make_uow: Callable[[], UnitOfWork], key: str) -> dict[str, Any] | None:
    """Where a published call stands: {"key", "title", "status", "topic_id"}; None for no such call."""
    if not key.startswith("call:"):
        return None
    with make_uow() as uow:
        row = uow.outbox.find(key)
    if row is None or row.kind != "create_topic":
        return None
    return {"key": key, "title": str(row.payload.get("title", "")), "status": row.status,
            "topic_id": row.topic_id}
