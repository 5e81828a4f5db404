"""The follow-up of a need served or funded: after `lifecycle.followup_days`, its author and the experts
who accepted are each asked three questions in a private message in their language; their replies
there are recorded as answers, and a reply word says whether they agree to publication.

One transaction per need (asking) and per message read (answers); the intent keys are deterministic,
so a pass repeated after a crash asks nobody twice. Time is a parameter, never read here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sync_service.domain import brokerage as rules_
from sync_service.domain import followup as f_
from sync_service.domain import followup_posts
from sync_service.domain.followup import Experience, Followup
from sync_service.services.brokerage import BrokerageRules, need_locale, need_view
from sync_service.services.outbox import enqueue
from sync_service.services.ports.forum import ThreadReader
from sync_service.services.ports.storage import Intent, UnitOfWork
from sync_service.services.timers import expert_locale

log = logging.getLogger("codev.followup")
UowFactory = Callable[[], UnitOfWork]
# Needs served longer ago than this many delays are not asked (those served before the feature existed).
LOOK_BACK = 3


def ask_due(uow_factory: UowFactory, rules: BrokerageRules, now: datetime) -> int:
    """Ask the people of every need served or funded `followup_days` ago; how many needs were asked."""
    delay = timedelta(days=rules.followup_days)
    with uow_factory() as uow:
        due = uow.followups.due_needs(now - LOOK_BACK * delay, now - delay + timedelta(microseconds=1))
    asked = 0
    for topic_id in due:
        with uow_factory() as uow:
            uow.lock_entity("need", topic_id)
            asked += ask(uow, rules, topic_id, now)
            uow.commit()
    return asked


def ask(uow: UnitOfWork, rules: BrokerageRules, topic_id: int, now: datetime) -> int:
    """Record the follow-up of one need and the message to each person (1), or nothing (0) when it
    was asked already or the need is no longer served or funded. Never commits."""
    stored = uow.needs.get(topic_id, lock=True)
    if stored is None or stored.details.status not in f_.OUTCOMES:
        return 0
    if not uow.followups.add_experience(Experience(topic_id, now)):
        return 0  # another worker asked meanwhile
    need = stored.details
    people: list[tuple[int, str, str, str]] = []  # user id, username, role, locale
    if need.author_user_id is not None and need.author_username:
        people.append((need.author_user_id, need.author_username, f_.AUTHOR, need_locale(need)))
    for intro in uow.introductions.of_need(topic_id):
        if intro.status == rules_.ACCEPTED and intro.expert_user_id != need.author_user_id:
            expert = uow.experts.get(intro.expert_user_id)
            languages = expert.profile.languages if expert is not None else ()
            people.append((intro.expert_user_id, intro.expert_username, f_.EXPERT, expert_locale(languages)))
    t, view = rules.translator, need_view(need)
    for user_id, username, role, locale in people:
        if not uow.followups.add(Followup(topic_id, user_id, username, role, locale, now)):
            continue
        key = f_.followup_key(topic_id, user_id)
        raw = followup_posts.message(t, view, need.status, role, locale, key)
        enqueue(uow, Intent(key, "private_message", {
            "title": followup_posts.message_title(t, view, locale), "raw": raw,
            "target_recipients": [username, rules.managers_group]}, person_id=user_id), now)
    log.info("need %s: follow-up asked of %d person(s)", topic_id, len(people))
    return 1


def read_followup(uow: UnitOfWork, forum: ThreadReader, rules: BrokerageRules, seen: Followup,
                  topic_id: int, now: datetime) -> str:
    """The person's replies in their follow-up message: answers recorded, consent noted. Never commits."""
    uow.lock_entity("need", seen.need_topic_id)  # before the read, as for an introduction
    snapshot = forum.thread(topic_id, seen.last_post_number)
    current = uow.followups.get(seen.need_topic_id, seen.user_id, lock=True)
    if current is None or snapshot is None:
        return "ignored"
    before, last = current, current.last_post_number
    verbs: list[str] = []
    for post in snapshot.posts:
        if post.post_number <= last:
            continue  # another worker read it meanwhile
        last = post.post_number
        if post.user_id != current.user_id and post.username.casefold() != current.username.casefold():
            continue  # the managers may talk in the message; only the person's own words are kept
        reply = f_.read_reply(post.raw, rules.words)
        current = f_.with_reply(current, reply, now)
        if reply.verb is not None:
            verbs.append(reply.verb)
    published = uow.followups.experience(current.need_topic_id)
    if published is not None and published.published_at is not None:
        current = dataclasses.replace(current, consent=before.consent, consent_at=before.consent_at)
        verbs = []  # once published, a change of mind is for the managers, who are in the message
    uow.followups.save(dataclasses.replace(current, last_post_number=last), now)
    base = f_.followup_key(current.need_topic_id, current.user_id)
    t = rules.translator
    if before.answered_at is None and current.answered_at is not None:
        enqueue(uow, Intent(f"{base}:thanks", "reply", {
            "topic_id": topic_id, "raw": followup_posts.thanks(t, current.locale, f"{base}:thanks")},
            person_id=current.user_id), now)
    for verb in dict.fromkeys(verbs):
        key = f"{base}:{verb}"
        enqueue(uow, Intent(key, "reply", {
            "topic_id": topic_id, "raw": followup_posts.consent_noted(t, verb, current.locale, key)},
            person_id=current.user_id), now)
    if verbs:
        return "agreed" if current.consent else "kept private"
    return "answered" if current.answered_at != before.answered_at else "read"


def listening_topics(uow: UnitOfWork, rules: BrokerageRules, now: datetime) -> list[int]:
    """The follow-up messages the sweep re-reads: asked lately, experience not published, message sent."""
    since = now - LOOK_BACK * timedelta(days=rules.followup_days)
    return [f.pm_topic_id for f in uow.followups.listening(since) if f.pm_topic_id is not None]
