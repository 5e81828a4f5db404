"""The impact report as people read it: JSON (the shape docs/impact.md gives), CSV, Markdown and a
printable A4 HTML page; every visible word from the catalogues (report.*)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

from sync_service.domain.i18n import Translator, text_direction
from sync_service.domain.impact import EXPERIENCE_FIGURES, KPI_NAMES, NEED_STATUSES
from sync_service.domain.impact_tally import ImpactReport
from sync_service.services.report import ReportRequest

INTRODUCTION_FIGURES = ("proposed", "accepted", "declined", "expired", "withdrawn")
COMMUNE_COLUMNS = ("needs", "accepted", "strengthened")


Campaigns = Sequence[Mapping[str, Any]]  # services.campaigns.summaries


def as_json(report: ImpactReport, request: ReportRequest, *, anonymous: bool = False,
            campaigns: Campaigns = ()) -> dict[str, Any]:
    """The report as JSON data; `anonymous` leaves every members list empty."""
    return {
        "from": request.first_day.isoformat() if request.first_day else None,
        "to": request.last_day.isoformat() if request.last_day else None,
        "kpis": {name: {"value": kpi.value, "target": kpi.target,
                        "members": [] if anonymous else list(kpi.members)}
                 for name, kpi in report.kpis.items()},
        "needs": {"by_status": {status: report.needs_by_status.get(status, 0) for status in NEED_STATUSES}},
        "introductions": {**{name: report.introductions.get(name, 0) for name in INTRODUCTION_FIGURES},
                          "median_days_to_answer": report.median_days_to_answer},
        "skill_gaps": [{"skill": skill, "needs": count} for skill, count in report.skill_gaps],
        "experiences": _experiences(report),
        "campaigns": [{"key": c["key"], "name": c["name"], "joined": c["joined"], "accepted": c["accepted"]}
                      for c in campaigns],
    }


def _experiences(report: ImpactReport) -> dict[str, int]:
    """Testimonies received and "retours d'expérience" published in the period."""
    return {name: report.experiences.get(name, 0) for name in EXPERIENCE_FIGURES}


class Words:
    """The catalogue's words of the report in one locale."""

    def __init__(self, translator: Translator, locale: str) -> None:
        self.translator, self.locale = translator, locale

    def __call__(self, key: str, **values: object) -> str:
        return self.translator.translate(f"report.{key}", self.locale, **values)

    def campaign(self, key: str) -> str:
        """A word of the campaigns' section (campaign.*)."""
        return self.translator.translate(f"campaign.{key}", self.locale)

    def period(self, request: ReportRequest) -> str:
        """"from ... to ...", or all time."""
        if request.first_day is None and request.last_day is None:
            return self("period_all")
        start = self.translator.format_date(request.first_day, self.locale) if request.first_day else "…"
        end = self.translator.format_date(request.last_day, self.locale) if request.last_day else "…"
        return self("period", start=start, end=end)

    def median(self, days: float | None) -> str:
        if days is None:
            return self("none")
        # plural forms by the whole number; a fraction reads as "other" (1,5 jours, 2.5 days)
        return self("days", days=f"{days:g}", count=int(days) if days == int(days) else 1000)


def _rows(report: ImpactReport, request: ReportRequest, words: Words,
          anonymous: bool) -> list[tuple[str, str, str, str, str]]:
    """(section, figure, value, target or names) lines shared by CSV and Markdown."""
    rows: list[tuple[str, str, str, str, str]] = []
    for name in KPI_NAMES:
        kpi = report.kpis[name]
        names = "" if anonymous else ", ".join(kpi.members)
        rows.append((words("section.results"), words(f"kpi.{name}"), str(kpi.value), str(kpi.target), names))
    rows += [(words("section.needs"), words(f"status.{s}"), str(report.needs_by_status.get(s, 0)), "", "")
             for s in NEED_STATUSES]
    rows += [(words("section.introductions"), words(f"introductions.{n}"),
              str(report.introductions.get(n, 0)), "", "") for n in INTRODUCTION_FIGURES]
    rows.append((words("section.introductions"), words("introductions.median"),
                 words.median(report.median_days_to_answer), "", ""))
    rows += [(words("section.skill_gaps"), skill, str(count), "", "") for skill, count in report.skill_gaps]
    rows += [(words("section.experiences"), words(f"experiences.{name}"), str(count), "", "")
             for name, count in _experiences(report).items()]
    return rows


def as_csv(report: ImpactReport, request: ReportRequest, words: Words, *, anonymous: bool = False,
           campaigns: Campaigns = ()) -> str:
    """One line a figure: section, figure, value, target, who."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([words("column.section"), words("column.figure"), words("column.value"),
                     words("column.target"), words("column.members")])
    writer.writerow([words("column.period"), words.period(request), "", "", ""])
    writer.writerows(_rows(report, request, words, anonymous))
    for c in campaigns:
        writer.writerow([words.campaign("section"), f"{c['name']}: {words.campaign('column.joined')}",
                         str(c["joined"]), "", ""])
        writer.writerow([words.campaign("section"), f"{c['name']}: {words.campaign('column.accepted')}",
                         str(c["accepted"]), "", ""])
    return out.getvalue()


def as_markdown(report: ImpactReport, request: ReportRequest, words: Words, *,
                anonymous: bool = False, campaigns: Campaigns = ()) -> str:
    """Headings and tables, readable as plain text."""
    lines = [f"# {words('title')}", "", words.period(request), "", f"## {words('section.results')}", "",
             f"| {words('column.figure')} | {words('column.value')} | {words('column.target')} | "
             f"{words('column.members')} |", "|---|---:|---:|---|"]
    for name in KPI_NAMES:
        kpi = report.kpis[name]
        names = "" if anonymous else ", ".join(kpi.members)
        lines.append(f"| {words(f'kpi.{name}')} | {kpi.value} | {kpi.target} | {_cell(names)} |")
    lines += ["", f"## {words('section.needs')}", "",
              f"| {words('column.figure')} | {words('column.value')} |", "|---|---:|"]
    lines += [f"| {words(f'status.{s}')} | {report.needs_by_status.get(s, 0)} |" for s in NEED_STATUSES]
    lines += ["", f"## {words('section.introductions')}", "",
              f"| {words('column.figure')} | {words('column.value')} |", "|---|---:|"]
    lines += [f"| {words(f'introductions.{n}')} | {report.introductions.get(n, 0)} |"
              for n in INTRODUCTION_FIGURES]
    lines.append(f"| {words('introductions.median')} | {words.median(report.median_days_to_answer)} |")
    lines += ["", f"## {words('section.communes')}", ""]
    lines += _commune_table(report, words, markdown=True)
    lines += ["", f"## {words('section.skill_gaps')}", ""]
    lines += [f"- {_cell(skill)} : {count}" for skill, count in report.skill_gaps] or [words("none")]
    lines += ["", f"## {words('section.experiences')}", "",
              f"| {words('column.figure')} | {words('column.value')} |", "|---|---:|"]
    lines += [f"| {words(f'experiences.{n}')} | {c} |" for n, c in _experiences(report).items()]
    if campaigns:
        lines += ["", f"## {words.campaign('section')}", "",
                  f"| {words.campaign('column.name')} | {words.campaign('column.joined')} | "
                  f"{words.campaign('column.accepted')} |", "|---|---:|---:|"]
        lines += [f"| {_cell(str(c['name']))} | {c['joined']} | {c['accepted']} |" for c in campaigns]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _commune_table(report: ImpactReport, words: Words, markdown: bool) -> list[str]:
    if not report.per_commune:
        return [words("none")]
    head = [words("column.commune"), *(words(f"commune.{c}") for c in COMMUNE_COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(COMMUNE_COLUMNS)]
    for commune, line in report.per_commune.items():
        lines.append("| " + " | ".join([_cell(commune), *(str(line[c]) for c in COMMUNE_COLUMNS)]) + " |")
    return lines


_STYLE = """@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111;
       max-width: 180mm; margin: auto; }
h1 { font-size: 18pt; margin-bottom: 2mm; } h2 { font-size: 13pt; margin-top: 8mm; }
table { border-collapse: collapse; width: 100%; page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 1.5mm 2mm; text-align: start; }
td.n { text-align: end; } .reached { font-weight: bold; }"""


def as_html(report: ImpactReport, request: ReportRequest, words: Words, *, anonymous: bool = False,
            campaigns: Campaigns = ()) -> str:
    """A simple page that prints on A4: the four results against their targets, a line per commune."""
    e = html.escape
    locale = words.locale
    out = [f'<!DOCTYPE html>\n<html lang="{e(locale)}" dir="{text_direction(locale)}">',
           f'<head><meta charset="utf-8"><title>{e(words("title"))}</title><style>{_STYLE}</style></head>',
           f"<body><h1>{e(words('title'))}</h1><p>{e(words.period(request))}</p>",
           f"<h2>{e(words('section.results'))}</h2><table><tr><th>{e(words('column.figure'))}</th>"
           f"<th>{e(words('column.value'))}</th><th>{e(words('column.target'))}</th>"
           f"<th>{e(words('column.members'))}</th></tr>"]
    for name in KPI_NAMES:
        kpi = report.kpis[name]
        names = "" if anonymous else ", ".join(kpi.members)
        reached = ' class="reached"' if kpi.value >= kpi.target else ""
        out.append(f"<tr{reached}><td>{e(words(f'kpi.{name}'))}</td><td class=\"n\">{kpi.value}</td>"
                   f"<td class=\"n\">{kpi.target}</td><td>{e(names)}</td></tr>")
    out.append(f"</table><h2>{e(words('section.communes'))}</h2>")
    if report.per_commune:
        out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in (
            words("column.commune"), *(words(f"commune.{c}") for c in COMMUNE_COLUMNS))) + "</tr>")
        for commune, line in report.per_commune.items():
            out.append(f"<tr><td>{e(commune)}</td>"
                       + "".join(f'<td class="n">{line[c]}</td>' for c in COMMUNE_COLUMNS) + "</tr>")
        out.append("</table>")
    else:
        out.append(f"<p>{e(words('none'))}</p>")
    out.append(f"<h2>{e(words('section.needs'))}</h2><table>")
    out += [f"<tr><td>{e(words(f'status.{s}'))}</td>"
            f"<td class=\"n\">{report.needs_by_status.get(s, 0)}</td></tr>" for s in NEED_STATUSES]
    out.append(f"</table><h2>{e(words('section.introductions'))}</h2><table>")
    out += [f"<tr><td>{e(words(f'introductions.{n}'))}</td><td class=\"n\">{report.introductions.get(n, 0)}"
            "</td></tr>" for n in INTRODUCTION_FIGURES]
    out.append(f"<tr><td>{e(words('introductions.median'))}</td>"
               f"<td class=\"n\">{e(words.median(report.median_days_to_answer))}</td></tr></table>")
    out.append(f"<h2>{e(words('section.experiences'))}</h2><table>")
    out += [f"<tr><td>{e(words(f'experiences.{n}'))}</td><td class=\"n\">{c}</td></tr>"
            for n, c in _experiences(report).items()]
    out.append("</table>")
    if campaigns:
        out.append(f"<h2>{e(words.campaign('section'))}</h2><table><tr>" + "".join(
            f"<th>{e(words.campaign(f'column.{c}'))}</th>" for c in ("name", "joined", "accepted")) + "</tr>")
        out += [f"<tr><td>{e(str(c['name']))}</td><td class=\"n\">{c['joined']}</td>"
                f"<td class=\"n\">{c['accepted']}</td></tr>" for c in campaigns]
        out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)
