"""The real plan import: one record per plan row and, in the same transaction, one outbox intent per
draft (created unlisted in the needs category; edited while it is a draft). Exactly once: the intent key
`plan:<stable key>` is the topic's external_id, so importing again, twice or after a crash, creates
nothing twice. Nothing is shown to experts or matched until a person lists the draft (docs/plan-import.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sync_service.domain.plans.drafts import Decisions, Draft, Known, decide
from sync_service.domain.plans.review import ReviewStyle, changed_lines, review_key, review_message
from sync_service.domain.plans.rows import PlanReading, Proposal
from sync_service.services.outbox import enqueue
from sync_service.services.ports.records import PlanRecord
from sync_service.services.ports.storage import Intent, UnitOfWork

PREFIX = "plan:"


def known_fingerprints(uow: UnitOfWork, organisation: str) -> dict[str, str]:
    """Stable key -> fingerprint of the organisation's rows already imported (the dry run's statuses)."""
    return {r.key: r.fingerprint for r in uow.plans.of_organisation(organisation)}


def draft_key(key: str) -> str:
    """The intent that creates the draft of this plan row."""
    return PREFIX + key


@dataclass(frozen=True)
class ImportResult:
    """What the import decided, and which decided intents were new (False: already in the outbox)."""

    decisions: Decisions
    intents_added: int
    review_queued: bool = False


def import_plan(uow: UnitOfWork, reading: PlanReading, organisation: str, category_id: int,
                render: Callable[[Proposal], Draft], now: datetime,
                review: ReviewStyle | None = None) -> ImportResult:
    """Record every kept row and enqueue its draft's creation or edit, then (with `review`) the message
    that tells the organisation and the community managers, in the caller's transaction (it commits).
    The reading must have been made with `known_fingerprints` of the same unit of work."""
    records = {r.key: r for r in uow.plans.of_organisation(organisation)}
    known = [Known(r.key, r.row, r.title, r.fingerprint, r.revision, r.confirmed_at is not None)
             for r in records.values()]
    decisions = decide(reading, known)
    added = 0
    for proposal in decisions.create:
        draft = render(proposal)
        payload = {"title": draft.title, "raw": draft.raw, "category": category_id, "visible": False}
        added += enqueue(uow, Intent(draft_key(_key(proposal)), "create_topic", payload), now)
        uow.plans.save(_record(proposal, organisation, 0), now)
    for proposal, revision in decisions.edit:
        key = draft_key(_key(proposal))
        payload = {"raw": render(proposal).raw, "edit_reason": f"plan r{revision}"}
        added += enqueue(uow, Intent(f"{key}:r{revision}", "edit_post", payload, depends_on=key), now)
        uow.plans.save(_record(proposal, organisation, revision), now)
    for proposal in (*decisions.unchanged, *decisions.kept):
        stored = records[_key(proposal)]
        if stored.row != proposal.row:  # the same project moved in the file: remember where it is now
            moved = PlanRecord(stored.key, organisation, proposal.row, stored.title, stored.fingerprint,
                               stored.revision)
            uow.plans.save(moved, now)
    queued = review is not None and _queue_review(uow, decisions, records, organisation, render, review, now)
    return ImportResult(decisions, added + queued, queued)


def _queue_review(uow: UnitOfWork, decisions: Decisions, records: dict[str, PlanRecord], organisation: str,
                  render: Callable[[Proposal], Draft], style: ReviewStyle, now: datetime) -> bool:
    """The review message, once per set of drafts created or edited (its key); False if none or queued."""
    key = review_key(organisation, decisions, PREFIX)
    if key is None:
        return False
    changes: dict[int, tuple[list[str], list[str]]] = {}
    for proposal in decisions.kept:  # what the confirmed need said, from the last write of its draft
        stored = records[_key(proposal)]
        last = draft_key(stored.key) + (f":r{stored.revision}" if stored.revision else "")
        written = uow.outbox.find(last)
        if written is not None and written.payload.get("raw"):
            changes[proposal.row] = changed_lines(str(written.payload["raw"]), render(proposal).raw)
    message = review_message(decisions, style, changes)
    payload = {"title": message.title, "raw": message.raw, "target_recipients": list(style.recipients),
               "links": {token: dict(link) for token, link in message.links.items()}}
    return enqueue(uow, Intent(key, "private_message", payload), now)


def _key(proposal: Proposal) -> str:
    if proposal.key is None:
        raise ValueError(f"row {proposal.row}: a kept row without a stable key")
    return proposal.key


def _record(proposal: Proposal, organisation: str, revision: int) -> PlanRecord:
    return PlanRecord(_key(proposal), organisation, proposal.row, proposal.title or "",
                      proposal.fingerprint or "", revision)
