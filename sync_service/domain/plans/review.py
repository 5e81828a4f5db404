"""The review message of a real import: one private message to the organisation's group and the community
managers listing the drafts to confirm, what each lacks, the confirmed needs the plan changed and the rows
gone. Pure: no I/O. User text is quoted with safe_text; links are filled by the outbox once topics exist."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sync_service.domain import safe_text
from sync_service.domain.i18n import Translator, guess_locale
from sync_service.domain.plans.drafts import Decisions
from sync_service.domain.plans.rows import Proposal

PREFIX = "plan-review:"
DRAFT_PREFIX = "plan:"  # the intent that creates a row's draft is DRAFT_PREFIX + its stable key
LINK_TOKEN = "{{{{draft-{n}}}}}"  # quoted user text has every brace escaped, so it never holds one
TITLE_LIMIT = 90
LINE_LIMIT = 160
NEVER_PROPOSED = ("languages", "mode")  # the import never guesses them (docs/plan-import.md)


@dataclass(frozen=True)
class ReviewStyle:
    """What the message is written with: catalogues, language, the organisation as people read it, and
    the groups it goes to."""

    translator: Translator
    locale: str
    organisation_label: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    """The message, and per link token the intent whose topic it points to and the text it shows."""

    title: str
    raw: str
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def review_locale(titles: Sequence[str | None], default: str) -> str:
    """The organisation's language: the configured one, unless its plan's titles read as another."""
    guessed = guess_locale(" ".join(t for t in titles if t))
    return guessed if guessed != "fr" else default


def review_key(organisation: str, decisions: Decisions, prefix: str = DRAFT_PREFIX) -> str | None:
    """The intent key of the message: from the drafts created or edited and their revisions, so that the
    same import says it once and a changed one again; None when no draft was created or edited."""
    drafts = sorted([f"{prefix}{p.key}@0" for p in decisions.create]
                    + [f"{prefix}{p.key}@{revision}" for p, revision in decisions.edit])
    if not drafts:
        return None
    digest = hashlib.sha256("\n".join([organisation, *drafts]).encode()).hexdigest()[:32]
    return f"{PREFIX}{digest}"


def missing(proposal: Proposal) -> list[str]:
    """What the commune still has to say of a draft (plan_import.review.missing.*), as the dry run shows."""
    concepts = proposal.concepts
    gaps = [name for name, absent in (("sector", concepts.sector is None), ("kind", concepts.kind is None),
                                      ("skills", not concepts.skills), ("year", proposal.years is None))
            if absent]
    return [*gaps, *NEVER_PROPOSED]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines of a draft's text the plan removed and added (headings and blank lines aside)."""
    old = [line for line in before.splitlines() if line.strip() and not line.startswith("<!--")]
    new = [line for line in after.splitlines() if line.strip() and not line.startswith("<!--")]
    return ([line.removeprefix("- ") for line in old if line not in new],
            [line.removeprefix("- ") for line in new if line not in old])


def review_message(decisions: Decisions, style: ReviewStyle,
                   changes: Mapping[int, tuple[list[str], list[str]]]) -> Review:
    """The message: drafts to review (created, then edited), how to confirm, confirmed needs the plan
    changed (`changes`: plan row -> lines removed, added) and rows gone, each linked to its topic."""
    t, locale = style.translator, style.locale

    def tr(key: str, **values: object) -> str:
        return t.translate(f"plan_import.review.{key}", locale, **values)

    links: dict[str, dict[str, str]] = {}

    def linked(key: str | None, title: str | None) -> str:
        label = safe_text.quote(title, LINE_LIMIT)
        if key is None:
            return label
        token = LINK_TOKEN.format(n=len(links))
        links[token] = {"key": DRAFT_PREFIX + key, "label": label}
        return token

    drafts = [*decisions.create, *(p for p, _ in decisions.edit)]
    edited = {p.row for p, _ in decisions.edit}
    lines = [tr("intro", organisation=safe_text.plain(style.organisation_label), count=len(drafts)), ""]
    for p in drafts:
        status = tr("edited") if p.row in edited else tr("created")
        lines.append(tr("draft", title=linked(p.key, p.title), row=p.row, status=status))
        gaps = t.join([tr(f"missing.{name}") for name in missing(p)], locale)
        lines.append("  " + tr("lacks", missing=gaps))
    confirm = t.translate("commands.confirm", locale).split("|")[0].strip()
    lines += ["", tr("how_to_confirm", command=safe_text.code(confirm))]
    if decisions.kept:
        lines += ["", tr("kept_heading")]
        for p in decisions.kept:
            lines.append(tr("kept", title=linked(p.key, p.title), row=p.row))
            removed, added = changes.get(p.row, ([], []))
            lines += ["  " + tr("before", text=safe_text.quote(x, LINE_LIMIT)) for x in removed]
            lines += ["  " + tr("after", text=safe_text.quote(x, LINE_LIMIT)) for x in added]
    if decisions.gone:
        lines += ["", tr("gone_heading")]
        lines += [tr("gone", title=linked(k.key, k.title), row=k.row) for k in decisions.gone]
    title = tr("title", organisation=safe_text.title(style.organisation_label, TITLE_LIMIT),
               count=len(drafts))
    return Review(title, "\n".join(lines), links)
