"""The call for experts on the dashboard: the draft services/calls.prepare writes, in the language chosen
for the call, edited in the page, then published through the outbox by the person signed in (a form:
CSRF-checked), once for one text; then where it stands."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, request, session
from flask.typing import ResponseReturnValue

from sync_service.domain.calls import CallRefused
from sync_service.domain.i18n import LOCALES
from sync_service.entrypoints.dashboard.context import dashboard, locale, words
from sync_service.entrypoints.dashboard.pages import page, signed_in
from sync_service.services import calls
from sync_service.services.ports.forum import ForumUnavailable

bp = Blueprint("dashboard_call", __name__, url_prefix="/dashboard", template_folder="templates")
bp.before_request(signed_in)
log = logging.getLogger(__name__)
TEXT_FIELD_MAX = 200_000  # a form bigger than this is no edited call: refused before anything is read


def call_language() -> str:
    """The call's own language (?language=), else the reader's."""
    chosen = request.values.get("language", "")
    return chosen if chosen in LOCALES else locale()


def show(language: str, text: str, *, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    """The call page: the language choice, the text in its textarea, the publish form."""
    codev = dashboard().codev
    return page("call", call_lang=language, text=text, error=error,
                      category=codev.settings.forum.calls_category), status


@bp.get("/call")
def draft() -> ResponseReturnValue:
    """A fresh draft from the skill gaps, in the call's language."""
    codev = dashboard().codev
    language = call_language()
    names = calls.arabic_names(codev.config.communes) if language == "ar" else None
    prepared = calls.prepare(codev.uow, codev.config.translator, language, place_names=names)
    return show(language, prepared["text"])


@bp.post("/call")
def publish() -> ResponseReturnValue:
    """Queue the edited call as a topic of forum.calls_category, the signed-in person as its actor."""
    codev, language = dashboard().codev, call_language()
    text = request.form.get("text", "")
    t = words(locale())
    if len(text) > TEXT_FIELD_MAX:
        return show(language, "", error=t("call.refused.too_long", length=len(text), limit=calls.POST_MAX),
                    status=400)
    slug = codev.settings.forum.calls_category
    try:
        category_id = codev.gateway.category_id(slug)
    except ForumUnavailable as exc:
        log.warning("dashboard: the forum did not answer for the call's category: %s", exc)
        return show(language, text, error=t("call.refused.forum_down"), status=503)
    if category_id is None:
        return show(language, text, error=t("call.refused.no_category", category=slug), status=400)
    actor = str(session["user"]["username"])
    try:
        result = calls.publish(codev.uow, text, category_id, actor, codev.clocks.now())
    except CallRefused as exc:
        return show(language, text, error=t(f"call.refused.{exc.reason}", **exc.values), status=400)
    query = {"key": result["key"], **({} if result["created"] else {"again": "1"})}
    return redirect("/dashboard/call/queued?" + urlencode(query), 303)


@bp.get("/call/queued")
def queued() -> ResponseReturnValue:
    """The confirmation: queued, and the topic's link once the outbox sent it."""
    codev = dashboard().codev
    found = calls.published(codev.uow, request.args.get("key", ""))
    if found is None:
        abort(404)
    forum = codev.settings.discourse.url.rstrip("/")
    return page("call_queued", call=found, again=request.args.get("again") == "1", forum=forum,
                      category=codev.settings.forum.calls_category)
