"""What people answer in codev's threads: community managers' commands in a review topic, the expert's
yes or no in an introduction PM. Each post is read once (last_post_number), each command applied once.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

from sync_service.domain import brokerage as rules_
from sync_service.domain import posts, safe_text
from sync_service.domain.brokerage import Command, Introduction, ReviewThread, ShownCandidate
from sync_service.domain.needs import NeedDetails
from sync_service.services.brokerage import (
    BrokerageRules,
    need_locale,
    need_view,
    open_introduction,
    set_status,
    withdraw,
)
from sync_service.services.drafts import read_draft
from sync_service.services.followup import read_followup
from sync_service.services.outbox import enqueue
from sync_service.services.ports.forum import ThreadPost, ThreadReader
from sync_service.services.ports.matching import Ranker
from sync_service.services.ports.storage import Deferred, Intent, UnitOfWork

log = logging.getLogger("codev.brokerage")
# Outcomes of a review command that change a need or its introductions.
DECISIONS = ("approved", "discarded", rules_.SERVED, rules_.FUNDED)
# Seconds before a reply kept for an unsettled outbox is read again (a database read, no forum call).
UNSETTLED_WAIT = 2.0


def read_thread(uow: UnitOfWork, forum: ThreadReader, ranker: Ranker, rules: BrokerageRules,
                topic_id: int, now: datetime) -> str:
    """A reply (or an edit) in a topic codev opened: apply the commands it holds. Never commits."""
    review = uow.reviews.by_topic(topic_id)
    intro = uow.introductions.by_pm_topic(topic_id) if review is None else None
    followup = uow.followups.by_pm_topic(topic_id) if review is None and intro is None else None
    draft = uow.plans.by_topic(topic_id) if review is None and intro is None and followup is None else None
    if draft is not None and draft.confirmed_at is None:
        uow.rollback()  # no write lock held while the thread is read over HTTP
        return read_draft(uow, forum, rules, draft, topic_id, now)
    if review is None and intro is None and followup is None and uow.needs.get(topic_id) is None \
            and uow.outbox.unsettled_topics():
        # the forum may hold a topic codev opened and does not know yet (its write answered 500, or
        # the sender died after it): a reply there is kept until the outbox settles, never dropped (a
        # need codev holds is no topic of its own: its events go on at once)
        raise Deferred(f"topic {topic_id}: a topic codev opened may not be known yet", UNSETTLED_WAIT)
    # Nothing is written yet: end the transaction, so that SQLite's write lock is not held while the
    # thread is read over HTTP; the use case locks the need, then reads the thread and its rows again.
    uow.rollback()
    if review is not None:
        return read_review(uow, forum, ranker, rules, review, topic_id, now)
    if intro is not None:
        return read_introduction(uow, forum, rules, intro, topic_id, now)
    if followup is not None:
        return read_followup(uow, forum, rules, followup, topic_id, now)
    return "ignored"


def read_review(uow: UnitOfWork, forum: ThreadReader, ranker: Ranker, rules: BrokerageRules,
                review: ReviewThread, topic_id: int, now: datetime) -> str:
    """Apply the community managers' commands posted in a review topic since it was last read."""
    # The need's lock before the thread is read, held until the unit ends: two workers reading one
    # topic apply what they read in the order they read it (a tag seen removed stays removed).
    uow.lock_entity("need", review.need_topic_id)
    snapshot = forum.thread(topic_id, review.last_post_number)
    if snapshot is None:
        return "ignored"
    commands = []
    for post in snapshot.posts:
        command = rules_.read_command(post.raw, rules.words, rules_.REVIEW_VERBS)
        if command is not None and not _may_review(forum, rules, post):
            log.info("review topic %s: %s by %s ignored (not a community manager)", topic_id,
                     command.verb, post.username)
            command = None
        commands.append((post, command))
    current = uow.reviews.get(review.need_topic_id, lock=True)
    if current is None or uow.needs.get(review.need_topic_id, lock=True) is None:
        return "ignored"
    outcomes, last = ["read"], current.last_post_number
    for post, command in commands:
        if post.post_number <= last:
            continue  # another worker read it meanwhile
        last = post.post_number
        need = uow.needs.get(review.need_topic_id)
        if command is not None and need is not None:
            said = Said(f"p{post.post_number}", post.post_number)
            outcomes.append(_apply(uow, ranker, rules, need.details, need.fetched_at, current, topic_id,
                                   command, now, post.username, said))
    # Tags after the replies of the same read. Only staff and the managers' group see this staff-only
    # category, so whoever could tag the topic may approve: no check of who added the tag.
    new, handled = rules_.tags_to_apply(snapshot.tags, current.handled_tags, rules.approve_tag_prefix)
    for tag, rank in new.items():
        need = uow.needs.get(review.need_topic_id)
        if need is not None:
            log.info("review topic %s: tag %s approves rank %s", topic_id, tag, rank)
            # the key names the rank (in ASCII, whatever digits the tag was written with) and the
            # revision shown: a tag added again under the same text is answered once
            said = Said(f"{rules_.approve_tag(rules.approve_tag_prefix, rank)}:r{current.revision}", None)
            outcomes.append(_apply(uow, ranker, rules, need.details, need.fetched_at, current, topic_id,
                                   Command(rules_.APPROVE, rank=rank), now, tag[:60], said))
    uow.reviews.save(dataclasses.replace(current, last_post_number=last, handled_tags=handled))
    # several commands in one read: what changed the need counts (the loop re-ranks after it)
    return next((o for o in outcomes if o in DECISIONS), outcomes[-1])


@dataclass(frozen=True)
class Said:
    """Where codev answers a command it could not carry out: its intent key's tail, the post replied to."""

    key: str
    reply_to: int | None


def _may_review(forum: ThreadReader, rules: BrokerageRules, post: ThreadPost) -> bool:
    return post.staff or rules.managers_group in (forum.groups_of(post.username) or ())


def _apply(uow: UnitOfWork, ranker: Ranker, rules: BrokerageRules, need: NeedDetails,
           fetched_at: datetime, review: ReviewThread, topic_id: int, command: Command, now: datetime,
           by: str, said: Said) -> str:
    intros = uow.introductions.of_need(need.topic_id)
    if command.verb in (rules_.MARK_SERVED, rules_.MARK_FUNDED):
        status = rules_.SERVED if command.verb == rules_.MARK_SERVED else rules_.FUNDED
        for intro in intros:
            if intro.status == rules_.PENDING:
                withdraw(uow, rules, need, intro, now)
        uow.needs.save(dataclasses.replace(need, status=status), fetched_at, now)
        enqueue(uow, Intent(f"need:{need.topic_id}:close", "close_topic", {"topic_id": need.topic_id}), now)
        return status
    if command.rank is not None and not review.published:
        # the ranking changed and the forum still shows the previous one: a rank would name another
        locale = need_locale(need)
        example = posts.offered_reply(rules.translator, rules_.APPROVE, locale,
                                      rules.translator.translate("replies.someone", locale))
        _say(uow, rules, need, topic_id, said, "review.rank_changed", now, example=safe_text.code(example))
        return "ranking changed"
    target = _target(uow, command, review.shown)
    if target is None:
        _say(uow, rules, need, topic_id, said, "review.unknown_candidate", now,
             name=safe_text.quote(command.username or str(command.rank or ""), 60))
        return "unknown candidate"
    if any(i.expert_user_id == target.user_id for i in intros):
        return "already asked"
    if command.verb == rules_.DISCARD:
        uow.introductions.add(rules_.discarded(need.topic_id, target.user_id, target.username, now,
                                               by))
        return "discarded"
    if not rules_.takes_candidates(rules_.need_status(need.status, intros), intros):
        _say(uow, rules, need, topic_id, said, "review.not_looking", now)
        return "not looking"
    reasons = ranker.reasons(need.topic_id, target.user_id, need_locale(need))
    intro = open_introduction(uow, rules, need, target.user_id, target.username, reasons, now,
                              reviewed=True, by=by)
    set_status(uow, need, [*intros, intro], now, fetched_at)
    return "approved"


def _target(uow: UnitOfWork, command: Command,
            shown: tuple[ShownCandidate, ...]) -> ShownCandidate | None:
    found = rules_.named(command, shown)
    if found is not None or command.username is None:
        return found
    # a manager may approve someone codev did not rank, as long as they are a consenting expert
    stored = uow.experts.by_username(command.username)
    if stored is None or not stored.profile.matchable:
        return None
    return ShownCandidate(stored.profile.user_id, stored.profile.username)


def _say(uow: UnitOfWork, rules: BrokerageRules, need: NeedDetails, topic_id: int, said: Said,
         message: str, now: datetime, **values: object) -> None:
    """A short reply to a command codev could not carry out (once per post or tag)."""
    locale = need_locale(need)
    raw = rules.translator.translate(message, locale, **values)
    payload: dict[str, object] = {"topic_id": topic_id, "raw": raw}
    if said.reply_to is not None:
        payload["reply_to_post_number"] = said.reply_to
    enqueue(uow, Intent(f"review:{need.topic_id}:{said.key}", "reply", payload), now)


def read_introduction(uow: UnitOfWork, forum: ThreadReader, rules: BrokerageRules,
                      intro: Introduction, topic_id: int, now: datetime) -> str:
    """The expert's yes or no in the introduction PM; the need's status follows."""
    uow.lock_entity("need", intro.need_topic_id)  # before the read, as for a review topic
    snapshot = forum.thread(topic_id, intro.last_post_number)
    current = uow.introductions.get(intro.need_topic_id, intro.expert_user_id, lock=True)
    if current is None or snapshot is None:
        return "ignored"
    before, last = current, current.last_post_number
    for post in snapshot.posts:
        if post.post_number <= last:
            continue  # another worker read it meanwhile
        last = post.post_number
        mine = post.user_id == current.expert_user_id or post.username.casefold() == \
            current.expert_username.casefold()
        command = rules_.read_command(post.raw, rules.words, rules_.ANSWER_VERBS) if mine else None
        if command is not None and current.status == rules_.PENDING:
            current = rules_.answered(current, command.verb == rules_.ACCEPT, now)
        elif command is not None and current.status in (rules_.EXPIRED, rules_.WITHDRAWN):
            _too_late(uow, rules, current, topic_id, now)
    uow.introductions.save(dataclasses.replace(current, last_post_number=last))
    if current.status == before.status:
        return "read"
    stored = uow.needs.get(current.need_topic_id, lock=True)
    if stored is not None:
        intros = [current if i.expert_user_id == current.expert_user_id else i
                  for i in uow.introductions.of_need(current.need_topic_id)]
        set_status(uow, stored.details, intros, now, stored.fetched_at)
        _acknowledge(uow, rules, stored.details, current, topic_id, now)
    return current.status


def _acknowledge(uow: UnitOfWork, rules: BrokerageRules, need: NeedDetails, intro: Introduction,
                 topic_id: int, now: datetime) -> None:
    locale = need_locale(need)
    key = "answer.accepted" if intro.status == rules_.ACCEPTED else "answer.declined"
    raw = rules.translator.translate(key, locale, expert=safe_text.user_link(intro.expert_username),
                                     need=posts.need_reference(rules.translator, need_view(need), locale))
    pm = rules_.intent_keys(intro.need_topic_id, intro.expert_user_id)["pm"]
    enqueue(uow, Intent(f"{pm}:answer", "reply", {"topic_id": topic_id, "raw": raw},
                        person_id=intro.expert_user_id), now)


def _too_late(uow: UnitOfWork, rules: BrokerageRules, intro: Introduction, topic_id: int,
              now: datetime) -> None:
    """An answer after expiry or withdrawal: thank the expert once, and let the managers follow up."""
    stored = uow.needs.get(intro.need_topic_id)
    locale = need_locale(stored.details) if stored is not None else "fr"
    pm = rules_.intent_keys(intro.need_topic_id, intro.expert_user_id)["pm"]
    enqueue(uow, Intent(f"{pm}:late", "reply", {"topic_id": topic_id,
                                                "raw": rules.translator.translate("late.body", locale)},
                        person_id=intro.expert_user_id), now)
