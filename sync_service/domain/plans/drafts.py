"""A plan row as the draft need codev posts (the need form's blocks, filled with the proposal), and what a
real import decides for each row given the records of the previous imports. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sync_service.domain.i18n import Translator
from sync_service.domain.matching.taxonomy import Taxonomy
from sync_service.domain.plans.rows import PlanReading, Proposal

TITLE_LIMIT = 200  # Discourse's max_topic_title_length is 255; the commune's name follows the project's


@dataclass(frozen=True)
class Draft:
    """The title and raw text of a draft need."""

    title: str
    raw: str


@dataclass(frozen=True)
class DraftStyle:
    """What a draft is written with: the need form's first heading of each field, the taxonomy, the
    catalogues and the language; the organisation's name as people read it."""

    headings: Mapping[str, str]
    taxonomy: Taxonomy
    translator: Translator
    locale: str
    organisation_label: str


def draft_of(proposal: Proposal, style: DraftStyle) -> Draft:
    """The draft a kept row becomes: the blocks the form "Besoin de la commune" writes, then the plan's
    figures in the description, so that once confirmed it reads as a need posted from the form."""
    def t(key: str, **values: object) -> str:
        return style.translator.translate(f"plan_import.draft.{key}", style.locale, **values)

    concepts, tax, locale = proposal.concepts, style.taxonomy, style.locale
    blocks: list[tuple[str, str]] = []
    if concepts.sector is not None:
        blocks.append(("secteur", _capital(tax.label("sector", concepts.sector.id, locale))))
    if concepts.kind is not None:
        blocks.append(("type_aide", _capital(tax.label("kind", concepts.kind.id, locale))))
    if concepts.skills:
        blocks.append(("competences", ", ".join(tax.label("skill", s.id, locale) for s in concepts.skills)))
    if proposal.years is not None:
        first, last = proposal.years
        blocks.append(("echeance", str(first) if first == last else f"{first}-{last}"))
    facts = [t("project", title=proposal.title or "")]
    for name, value in (("location", proposal.location), ("cost", _mad(proposal.cost_mad)),
                        ("commune_share", _mad(proposal.commune_share_mad)), ("partners", proposal.partners)):
        if value:
            facts.append(t(name, value=value))
    facts.append(t("source", organisation=style.organisation_label, row=proposal.row,
                   number=proposal.number or "-"))
    blocks.append(("description", "\n".join(f"- {fact}" for fact in facts)))
    raw = "\n\n".join(f"### {style.headings.get(field_id, field_id)}\n{value}" for field_id, value in blocks)
    title = f"{_cut(proposal.title or '', TITLE_LIMIT)} ({style.organisation_label})"
    return Draft(title, raw)


@dataclass(frozen=True)
class Known:
    """What the previous imports recorded of one row: fingerprint, edits so far, whether confirmed."""

    key: str
    row: int
    title: str
    fingerprint: str
    revision: int
    confirmed: bool


@dataclass(frozen=True)
class Decisions:
    """Per kept row what the import does: create its draft, edit it (with the edit's revision), leave a
    confirmed need alone; and the recorded rows the file no longer has (nothing is deleted)."""

    create: tuple[Proposal, ...] = ()
    edit: tuple[tuple[Proposal, int], ...] = ()
    kept: tuple[Proposal, ...] = ()  # changed in the plan, but the need was confirmed: not rewritten
    unchanged: tuple[Proposal, ...] = ()
    gone: tuple[Known, ...] = field(default_factory=tuple)


def decide(reading: PlanReading, known: Sequence[Known]) -> Decisions:
    """Compare the file's rows with what was recorded: a new key is created, a changed fingerprint edits
    the draft while it is one; a confirmed need is never rewritten; a row gone is only reported."""
    by_key = {k.key: k for k in known}
    create: list[Proposal] = []
    edit: list[tuple[Proposal, int]] = []
    kept: list[Proposal] = []
    unchanged: list[Proposal] = []
    seen: set[str] = set()
    for proposal in reading.proposals:
        if proposal.status == "skipped" or proposal.key is None:
            continue
        seen.add(proposal.key)
        record = by_key.get(proposal.key)
        if record is None:
            create.append(proposal)
        elif record.fingerprint == proposal.fingerprint:
            unchanged.append(proposal)
        elif record.confirmed:
            kept.append(proposal)
        else:
            edit.append((proposal, record.revision + 1))
    gone = tuple(k for k in known if k.key not in seen)
    return Decisions(tuple(create), tuple(edit), tuple(kept), tuple(unchanged), gone)


def _capital(label: str) -> str:
    """As the form's choices are written: "Eau potable"."""
    return label[:1].upper() + label[1:]


def _mad(amount: int | None) -> str | None:
    return None if amount is None else f"{amount:,} MAD".replace(",", " ")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
