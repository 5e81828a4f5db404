"""The dashboard's pages: results, needs, introductions, skill gaps, and the list behind each figure.
Every figure comes from services/dashboard.py (the report's domain); nothing is counted here."""

from __future__ import annotations

import dataclasses
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from sync_service.domain.i18n import LOCALES
from sync_service.domain.impact import KPI_NAMES, NEED_STATUSES
from sync_service.domain.impact_detail import GAP_AXES
from sync_service.entrypoints.dashboard.auth import local_path
from sync_service.entrypoints.dashboard.charts import Bar, bars, columns
from sync_service.entrypoints.dashboard.context import dashboard, locale, refusal, words
from sync_service.entrypoints.dashboard.lists import Readers
from sync_service.entrypoints.dashboard.lists import heading as list_heading
from sync_service.entrypoints.dashboard.lists import rows as list_rows
from sync_service.entrypoints.dashboard.signing import off
from sync_service.services.dashboard import (
    DashboardFigures,
    accepted_lists,
    figure_lists,
    introduction_list,
    titles,
)
from sync_service.services.report import COLLECTOR, ReportRequest
from sync_service.services.report_views import INTRODUCTION_FIGURES, Words

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
               static_folder="static", static_url_path="/static")
LIST_PAGE = 200  # lines of a list a page


@bp.before_request
def collector_paused() -> None:
    """The page's figures and lists are made with the garbage collector paused (services/report.py)."""
    COLLECTOR.pause()
    g.collector_paused = True


@bp.teardown_request
def collector_resumed(_error: BaseException | None) -> None:
    if g.pop("collector_paused", False):
        COLLECTOR.resume()


@bp.before_request
def signed_in() -> ResponseReturnValue | None:
    """Off without the secret; to the forum's sign-in without a session."""
    if request.endpoint in ("dashboard.static", "dashboard.language"):
        return None  # the language can be chosen before signing in (on the 403 page too)
    if not dashboard().on:
        return off()
    if "user" not in session:
        return redirect("/auth/discourse/login?" + urlencode({"next": request.full_path.rstrip("?")}), 302)
    return None


def period() -> ReportRequest:
    """The period of the query (?from=&to=, days YYYY-MM-DD, both included); 400 when malformed."""
    days: list[date | None] = []
    for name in ("from", "to"):
        raw = request.args.get(name, "").strip()
        try:
            days.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            abort(make_response(render_template("dashboard/period.html", name=name, value=raw), 400))
    first, last = days
    if first is not None and last is not None and first > last:
        abort(make_response(render_template("dashboard/period.html", name="from", value=first), 400))
    return ReportRequest(first, last)


def figures() -> DashboardFigures:
    """The period's figures, computed by the report's domain."""
    board = dashboard()
    codev = board.codev
    targets = dataclasses.asdict(codev.settings.impact.targets)
    return board.cache.figures(codev.uow, period(), targets, codev.settings.tombstone_key.encode(),
                               codev.clocks.now())


def concept(axis: str, key: str) -> str:
    """A skill's or sector's label in the reader's language (the taxonomy's); a commune's group name."""
    if axis in ("skill", "sector") and key:
        return dashboard().codev.config.taxonomy.label(axis, key, locale())  # type: ignore[arg-type]
    return key


def link(figure: str, key: str = "") -> str:
    """The list behind a figure, for the same period."""
    query = {"key": key, **{k: v for k, v in request.args.items() if k in ("from", "to") and v}}
    return f"/dashboard/list/{figure}?{urlencode(query)}"


def page(template: str, **values: object) -> str:
    """A page with what every page shows: the period, the person, the language."""
    request_ = values.get("figures")
    shown = request_.request if isinstance(request_, DashboardFigures) else period()
    query = {k: v for k, v in request.args.items() if k in ("from", "to") and v}
    return render_template(f"dashboard/{template}.html", user=session.get("user"), link=link,
                           period_first=shown.first_day, period_last=shown.last_day,
                           period_query=f"?{urlencode(query)}" if query else "", **values)


@bp.get("/")
def results() -> ResponseReturnValue:
    """The four results against their targets, and month by month."""
    found, rtl, t = figures(), locale() == "ar", words(locale())
    report, detail = found.report, found.detail
    months = {name: columns(t(f"report.kpi.{name}"), detail.months, detail.by_month[name], rtl=rtl,
                            target=report.kpis[name].target) for name in KPI_NAMES}
    return page("results", figures=found, kpis=KPI_NAMES, months=months)


@bp.get("/needs")
def needs() -> ResponseReturnValue:
    """Needs posted in the period by status at its end, and by commune."""
    found, rtl, t = figures(), locale() == "ar", words(locale())
    status_chart = bars(t("needs.by_status"), [
        Bar(t(f"report.status.{s}"), found.report.needs_by_status.get(s, 0), link("status", s))
        for s in NEED_STATUSES], rtl=rtl)
    communes = found.detail.needs_by_commune
    sizes = {c: sum(line.values()) for c, line in communes.items()}
    commune_chart = bars(t("needs.by_commune"), [
        Bar(c or t("no_commune"), n, link("commune", c))
        for c, n in sorted(sizes.items(), key=lambda item: (-item[1], item[0]))], rtl=rtl, colour="#4d8b4a")
    return page("needs", figures=found, statuses=NEED_STATUSES, status_chart=status_chart,
                commune_chart=commune_chart, communes=communes)


@bp.get("/introductions")
def introductions() -> ResponseReturnValue:
    """The funnel: proposed, accepted, served or funded; and how long experts take to answer."""
    found, rtl, t = figures(), locale() == "ar", words(locale())
    intro = found.report.introductions
    funnel = bars(t("funnel.title"), [
        Bar(t("funnel.proposed"), intro.get("proposed", 0), link("introductions", "proposed")),
        Bar(t("funnel.accepted"), intro.get("accepted", 0), link("introductions", "accepted")),
        Bar(t("funnel.strengthened"), found.detail.strengthened, link("strengthened")),
    ], rtl=rtl, colour="#c0713a")
    waits = bars(t("funnel.waits"), [Bar(t(f"funnel.wait.{key}"), count, link("wait", key))
                                     for key, count in found.detail.wait_bars], rtl=rtl)
    median = Words(dashboard().codev.config.translator, locale()).median(found.report.median_days_to_answer)
    return page("introductions", figures=found, funnel=funnel, waits=waits, median=median,
                figures_list=INTRODUCTION_FIGURES)


@bp.get("/gaps")
def gaps() -> ResponseReturnValue:
    """Needs nobody serves yet, by skill, sector and commune; the place of the call for experts."""
    found, rtl, t = figures(), locale() == "ar", words(locale())
    charts = {axis: bars(t(f"gaps.by_{axis}"), [
        Bar(concept(axis, key) or t("no_commune" if axis == "commune" else "unknown"), len(topics),
            link(f"gap-{axis}", key))
        for key, topics in found.detail.gap_groups[axis][:15]], rtl=rtl, colour="#8a5a9e")
        for axis in GAP_AXES}
    return page("gaps", figures=found, charts=charts, axes=GAP_AXES, open_needs=len(found.detail.gaps))


@bp.get("/list/<figure>")
def listing(figure: str) -> ResponseReturnValue:
    """The list behind one figure: names and need topics, each a link to the forum."""
    board, asked = dashboard(), period()
    codev = board.codev
    pepper, now = codev.settings.tombstone_key.encode(), codev.clocks.now()
    rows = list_rows(figure, request.args.get("key", ""), words(locale()), Readers(
        figures,
        lambda parts: board.cache.kept(codev.uow, (asked, "lists", parts), now,
                                       lambda: figure_lists(codev.uow, asked, pepper, parts)),
        lambda: board.cache.kept(codev.uow, (asked, "accepted"), now,
                                 lambda: accepted_lists(codev.uow, asked, pepper)),
        lambda name: introduction_list(codev.uow, asked, name)))
    if rows is None:
        abort(404)
    forum = codev.settings.discourse.url.rstrip("/")
    key = request.args.get("key", "")
    raw_page = request.args.get("page", "1")
    number = max(1, int(raw_page)) if raw_page.isdigit() else 1
    first = (number - 1) * LIST_PAGE
    heading, back = list_heading(figure, concept(figure.removeprefix("gap-"), key), words(locale()))
    query = {k: v for k, v in request.args.items() if k in ("from", "to") and v}
    pages = {name: f"/dashboard/list/{figure}?{urlencode({**query, 'key': key, 'page': n})}"
             for name, n in (("previous", number - 1), ("next", number + 1))
             if (name == "previous" and number > 1) or (name == "next" and first + LIST_PAGE < len(rows))}
    shown = rows[first:first + LIST_PAGE]
    needs = titles(codev.uow, [topic for row in shown for topic in row.topics])
    return page("list", rows=shown, count=len(rows), first=first,
                forum=forum, needs=needs, heading=heading, pages=pages,
                back=back + (f"?{urlencode(query)}" if query else ""))


@bp.post("/language")
def language() -> ResponseReturnValue:
    """The language switch (a form: CSRF-checked); back to the same page."""
    chosen = request.form.get("lang", "")
    if chosen not in LOCALES:
        return refusal("language", 400)
    session["lang"] = chosen
    return redirect(local_path(request.form.get("next")), 303)
