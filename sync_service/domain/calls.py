"""The call for experts: the skills nobody in the community offers yet, by commune, and the text that
asks the diaspora for them (a forum post, or plain text for social networks and newsletters).

Pure: gaps come in as plain data, sentences from the catalogues (call.*). Skills are what communes
typed in their need forms, so they enter a forum post only through safe_text.quote; commune names
come from config/communes.csv and enter through safe_text.plain. Plain text (outside Discourse) is
only cleaned: one line each, controls removed, length capped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sync_service.domain import safe_text
from sync_service.domain.i18n import Translator, text_direction
from sync_service.domain.posts import RTL_CLOSE, RTL_OPEN
from sync_service.domain.vocabulary import fold

FORUM, PLAIN = "forum", "plain"
SKILL_LIMIT = 80
MAX_SKILLS = 12  # a call that lists more reads as a catalogue, not a call


class CallRefused(ValueError):
    """A call that cannot be posted: `reason` names why for the person's language (the catalogues'
    dashboard.call.refused.<reason>), `values` fill the sentence; the message is one line in English."""

    def __init__(self, reason: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class GapNeed:
    """A need nobody serves yet (status open: nobody introduced, nobody accepted)."""

    topic_id: int
    skills: tuple[str, ...]
    commune: str | None  # the commune's name as people write it, None for a need without commune


@dataclass(frozen=True)
class Gap:
    """One missing skill: how many needs ask it, and the communes (names, sorted) that need it."""

    skill: str
    needs: int
    communes: tuple[str, ...]


@dataclass(frozen=True)
class CallText:
    """A call's title and body in one locale."""

    locale: str
    title: str
    body: str


def gaps_of(needs: Iterable[GapNeed]) -> tuple[Gap, ...]:
    """Skills asked by needs nobody serves, most asked first; the same skill typed twice counts once
    (compared without case or surrounding spaces, shown as first typed)."""
    shown: dict[str, str] = {}
    topics: dict[str, set[int]] = {}
    communes: dict[str, set[str]] = {}
    for need in needs:
        for skill in need.skills:
            text = safe_text.clean(skill, SKILL_LIMIT)
            key = text.casefold()
            if not key:
                continue
            shown.setdefault(key, text)
            topics.setdefault(key, set()).add(need.topic_id)
            if need.commune:
                communes.setdefault(key, set()).add(need.commune)
    gaps = [Gap(shown[k], len(topics[k]), tuple(sorted(communes.get(k, ())))) for k in shown]
    return tuple(sorted(gaps, key=lambda g: (-g.needs, fold(g.skill), g.skill)))


def call_text(t: Translator, gaps: Sequence[Gap], locale: str, *, form: str = FORUM,
              link: str | None = None) -> CallText:
    """The call in one locale: the missing skills and the communes that need them; `link` (an invite
    link codev made, never user text) closes it when given."""
    if form not in (FORUM, PLAIN):
        raise ValueError(f"call form must be {FORUM} or {PLAIN}, got {form!r}")
    say = _Say(t, locale, form)
    lines = [say("intro"), ""]
    shown = list(gaps[:MAX_SKILLS])
    if shown:
        lines.append(say.heading("skills_heading"))
        lines += [say.gap(gap) for gap in shown]
        if len(gaps) > len(shown):
            lines.append(say("more", count=len(gaps) - len(shown)))
    else:
        lines.append(say("none"))
    lines += ["", say.heading("how_heading"), say("how")]
    if link:
        lines += ["", say("join", link=link)]
    body = "\n".join(lines)
    if form == FORUM and text_direction(locale) == "rtl":
        body = f"{RTL_OPEN}\n\n{body}\n\n{RTL_CLOSE}"
    skills = t.join([g.skill for g in shown[:3]], locale)
    if shown:
        title = t.translate("call.title", locale, skills=skills)
    else:
        title = t.translate("call.title_none", locale)
    return CallText(locale, safe_text.title(title, 200), body)


def as_document(call: CallText) -> str:
    """The draft as a person edits it: "# title", a blank line, the body."""
    return f"# {call.title}\n\n{call.body}\n"


def read_document(text: str) -> tuple[str, str]:
    """(title, body) of an edited draft; CallRefused (a ValueError) naming what is missing."""
    if not text.strip():
        raise CallRefused("empty", "the call is empty: write \"# Title\", a blank line, then the text")
    lines = text.replace("\r\n", "\n").strip().split("\n")
    if not lines[0].startswith("# ") or not lines[0][2:].strip():
        raise CallRefused("no_title", "the first line must be the title, written \"# Title\"")
    body = "\n".join(lines[1:]).strip()
    if not body:
        raise CallRefused("no_body", "the call has a title but no text below it")
    return lines[0][2:].strip(), body


class _Say:
    """The catalogue's call.* words, with user text made safe for the form asked."""

    def __init__(self, t: Translator, locale: str, form: str) -> None:
        self.t, self.locale, self.form = t, locale, form

    def __call__(self, key: str, **values: object) -> str:
        return self.t.translate(f"call.{key}", self.locale, **values)

    def heading(self, key: str) -> str:
        text = self(key)
        if self.form == FORUM:
            return f"### {text}"
        return text if self.locale == "ar" else text.upper()  # plain text has no markup: capitals

    def gap(self, gap: Gap) -> str:
        quote = safe_text.quote if self.form == FORUM else safe_text.clean
        skill = quote(gap.skill, SKILL_LIMIT)
        if self.form == FORUM:
            skill = f"**{skill}**"
        names = [safe_text.plain(c, 80) if self.form == FORUM else safe_text.clean(c, 80)
                 for c in gap.communes]
        if names:
            return "- " + self("gap", skill=skill, count=gap.needs,
                               communes=self.t.join(names, self.locale))
        return "- " + self("gap_no_commune", skill=skill, count=gap.needs)
