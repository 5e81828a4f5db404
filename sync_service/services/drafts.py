"""A reply in an imported plan's draft: "je confirme ce besoin" from a member of the organisation's group
or a community manager lists the draft (through the outbox, once); it then reads as a need."""

from __future__ import annotations

import logging
from datetime import datetime

from sync_service.domain import brokerage as rules_
from sync_service.services.brokerage import BrokerageRules
from sync_service.services.outbox import enqueue
from sync_service.services.ports.forum import ThreadReader
from sync_service.services.ports.records import PlanRecord
from sync_service.services.ports.storage import Intent, UnitOfWork

log = logging.getLogger("codev.plans")


def read_draft(uow: UnitOfWork, forum: ThreadReader, rules: BrokerageRules, draft: PlanRecord, topic_id: int,
               now: datetime) -> str:
    """Queue the listing of the draft when a reply confirms it and its author may ("confirmed"), else
    "ignored", so that sync reads the topic; never commits. Every reply is read each time (a draft has
    few): the listing's intent key makes it once."""
    snapshot = forum.thread(topic_id, 1)
    if snapshot is None:
        return "ignored"
    for post in snapshot.posts:
        if rules_.read_command(post.raw, rules.words, rules_.DRAFT_VERBS) is None:
            continue
        groups = forum.groups_of(post.username) or ()
        if post.staff or rules.managers_group in groups or draft.organisation in groups:
            key = f"plan:{draft.key}"
            if not enqueue(uow, Intent(f"{key}:list", "list_topic", {}, depends_on=key), now):
                uow.rollback()  # no transaction left open: sync takes the need's lock first
                return "ignored"  # already queued (or listed): sync reads the topic next
            log.info("draft topic %s: confirmed by %s; listing queued", topic_id, post.username)
            return "confirmed"
        log.info("draft topic %s: a confirmation by %s ignored (not of %s nor a community manager)",
                 topic_id, post.username, draft.organisation)
    return "ignored"  # the worker then lets sync read the topic (a draft listed is a need)
