"""The Markdown of every post codev writes: review thread, introduction, reminder, expiry, digest.

Renderers are pure: plain data and a locale in, Markdown out. Sentences come from the catalogues
(config/locales); user text only ever enters through safe_text.quote, codev's own labels through
safe_text.plain, links through safe_text.topic_link/user_link, the replies people are offered through
safe_text.code. Each post ends with an invisible idempotency marker the outbox searches for in the
post's raw text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sync_service.domain import safe_text
from sync_service.domain.i18n import Translator, text_direction

MARKER_PREFIX = "<!-- codev:intent:"
MARKER_SUFFIX = " -->"
RTL_OPEN = '<div dir="rtl" lang="ar">'
RTL_CLOSE = "</div>"
# Every intent key (the outbox checks it too): without ">" or spaces a key cannot end the comment early.
INTENT_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._/-]{0,127}")
TITLE_LIMIT = 120
TEXT_LIMIT = 300


@dataclass(frozen=True)
class NeedView:
    """What a post says about a need; title and text are the author's own words."""

    topic_id: int
    title: str | None
    text: str | None = None
    commune: str | None = None
    province: str | None = None
    author_username: str | None = None


@dataclass(frozen=True)
class CandidateView:
    """A ranked expert in a review thread, with the reply (and optional tag) that approves them."""

    username: str
    name: str | None
    band: str  # strong, good or possible (domain.matching.settings.Bands)
    reasons: tuple[str, ...]
    approve_reply: str
    approve_tag: str | None = None
    offered: bool = False  # pressed "Je peux aider" on the need (the codev plugin)
    elsewhere: int = 0     # other needs the pass's plan proposes them first for
    limit: int | None = None  # their limit of open introductions, when it is reached (not chosen here)


@dataclass(frozen=True)
class Answer:
    """How an expert answers an introduction: the replies offered and the date to answer by."""

    accept_reply: str
    decline_reply: str
    answer_by: date | None = None


def offered_reply(t: Translator, verb: str, locale: str, who: str | int | None = None) -> str:
    """The reply a post offers for a verb, written out so that Discourse's minimum lengths accept it;
    its first words are the verb's command. `who` is the username or rank it names."""
    return t.translate(f"replies.{verb}", locale, who=who if who is not None else "")


def marker(intent_key: str) -> str:
    """The invisible HTML comment that identifies the post written for this intent."""
    if INTENT_KEY.fullmatch(intent_key) is None:
        raise ValueError(f"intent key must match {INTENT_KEY.pattern}, got {intent_key!r}")
    return f"{MARKER_PREFIX}{intent_key}{MARKER_SUFFIX}"


def has_marker(raw: str, intent_key: str) -> bool:
    """True when a post's raw Markdown carries the marker of this intent."""
    return marker(intent_key) in raw


def review_title(t: Translator, need: NeedView, locale: str) -> str:
    """Title of the staff-only review topic; the need's id keeps it unique (Discourse refuses duplicates)."""
    title = safe_text.title(need.title, TITLE_LIMIT)
    return t.translate("review.title", locale, topic_id=need.topic_id, title=title)


def review_thread(
    t: Translator,
    need: NeedView,
    candidates: Sequence[CandidateView],
    locale: str,
    intent_key: str,
    status: str | None = None,
    introductions: Sequence[tuple[str, str]] = (),
    volunteers: Sequence[CandidateView] = (),
) -> str:
    """First post of the review thread: the need, its status and introductions so far, then each
    candidate with reasons and how to approve, then the volunteers the ranking does not show.
    `introductions` are (username, introduction status)."""
    lines = [t.translate("review.intro", locale, need=_need_ref(t, need, locale)), ""]
    lines += _need_details(t, need, locale)
    if status is not None:
        lines += [t.translate("review.status", locale, status=t.translate(f"status.{status}", locale)), ""]
    if introductions:
        lines += [t.translate("review.introductions_heading", locale), ""]
        lines += [t.translate("review.introduction", locale, user=safe_text.user_link(name),
                              status=t.translate(f"introduction_status.{state}", locale))
                  for name, state in introductions] + [""]
    if candidates:
        lines += [t.translate("review.candidates_heading", locale, count=len(candidates)), ""]
        if all(c.band != "strong" for c in candidates):
            lines += [t.translate("review.no_strong", locale), ""]
    elif status in (None, "open", "matched"):  # a need served or in progress looks for nobody
        lines += [t.translate("review.none", locale), ""]
    for rank, candidate in enumerate(candidates, start=1):
        lines += _candidate(t, rank, candidate, locale)
    if volunteers:
        lines += [t.translate("review.volunteers_heading", locale, count=len(volunteers)), ""]
    for volunteer in volunteers:
        lines += _volunteer(t, volunteer, locale)
    if candidates or volunteers:
        someone = t.translate("replies.someone", locale)
        lines += [t.translate("review.commands_help", locale,
                              discard=safe_text.code(offered_reply(t, "discard", locale, someone)),
                              served=safe_text.code(offered_reply(t, "served", locale)),
                              funded=safe_text.code(offered_reply(t, "funded", locale))), ""]
    lines.append(t.translate("review.footer", locale))
    return _finish(lines, locale, intent_key)


def introduction_title(t: Translator, need: NeedView, locale: str) -> str:
    """Title of the private message that introduces an expert to a commune."""
    return t.translate("intro.title", locale, title=safe_text.title(need.title, TITLE_LIMIT))


def introduction(
    t: Translator,
    need: NeedView,
    expert_username: str,
    reasons: Sequence[str],
    answer: Answer,
    locale: str,
    intent_key: str,
    reviewed: bool = True,
) -> str:
    """The introduction PM: what is asked, why this expert, who is in the conversation, how to answer."""
    lines = [t.translate("intro.greeting", locale), ""]
    commune, need_ref = _commune(t, need, locale), _need_ref(t, need, locale)
    lines += [t.translate("intro.asked", locale, commune=commune, need=need_ref), ""]
    if _present(need.text):
        lines += [t.translate("intro.request", locale, text=safe_text.quote(need.text, TEXT_LIMIT)), ""]
    if reasons:
        # Without review (direct introductions setting) nobody approved: the post must not say so.
        lines += [t.translate("intro.why" if reviewed else "intro.why_direct", locale), ""]
        lines += [f"- {safe_text.plain(r)}" for r in reasons] + [""]
    author = safe_text.user_link(need.author_username) if need.author_username else safe_text.quote(None)
    lines += [
        t.translate("intro.participants", locale, expert=safe_text.user_link(expert_username), author=author),
        "",
    ]
    lines += _how_to_answer(t, answer, locale)
    return _finish(lines, locale, intent_key)


def reminder(t: Translator, need: NeedView, answer: Answer, locale: str, intent_key: str) -> str:
    """A reply in the introduction PM reminding the expert that the commune awaits an answer."""
    lines = [t.translate("reminder.body", locale, need=_need_ref(t, need, locale)), ""]
    lines += _how_to_answer(t, answer, locale)
    return _finish(lines, locale, intent_key)


def expiry(t: Translator, need: NeedView, locale: str, intent_key: str) -> str:
    """A courteous closing reply when the expert did not answer in time."""
    lines = [
        t.translate("expiry.body", locale, need=_need_ref(t, need, locale)),
        "",
        t.translate("expiry.thanks", locale),
    ]
    return _finish(lines, locale, intent_key)


def digest_title(t: Translator, count: int, locale: str) -> str:
    """Title of the digest PM."""
    return t.translate("digest.title", locale, count=count)


def digest(t: Translator, needs: Sequence[NeedView], locale: str, intent_key: str) -> str:
    """The digest PM listing new needs that fit an expert, one line each with a link."""
    if not needs:
        raise ValueError("a digest lists at least one need")
    lines = [t.translate("digest.intro", locale, count=len(needs)), ""]
    for need in needs:
        lines.append(
            t.translate(
                "digest.item", locale, need=_need_ref(t, need, locale), commune=_commune(t, need, locale)
            )
        )
    lines += ["", t.translate("digest.footer", locale)]
    return _finish(lines, locale, intent_key)


def _present(text: str | None) -> bool:
    return bool(safe_text.clean(text))


def need_reference(t: Translator, need: NeedView, locale: str) -> str:
    """The need's title as a link to its topic."""
    return _need_ref(t, need, locale)


def _need_ref(t: Translator, need: NeedView, locale: str) -> str:
    return safe_text.topic_link(safe_text.quote(need.title, TITLE_LIMIT), need.topic_id)


def _commune(t: Translator, need: NeedView, locale: str) -> str:
    if not need.commune:
        return t.translate("common.unknown_commune", locale)
    if not need.province:
        return safe_text.plain(need.commune)
    return t.translate(
        "common.commune_in_province",
        locale,
        commune=safe_text.plain(need.commune),
        province=safe_text.plain(need.province),
    )


def _need_details(t: Translator, need: NeedView, locale: str) -> list[str]:
    lines = [t.translate("review.commune", locale, commune=_commune(t, need, locale)), ""]
    if _present(need.text):
        lines += [t.translate("review.request", locale, text=safe_text.quote(need.text, TEXT_LIMIT)), ""]
    return lines


def _candidate(t: Translator, rank: int, candidate: CandidateView, locale: str) -> list[str]:
    key = "review.candidate_named" if _present(candidate.name) else "review.candidate"
    heading = t.translate(
        key,
        locale,
        rank=rank,
        user=safe_text.user_link(candidate.username),
        name=safe_text.quote(candidate.name, 60),
        band=t.translate(f"review.band.{candidate.band}", locale),
    )
    lines = [heading, ""]
    if candidate.offered:
        lines += [t.translate("review.offered", locale), ""]
    if candidate.elsewhere:
        lines += [t.translate("review.elsewhere", locale, count=candidate.elsewhere), ""]
    if candidate.limit is not None:
        lines += [t.translate("review.at_limit", locale, count=candidate.limit), ""]
    if candidate.reasons:
        lines += [f"- {safe_text.plain(r)}" for r in candidate.reasons] + [""]
    lines += [t.translate("review.approve", locale, command=safe_text.code(candidate.approve_reply, 120))]
    if _present(candidate.approve_tag):
        tag = safe_text.code(candidate.approve_tag or "", 80)
        lines += ["", t.translate("review.approve_tag", locale, tag=tag)]
    return [*lines, ""]


def _volunteer(t: Translator, volunteer: CandidateView, locale: str) -> list[str]:
    key = "review.volunteer_named" if _present(volunteer.name) else "review.volunteer"
    lines = [t.translate(key, locale, user=safe_text.user_link(volunteer.username),
                         name=safe_text.quote(volunteer.name, 60)), ""]
    reasons = [f"- {safe_text.plain(r)}" for r in volunteer.reasons]
    lines += (reasons or [t.translate("review.volunteer_far", locale)]) + [""]
    return [*lines, t.translate("review.approve", locale,
                                command=safe_text.code(volunteer.approve_reply, 120)), ""]


def _how_to_answer(t: Translator, answer: Answer, locale: str) -> list[str]:
    lines = [
        t.translate(
            "intro.how",
            locale,
            accept=safe_text.code(answer.accept_reply, 120),
            decline=safe_text.code(answer.decline_reply, 120),
        ),
        "",
    ]
    if answer.answer_by is not None:
        lines += [t.translate("intro.deadline", locale, date=t.format_date(answer.answer_by, locale)), ""]
    return lines


def finish(lines: list[str], locale: str, intent_key: str) -> str:
    """Lines joined into a post in the locale's direction, ending with the intent's marker."""
    return f"{rtl(chr(10).join(lines).strip(), locale)}\n\n{marker(intent_key)}\n"


def rtl(body: str, locale: str) -> str:
    """The body wrapped right to left when the locale is written so."""
    if text_direction(locale) == "rtl":
        # Discourse's sanitiser allows div[dir] and div[lang]; the blank lines keep Markdown live inside.
        return f"{RTL_OPEN}\n\n{body}\n\n{RTL_CLOSE}"
    return body


_finish = finish
