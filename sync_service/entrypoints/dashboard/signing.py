"""The sign-in routes: to the forum and back (DiscourseConnect), and signing out (a form, CSRF-checked)."""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from sync_service.entrypoints.dashboard.auth import (
    CALLBACK_PATH,
    Refused,
    local_path,
    read_answer,
    sign_in_url,
)
from sync_service.entrypoints.dashboard.context import dashboard, refusal

bp = Blueprint("dashboard_auth", __name__, template_folder="templates")
log = logging.getLogger(__name__)


def return_url() -> str:
    """Our callback as the forum sends people back to it: CODEV_DASHBOARD_URL's, else this host's."""
    base = dashboard().codev.settings.dashboard.url or request.host_url
    return base.rstrip("/") + CALLBACK_PATH


def off() -> ResponseReturnValue:
    """The dashboard is not configured: say so, and how to turn it on."""
    return render_template("dashboard/disabled.html"), 503


@bp.get("/auth/discourse/login")
def login() -> ResponseReturnValue:
    """Start a sign-in: a fresh nonce, kept in this browser's session and in the database."""
    board = dashboard()
    if not board.on:
        return off()
    nonce = board.nonces.issue()
    session["sso_nonce"] = nonce
    session["next"] = local_path(request.args.get("next"))
    forum = board.codev.settings.discourse.url
    return redirect(sign_in_url(forum, board.secret, nonce, return_url()), 302)


@bp.get(CALLBACK_PATH)
def callback() -> ResponseReturnValue:
    """The forum's answer: checked, then the person enters or sees the 403 page."""
    board = dashboard()
    if not board.on:
        return off()
    expected = session.pop("sso_nonce", None)
    try:
        nonce, person = read_answer(board.secret, request.args.get("sso", ""), request.args.get("sig", ""),
                                    return_url(), expected)
        if not board.nonces.take(nonce):
            raise Refused("nonce used already or expired")
    except Refused as exc:
        log.warning("dashboard sign-in refused: %s", exc.why)
        return refusal("sign_in", 400)
    if not person.may_enter(board.allowed_groups):
        log.info("dashboard: %s is not allowed in", person.username)
        return refusal("forbidden", 403)
    target, lang = local_path(session.get("next")), session.get("lang")
    session.clear()  # a new session on sign-in: nothing from before it carries over
    session.permanent = True
    session["user"] = {"id": person.user_id, "username": person.username,
                       "staff": person.admin or person.moderator}
    if lang:
        session["lang"] = lang
    return redirect(target, 302)


@bp.post("/dashboard/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the session (the form carries its CSRF token)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return render_template("dashboard/signed_out.html")
