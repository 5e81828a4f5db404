"""Follow-up of a need served or funded: who is asked, how their replies become answers and consent,
and when a "retour d'expérience" may be published. Pure rules; services/followup.py applies them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sync_service.domain.brokerage import FUNDED, SERVED, own_lines, read_command

OUTCOMES = (SERVED, FUNDED)  # the statuses after which the people of a need are asked
AUTHOR, EXPERT = "author", "expert"
# Reply verbs of a follow-up message; their words come from commands.* of every catalogue.
PUBLISH, KEEP_PRIVATE = "publish", "keep_private"
FOLLOWUP_VERBS = (PUBLISH, KEEP_PRIVATE)
QUESTIONS = ("done", "changed", "recommend")  # what was done, what changed, would you recommend
ANSWER_LIMIT = 1200  # characters kept of each answer: a testimony, not an archive of the thread
# "1." "2)" "3 -" "١." at the start of a line opens the answer to that question
_NUMBERED = re.compile(r"^\s*(?:\*\*)?([1-3١-٣])\s*(?:\*\*)?\s*[.)\-:–]\s*(?:\*\*)?\s*(.*)$")
_ARABIC_DIGITS = str.maketrans("١٢٣", "123")


@dataclass(frozen=True)
class Followup:
    """One person (the need's author, or an expert who accepted) asked about a need's outcome."""

    need_topic_id: int
    user_id: int
    username: str
    role: str  # AUTHOR | EXPERT
    locale: str
    asked_at: datetime
    answers: tuple[str, str, str] = ("", "", "")  # in the order of QUESTIONS
    answered_at: datetime | None = None  # their first answer
    consent: bool | None = None  # None: not said; the last word said counts until publication
    consent_at: datetime | None = None
    last_post_number: int = 1  # posts of the message already read
    pm_topic_id: int | None = None  # the message's topic once the outbox sent it (read-only, joined)

    @property
    def answered(self) -> bool:
        """Whether anything of theirs is recorded."""
        return any(self.answers)


@dataclass(frozen=True)
class Experience:
    """A need whose people were asked: published once, on a community manager's action."""

    need_topic_id: int
    asked_at: datetime
    published_at: datetime | None = None  # when the publication was decided (its topic is in the outbox)
    topic_id: int | None = None  # the published topic once the outbox sent it (read-only, joined)


@dataclass(frozen=True)
class Reply:
    """What one post of a person says: a consent word (or None) and answers (empty when none)."""

    verb: str | None
    answers: tuple[str, str, str]


def followup_key(need_topic_id: int, user_id: int) -> str:
    """Outbox key of the follow-up message to one person about one need."""
    return f"followup:{need_topic_id}:{user_id}"


def experience_key(need_topic_id: int) -> str:
    """Outbox key of the published "retour d'expérience" topic of a need."""
    return f"experience:{need_topic_id}"


def is_due(served_at: datetime, now: datetime, delay_days: float) -> bool:
    """Whether the follow-up delay has run since the need was served or funded."""
    return (now - served_at).total_seconds() >= delay_days * 86400


def read_reply(raw: str, words: Mapping[str, tuple[str, ...]]) -> Reply:
    """A post of the person: the consent word a line of it starts with (the last one, if several), and
    the answers the other lines give (numbered 1, 2, 3 for those questions; not numbered: the first)."""
    verb, answers = None, []
    for line in own_lines(raw):
        command = read_command(line, words, FOLLOWUP_VERBS)
        if command is None:
            answers.append(line)
        else:
            verb = command.verb  # the consent sentence is no answer
    return Reply(verb, split_answers(answers))


def split_answers(lines: Sequence[str]) -> tuple[str, str, str]:
    """Lines of a reply, by question: numbered lines open a question, the others continue the last."""
    parts: list[list[str]] = [[], [], []]
    current = 0
    for line in lines:
        numbered = _NUMBERED.match(line)
        if numbered is not None:
            current = int(numbered.group(1).translate(_ARABIC_DIGITS)) - 1
            line = numbered.group(2)
        if line.strip():
            parts[current].append(line.strip())
    first, second, third = (" ".join(p)[:ANSWER_LIMIT] for p in parts)
    return first, second, third


def with_reply(followup: Followup, reply: Reply, now: datetime) -> Followup:
    """The follow-up once a post of the person is read: answers added, the consent word noted."""
    answers = tuple(" ".join(filter(None, (old, new)))[:ANSWER_LIMIT]
                    for old, new in zip(followup.answers, reply.answers, strict=True))
    changed = dataclasses.replace(followup, answers=(answers[0], answers[1], answers[2]))
    if changed.answered and followup.answered_at is None:
        changed = dataclasses.replace(changed, answered_at=now)
    if reply.verb is not None:
        changed = dataclasses.replace(changed, consent=reply.verb == PUBLISH, consent_at=now)
    return changed


def publishable(followups: Sequence[Followup]) -> bool:
    """Everyone asked agreed to publish, and someone answered."""
    agreed = all(f.consent is True for f in followups)
    return bool(followups) and agreed and any(f.answered for f in followups)
