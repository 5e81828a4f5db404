"""What the dry run shows: the guessed mapping and, per row, the need it would create or why it is skipped,
as the documented JSON or as a table for a person (every word from the catalogues, plan_import.*)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sync_service.domain.i18n import Translator
from sync_service.domain.matching.taxonomy import ConceptKind, Taxonomy
from sync_service.domain.plans.concepts import Scored
from sync_service.domain.plans.rows import STATUSES, PlanReading, Proposal

TITLE_WIDTH = 48
LABEL_WIDTH = 28
INDENT = " " * 18


def reason_text(proposal: Proposal, translator: Translator, locale: str) -> str | None:
    """Why a row is skipped, in words."""
    if proposal.reason is None:
        return None
    return translator.translate(f"plan_import.reasons.{proposal.reason}", locale, **proposal.reason_values)


def dry_run_document(reading: PlanReading, translator: Translator, locale: str) -> dict[str, Any]:
    """{"mapping": {heading: field}, "rows": n, "needs": [...]} exactly as docs/plan-import.md says."""
    return {
        "mapping": reading.mapping,
        "rows": len(reading.proposals),
        "needs": [
            {
                "row": p.row,
                "title": p.title,
                "sector": p.concepts.sector.id if p.concepts.sector else None,
                "kind": p.concepts.kind.id if p.concepts.kind else None,
                "skills": [s.id for s in p.concepts.skills],
                "cost_mad": p.cost_mad,
                "year": p.years[0] if p.years else None,
                "status": p.status,
                "reason": reason_text(p, translator, locale),
            }
            for p in reading.proposals
        ],
    }


def dry_run_table(reading: PlanReading, taxonomy: Taxonomy, translator: Translator, locale: str,
                  note: bool = True) -> str:
    """The mapping, then one block a row, then the counts (and, for a dry run, that nothing was created)."""

    def t(key: str, **values: object) -> str:
        return translator.translate(f"plan_import.{key}", locale, **values)

    lines = [t("mapping_heading", row=reading.heading_row)]
    for column in reading.columns:
        unit = f" ({t('unit', unit=_amount(column.unit, _separator(locale)))})" if column.unit > 1 else ""
        heading = _cut(column.heading, LABEL_WIDTH)
        lines.append(f"  {heading:<{LABEL_WIDTH}} → {t('fields.' + column.field)}{unit}")
    lines.append("")
    lines.append(f"{t('columns.row'):>6}  {t('columns.status'):<10} {t('columns.title')}")
    for p in reading.proposals:
        status = t(f"status.{p.status}")
        if p.status == "skipped":
            lines.append(f"{p.row:>6}  {status:<10} {reason_text(p, translator, locale)}")
            continue
        lines.append(f"{p.row:>6}  {status:<10} {_cut(p.title or '', TITLE_WIDTH * 2)}")
        skills = [_scored(s, "skill", taxonomy, locale, t) for s in p.concepts.skills]
        detail = {
            "sector": _scored(p.concepts.sector, "sector", taxonomy, locale, t),
            "kind": _scored(p.concepts.kind, "kind", taxonomy, locale, t),
            "cost": _amount(p.cost_mad, _separator(locale)),
            "year": _years(p.years),
        }
        detail["skills"] = translator.join(skills, locale) or "—"
        labelled = [t("label", label=t(f"columns.{k}"), value=v) for k, v in detail.items()]
        lines.append(INDENT + " · ".join(labelled[:4]))
        lines.append(INDENT + labelled[4])
    counts = {s: sum(1 for p in reading.proposals if p.status == s) for s in STATUSES}
    lines.append("")
    counted = {k: t(f"counts.{k}", count=n) for k, n in counts.items()}
    lines.append(t("summary", rows=t("counts.rows", count=len(reading.proposals)), **counted))
    if note:
        lines.append(t("dry_run_note"))
    return "\n".join(lines)


def _separator(locale: str) -> str:
    """Thousands as the locale groups them: 1 200 000 in French and Arabic, 1,200,000 in English."""
    return "," if locale == "en" else " "


def _scored(item: Scored | None, kind: ConceptKind, taxonomy: Taxonomy, locale: str,
            t: Callable[..., str]) -> str:
    if item is None:
        return "—"
    return t("confidence", label=taxonomy.label(kind, item.id, locale), percent=round(item.confidence * 100))


def _amount(value: int | None, separator: str) -> str:
    return "—" if value is None else f"{value:,}".replace(",", separator)


def _years(years: tuple[int, int] | None) -> str:
    if years is None:
        return "—"
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
