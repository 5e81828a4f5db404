"""Brokered introductions: who is introduced to which need, how they answer, when reminders and expiry
fall, and what status the need takes. Pure rules; the use cases (services/brokerage.py) apply them.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync_service.domain.lifecycle import CLOSED, OPEN

PENDING = "pending"      # the introduction PM is decided (or sent); the expert has not answered
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"      # no answer after the reminder and the second delay
WITHDRAWN = "withdrawn"  # the need closed, or the expert left, before an answer
DISCARDED = "discarded"  # a community manager set the candidate aside: nobody was contacted
INTRODUCTION_STATUSES = (PENDING, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN, DISCARDED)

MATCHED = "matched"
IN_PROGRESS = "in_progress"
SERVED = "served"
FUNDED = "funded"
# Statuses a person sets (served, funded) or the forum sets (closed): codev's rules never leave them.
FINAL_STATUSES = (SERVED, FUNDED, CLOSED)

# Verbs of the reply commands; their words in each language come from the catalogues (commands.*).
APPROVE, DISCARD, ACCEPT, DECLINE = "approve", "discard", "accept", "decline"
MARK_SERVED, MARK_FUNDED = "served", "funded"
REVIEW_VERBS = (APPROVE, DISCARD, MARK_SERVED, MARK_FUNDED)
CONFIRM = "confirm"
DRAFT_VERBS = (CONFIRM,)  # in an imported plan's draft: the commune (or a manager) confirms the need
ANSWER_VERBS = (ACCEPT, DECLINE)


@dataclass(frozen=True)
class Delays:
    """How long an expert has to answer: a reminder after the first delay, expiry after the second."""

    reminder: timedelta
    expiry: timedelta  # counted from the reminder


@dataclass(frozen=True)
class Introduction:
    """One expert introduced to one need (at most one per pair, ever)."""

    need_topic_id: int
    expert_user_id: int
    expert_username: str
    status: str
    reviewed: bool           # a community manager approved it (False: direct introductions setting)
    opened_at: datetime
    remind_at: datetime
    expire_at: datetime
    approved_by: str | None = None
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None   # answered, expired or withdrawn
    last_post_number: int = 1           # posts of the PM already read
    pm_topic_id: int | None = None      # the PM's topic once the outbox sent it (read-only, joined)
    pm_sent_at: datetime | None = None  # when the outbox knew the PM on the forum (read-only, joined)


@dataclass(frozen=True)
class Volunteer:
    """A member who pressed "Je peux aider" on a need (the codev plugin) and has not withdrawn."""

    need_topic_id: int
    user_id: int
    username: str
    offered_at: datetime


@dataclass(frozen=True)
class ShownCandidate:
    """A candidate as the review thread last showed them (rank order), for commands naming a rank."""

    user_id: int
    username: str


@dataclass(frozen=True)
class ReviewThread:
    """codev's staff-only review topic of one need: created once, then edited in place."""

    need_topic_id: int
    revision: int = 0            # edits decided so far (0: only the first post)
    content_hash: str = ""       # of the last text decided, to edit only when it changes
    shown: tuple[ShownCandidate, ...] = ()
    last_post_number: int = 1    # replies already read
    locale: str = "fr"
    topic_id: int | None = None  # the review topic once the outbox sent it (read-only, joined)
    post_id: int | None = None
    published: bool = False      # the forum shows the text last decided (its write was sent; read-only)
    handled_tags: tuple[str, ...] = ()  # approval tags already acted on (each once while it stays)


@dataclass(frozen=True)
class Command:
    """A reply command: its verb and what it names (a username or a rank), if anything."""

    verb: str
    username: str | None = None
    rank: int | None = None


def intent_keys(need_topic_id: int, expert_user_id: int) -> dict[str, str]:
    """Outbox intent keys of one introduction's posts (deterministic: deciding twice is one write)."""
    base = f"intro:{need_topic_id}:{expert_user_id}"
    return {"pm": base, "reminder": f"{base}:reminder", "expiry": f"{base}:expiry"}


def review_key(need_topic_id: int, revision: int = 0) -> str:
    """Outbox key of the review topic (revision 0) or of its n-th edit."""
    return f"review:{need_topic_id}" if revision == 0 else f"review:{need_topic_id}:r{revision}"


def open_introduction(need_topic_id: int, expert_user_id: int, expert_username: str, now: datetime,
                      delays: Delays, reviewed: bool, approved_by: str | None = None) -> Introduction:
    """A new pending introduction with its reminder and expiry dates."""
    remind_at = now + delays.reminder
    return Introduction(need_topic_id, expert_user_id, expert_username, PENDING, reviewed, now,
                        remind_at, remind_at + delays.expiry, approved_by=approved_by)


def due_step(intro: Introduction, now: datetime) -> str | None:
    """"remind", "expire" or None: what the clock asks of a pending introduction now."""
    if intro.status != PENDING:
        return None
    if intro.reminded_at is None:
        if intro.pm_sent_at is None:
            # the message is not on the forum yet: nobody can have read it, its clock has not started;
            # one that never gets there ends at its expiry date, so that the need moves on
            return "expire" if now >= intro.expire_at else None
        # the first delay runs from the message on the forum, not from the approval; never expire
        # without a reminder first, even when the worker was down past the expiry date
        late = max(intro.pm_sent_at - intro.opened_at, timedelta(0))
        return "remind" if now >= intro.remind_at + late else None
    return "expire" if now >= intro.expire_at else None


def answered(intro: Introduction, accepted: bool, now: datetime) -> Introduction:
    """The introduction once the expert said yes or no (only a pending one changes)."""
    if intro.status != PENDING:
        return intro
    return dataclasses.replace(intro, status=ACCEPTED if accepted else DECLINED, answered_at=now,
                               closed_at=now)


def discarded(need_topic_id: int, expert_user_id: int, expert_username: str, now: datetime,
              by: str) -> Introduction:
    """A candidate set aside in review: recorded so that they are not proposed again for this need."""
    return Introduction(need_topic_id, expert_user_id, expert_username, DISCARDED, True, now, now, now,
                        approved_by=by, closed_at=now)


def ended(intro: Introduction, status: str, now: datetime) -> Introduction:
    """A pending introduction expired or withdrawn."""
    if intro.status != PENDING:
        return intro
    return dataclasses.replace(intro, status=status, closed_at=now)


def need_status(current: str, introductions: Iterable[Introduction]) -> str:
    """open -> matched (an introduction awaits an answer) -> in_progress (one was accepted); served,
    funded and closed are set by people or the forum and stay."""
    if current in FINAL_STATUSES:
        return current
    statuses = {i.status for i in introductions}
    if ACCEPTED in statuses:
        return IN_PROGRESS
    if PENDING in statuses:
        return MATCHED
    return OPEN


def takes_candidates(status: str, introductions: Iterable[Introduction]) -> bool:
    """Whether the need still looks for an expert: open or matched, nobody accepted yet."""
    return status in (OPEN, MATCHED) and all(i.status != ACCEPTED for i in introductions)


def already_asked(introductions: Iterable[Introduction]) -> set[int]:
    """Experts never proposed again for this need: introduced once, whatever came of it."""
    return {i.expert_user_id for i in introductions}


def direct_openings(status: str, introductions: Sequence[Introduction], per_need: int) -> int:
    """How many introductions the direct setting opens now: up to per_need awaiting at once."""
    if not takes_candidates(status, introductions):
        return 0
    return max(0, per_need - sum(1 for i in introductions if i.status == PENDING))


def open_loads(introductions: Iterable[Introduction]) -> dict[int, int]:
    """Pending or accepted introductions per expert (matching spreads the load)."""
    loads: dict[int, int] = {}
    for intro in introductions:
        if intro.status in (PENDING, ACCEPTED):
            loads[intro.expert_user_id] = loads.get(intro.expert_user_id, 0) + 1
    return loads


# --- reply commands ---------------------------------------------------------------------------

# Markdown a command may be wrapped in; "_" stays: usernames carry it (emphasis with * is the norm).
_MARKUP = re.compile(r"[*`~>#\[\]()]+")
_RANK = re.compile(r"#?(\d{1,2})")
_RANK_DIGITS = re.compile(r"\d{1,2}")
_USERNAME = re.compile(r"@?([\w.\-]{1,60})")
_SEPARATORS = re.compile(r"[\s,;:!?،؛]+")
_ENDS = " \t:,;.!?،؛"  # what may follow a command word


def fold(text: str) -> str:
    """Lower case, accents off, typographic apostrophes straight: how commands are compared."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u02bc", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def command_words(phrases: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """verb -> its phrases folded, longest first (so "je decline" wins over "je")."""
    return {verb: tuple(sorted({fold(p).strip() for p in words if p.strip()}, key=len, reverse=True))
            for verb, words in phrases.items()}


def read_command(raw: str, words: Mapping[str, tuple[str, ...]], verbs: Sequence[str]) -> Command | None:
    """The command a reply starts with: its first line that is not a quote, opening with one of the
    verbs' phrases, then (for approve/discard) a username or a rank. None when it is ordinary talk."""
    line = _first_line(raw)
    if not line:
        return None
    folded = fold(_MARKUP.sub(" ", line)).strip()
    for verb in verbs:
        for phrase in words.get(verb, ()):
            if folded == phrase or folded.startswith(phrase + " ") or _ends_word(folded, phrase):
                rest = folded[len(phrase):].strip(" :,.!-")
                return _with_argument(verb, rest)
    return None


def own_lines(raw: str) -> list[str]:
    """The lines a person wrote in a post: quotes, HTML comments and blank lines left out."""
    out, in_quote = [], False
    for line in raw.splitlines():
        stripped = line.strip()
        if stripped.startswith("[quote"):
            in_quote = True
        if in_quote:
            in_quote = "[/quote]" not in stripped
            continue
        if stripped and not stripped.startswith((">", "<!--")):
            out.append(stripped)
    return out


def _first_line(raw: str) -> str:
    lines = own_lines(raw)
    return lines[0] if lines else ""


def _ends_word(folded: str, phrase: str) -> bool:
    return folded.startswith(phrase) and len(folded) > len(phrase) and folded[len(phrase)] in _ENDS


def _with_argument(verb: str, rest: str) -> Command:
    if verb not in (APPROVE, DISCARD) or not rest:
        return Command(verb)
    token = _SEPARATORS.split(rest, maxsplit=1)[0].rstrip(".")
    rank = _RANK.fullmatch(token)
    if rank:
        return Command(verb, rank=int(rank.group(1)))
    name = _USERNAME.fullmatch(token)
    return Command(verb, username=name.group(1) if name else None)


def approve_tag(prefix: str, rank: int) -> str | None:
    """The tag that approves the candidate at this rank, or None when tags do not approve (no prefix)."""
    return f"{prefix}{rank}" if prefix else None


def tag_ranks(tags: Iterable[str], prefix: str) -> dict[str, int]:
    """tag -> rank of the review topic's tags that read `<prefix><n>` (compared without case)."""
    wanted = prefix.casefold()
    ranks: dict[str, int] = {}
    for tag in tags:
        folded = tag.casefold()
        rank = _RANK_DIGITS.fullmatch(folded[len(wanted):]) if wanted and folded.startswith(wanted) else None
        if rank is not None and int(rank.group(0)) >= 1:
            ranks[tag] = int(rank.group(0))
    return ranks


def tags_to_apply(tags: Sequence[str], handled: Sequence[str], prefix: str) -> tuple[dict[str, int],
                                                                                      tuple[str, ...]]:
    """The approval tags not acted on yet (tag -> rank), and the handled tags once those that left the
    topic are dropped (so that a tag added again is acted on again) and the new ones added."""
    ranks = tag_ranks(tags, prefix)
    kept = tuple(t for t in handled if t in ranks)
    new = {t: r for t, r in ranks.items() if t not in kept}
    return new, (*kept, *new)


def named(command: Command, shown: Sequence[ShownCandidate]) -> ShownCandidate | None:
    """The candidate a review command names, by username or by rank in the version last shown."""
    if command.rank is not None:
        return shown[command.rank - 1] if 1 <= command.rank <= len(shown) else None
    if command.username is not None:
        wanted = command.username.casefold()
        return next((c for c in shown if c.username.casefold() == wanted), None)
    return shown[0] if len(shown) == 1 else None
