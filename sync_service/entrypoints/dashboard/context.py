"""What every dashboard request shares: the assembled parts, the reader's language, the words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template, session

from sync_service.adapters.db.sign_in import SignInNonces
from sync_service.bootstrap import Codev
from sync_service.domain.i18n import DEFAULT_LOCALE, LOCALES
from sync_service.services.dashboard import FiguresCache

NONCE_MINUTES = 10  # a sign-in started longer ago than this is refused


@dataclass
class Dashboard:
    """The dashboard's parts, built once per app."""

    codev: Codev
    secret: str  # the DiscourseConnect secret; "" turns the dashboard off
    allowed_groups: frozenset[str]
    nonces: SignInNonces
    cache: FiguresCache

    @classmethod
    def build(cls, codev: Codev, secret: str) -> Dashboard:
        """From codev's settings: who may enter (staff, the managers' and coordinators' groups)."""
        forum = codev.settings.forum
        groups = frozenset(g for g in (forum.community_managers_group, forum.coordinators_group) if g)
        nonces = SignInNonces(codev.lazy_engine, codev.clocks.now, timedelta(minutes=NONCE_MINUTES))
        return cls(codev, secret, groups, nonces, FiguresCache())

    @property
    def on(self) -> bool:
        """Whether sign-in is configured."""
        return bool(self.secret)


def dashboard() -> Dashboard:
    """The current app's dashboard."""
    found: Dashboard = current_app.extensions["codev_dashboard"]
    return found


def locale() -> str:
    """The language chosen with the switch, else the settings' default (French)."""
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    found = current_app.extensions.get("codev_dashboard")
    return found.codev.settings.default_locale if found is not None else DEFAULT_LOCALE


def words(lang: str) -> Callable[..., str]:
    """t("key", **values): the catalogue's dashboard.<key>, or report.<key> for words the report has."""
    translator = dashboard().codev.config.translator

    def t(key: str, /, **values: object) -> str:
        name = key if key.startswith("report.") else f"dashboard.{key}"
        return translator.translate(name, lang, **values)

    return t


def refusal(reason: str, status: int) -> tuple[str, int]:
    """The refusal page (403 not allowed, 400 a sign-in or form refused) in the reader's language."""
    return render_template("dashboard/refused.html", reason=reason), status
