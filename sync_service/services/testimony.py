"""A community manager's side of the follow-up: list the experiences, read the draft codev makes from
the answers, and publish it (as drafted or edited) in the practices category, once, through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sync_service.domain import followup as f_
from sync_service.domain import followup_posts, posts
from sync_service.domain.followup import Experience, Followup
from sync_service.domain.i18n import Translator
from sync_service.services.brokerage import need_locale, need_view
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent, UnitOfWork

UowFactory = Callable[[], UnitOfWork]
WAITING, PUBLISHABLE, PUBLISHED = "waiting", "publishable", "published"


@dataclass(frozen=True)
class ExperienceLine:
    """One experience as `codev testimony list` shows it."""

    need_topic_id: int
    title: str
    experience: Experience
    people: tuple[Followup, ...]

    @property
    def state(self) -> str:
        """waiting, publishable or published."""
        if self.experience.published_at is not None:
            return PUBLISHED
        return PUBLISHABLE if f_.publishable(self.people) else WAITING


@dataclass(frozen=True)
class Draft:
    """What would be published: the topic's title and text, in the need's language."""

    title: str
    raw: str
    locale: str


class NotPublishable(Exception):
    """The experience cannot be published; `reason` is its catalogue key (testimony.*)."""

    def __init__(self, reason: str, need_topic_id: int) -> None:
        super().__init__(f"{reason}: {need_topic_id}")
        self.reason, self.need_topic_id = reason, need_topic_id


def overview(uow: UnitOfWork) -> list[ExperienceLine]:
    """Every experience asked, most recent first, with the state of each person asked."""
    lines = []
    for experience in uow.followups.experiences():
        stored = uow.needs.get(experience.need_topic_id)
        title = stored.details.title if stored is not None else ""
        lines.append(ExperienceLine(experience.need_topic_id, title, experience,
                                    tuple(uow.followups.of_need(experience.need_topic_id))))
    return lines


def draft(uow: UnitOfWork, translator: Translator, need_topic_id: int) -> Draft:
    """The topic codev drafts from the answers (NotPublishable("unknown_need") without a follow-up)."""
    stored = uow.needs.get(need_topic_id)
    if stored is None or uow.followups.experience(need_topic_id) is None:
        raise NotPublishable("unknown_need", need_topic_id)
    need = stored.details
    locale, view = need_locale(need), need_view(need)
    return Draft(followup_posts.experience_title(translator, view, locale),
                 followup_posts.experience(translator, view, need.status,
                                           uow.followups.of_need(need_topic_id), locale), locale)


def publish(uow_factory: UowFactory, translator: Translator, need_topic_id: int, category_id: int,
            now: datetime, raw: str | None = None) -> Draft:
    """Put the experience's topic in the outbox (the draft, or `raw` as edited by the manager), once:
    only when everyone asked agreed, never a second time. Returns what was queued."""
    with uow_factory() as uow:
        uow.lock_entity("need", need_topic_id)
        made = draft(uow, translator, need_topic_id)
        experience = uow.followups.experience(need_topic_id, lock=True)
        if experience is None:
            raise NotPublishable("unknown_need", need_topic_id)
        if experience.published_at is not None:
            raise NotPublishable("already", need_topic_id)
        if not f_.publishable(uow.followups.of_need(need_topic_id)):
            raise NotPublishable("not_agreed", need_topic_id)
        key = f_.experience_key(need_topic_id)
        text = raw if raw is not None and raw.strip() else made.raw
        body = f"{text.rstrip()}\n\n{posts.marker(key)}\n"
        if not uow.followups.published(need_topic_id, now) or not enqueue(
                uow, Intent(key, "create_topic", {"title": made.title, "raw": body, "category": category_id}),
                now):
            raise NotPublishable("already", need_topic_id)
        uow.commit()
    return Draft(made.title, body, made.locale)
