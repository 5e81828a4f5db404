"""Writes to the forum through an outbox: decided in the caller's transaction, sent once, paced.

Discourse has no idempotency key and lets staff post the same text twice, so
every post carries its intent's marker, and after any attempt whose outcome is unknown (timeout,
reset, 5xx, a sender killed before it committed) the sender looks for that marker before sending
again. A refusal (4xx) is parked for a person, never retried blindly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sync_service.domain.posts import INTENT_KEY, marker
from sync_service.domain.safe_text import topic_link
from sync_service.services.ports.forum import ForumUnavailable, ForumWriter, UnclearOutcome, WriteRefused
from sync_service.services.ports.storage import Intent, OutboxRepository, OutboxRow, UnitOfWork

log = logging.getLogger(__name__)

KINDS = ("create_topic", "reply", "private_message", "edit_post", "close_topic", "pin_topic", "list_topic",
         "put_topic_state", "put_user_profile", "forget_user_profile", "create_invite")
# Only these create something an earlier attempt may have made: a post found by its marker (or its
# topic's external id), an invite by its expiry, uses and groups (an invite has no external id; its id
# is kept where a post's would be). Edits, pins, listings and closing are idempotent.
CREATES = ("create_topic", "reply", "private_message", "create_invite")
# Written inside an HTML comment and into external ids' hash: no "--", no ">" can end the comment.
KEY_FORMAT = INTENT_KEY
_REQUIRED = {
    "create_topic": ("title", "raw"),
    "private_message": ("title", "raw", "target_recipients"),
    "reply": ("raw",),
    "edit_post": ("raw",),
    "close_topic": (),
    "pin_topic": (),
    "list_topic": (),
    "put_topic_state": ("topic_id", "state"),
    "put_user_profile": ("user_id", "username", "profile"),
    "forget_user_profile": ("user_id", "username"),
    "create_invite": ("expires_at", "max_redemptions_allowed", "group_names"),
}
# What a kind needs from the intent it depends on when the caller could not name it yet.
_PARENT_FIELD = {"reply": "topic_id", "close_topic": "topic_id", "pin_topic": "topic_id",
                 "list_topic": "topic_id", "edit_post": "post_id"}


def with_marker(raw: str, key: str) -> str:
    """The raw text carrying the intent's marker exactly once."""
    mark = marker(key)
    return raw if mark in raw else f"{raw.rstrip()}\n\n{mark}"


def enqueue(uow: UnitOfWork, intent: Intent, now: datetime) -> bool:
    """Record the intent in the caller's transaction (it commits); False if the key was already there."""
    _check(intent)
    target = None
    if intent.kind == "edit_post":
        post_id = intent.payload.get("post_id")
        target = f"post:{post_id}" if post_id is not None else f"post-of:{intent.depends_on}"
    if intent.kind == "put_topic_state":
        target = f"state:{intent.payload['topic_id']}"  # a newer state supersedes a pending older one
    if intent.kind in ("put_user_profile", "forget_user_profile"):
        target = f"profile:{intent.payload['user_id']}"
    return uow.outbox.add(intent, target, now)


def _check(intent: Intent) -> None:
    if not KEY_FORMAT.fullmatch(intent.key):
        raise ValueError(f"outbox: intent key {intent.key!r} must match {KEY_FORMAT.pattern}")
    if intent.kind not in KINDS:
        raise ValueError(f"outbox: unknown kind {intent.kind!r} (one of {', '.join(KINDS)})")
    missing = [name for name in _REQUIRED[intent.kind] if not intent.payload.get(name)]
    parent = _PARENT_FIELD.get(intent.kind)
    if parent and intent.payload.get(parent) is None and intent.depends_on is None:
        missing.append(f"{parent} (or depends_on)")
    if missing:
        raise ValueError(f"outbox: intent {intent.key}: {intent.kind} needs {', '.join(missing)}")
    if "email" in intent.payload:
        raise ValueError(f"outbox: intent {intent.key}: an e-mail address is never stored")


@dataclass
class SendPolicy:
    """How the sender claims and retries (worker settings; times in seconds)."""

    batch: int = 20
    lease_seconds: float = 300.0
    max_attempts: int = 8
    backoff_seconds: float = 5.0
    # after an unclear outcome, wait this long before looking for the marker: a request the client
    # gave up on may still be running on the server (Discourse's Unicorn kills it after 30 s)
    settle_seconds: float = 60.0


@dataclass
class SendReport:
    """What one send_due pass did."""

    claimed: int = 0
    sent: int = 0
    found: int = 0  # sent before (marker found), not sent again
    retried: int = 0
    parked: int = 0
    failed: int = 0
    waiting: int = 0  # claimed but put back (lease running out, stop asked)
    lost: int = 0     # the lease went to another sender meanwhile
    errors: list[str] = field(default_factory=list)


def send_due(uow_factory: Callable[[], UnitOfWork], writer: ForumWriter, worker_id: str,
             now: Callable[[], datetime], policy: SendPolicy | None = None,
             stop: Callable[[], bool] = lambda: False) -> SendReport:
    """Claim the due rows, then send each one (or find it already sent) and record it at once."""
    policy = policy or SendPolicy()
    report = SendReport()
    with uow_factory() as uow:
        rows = uow.outbox.claim(worker_id, now(), policy.batch, policy.lease_seconds)
        uow.commit()
    report.claimed = len(rows)
    lease = timedelta(seconds=policy.lease_seconds)
    started = now()
    for row in rows:
        # a row is only tried while its lease surely holds; the rest go back untried
        if stop() or now() - started > lease / 2:
            _record(uow_factory, report, "waiting", partial(_release, row=row))
            continue
        _send_one(uow_factory, writer, row, now, policy, report)
    return report


def _release(outbox: OutboxRepository, row: OutboxRow) -> bool:
    return outbox.release(row)


def _send_one(uow_factory: Callable[[], UnitOfWork], writer: ForumWriter, row: OutboxRow,
              now: Callable[[], datetime], policy: SendPolicy, report: SendReport) -> None:
    payload = _resolved(row)
    if "links" in payload:
        payload = _linked(uow_factory, payload)
    try:
        found = writer.locate(row.kind, payload, row.key) if row.maybe_sent and row.kind in CREATES else None
        if found is not None:
            log.info("outbox %s: already on the forum (marker found), not sent again", row.key)
            _record(uow_factory, report, "found", lambda o: o.mark_sent(row, now(), found.topic_id,
                                                                        found.post_id))
            return
        posted = writer.send(row.kind, payload, row.key)
    except UnclearOutcome as exc:
        later = max(policy.settle_seconds, policy.backoff_seconds * 2 ** (row.attempts - 1))
        _again(uow_factory, row, now, policy, report, f"unclear: {exc}", later, maybe_sent=True)
        return
    except ForumUnavailable as exc:
        later = max(exc.retry_after or 0.0, policy.backoff_seconds)
        _again(uow_factory, row, now, policy, report, f"unavailable: {exc}", later, row.maybe_sent)
        return
    except WriteRefused as exc:
        _refused(uow_factory, writer, row, payload, now, report, exc)
        return
    _record(uow_factory, report, "sent", lambda o: o.mark_sent(row, now(), posted.topic_id, posted.post_id))


def _refused(uow_factory: Callable[[], UnitOfWork], writer: ForumWriter, row: OutboxRow,
             payload: Mapping[str, Any], now: Callable[[], datetime], report: SendReport,
             exc: WriteRefused) -> None:
    """A refused create may be our own earlier post (external id taken): look once before parking."""
    if row.kind in CREATES and exc.status == 422:
        try:
            found = writer.locate(row.kind, payload, row.key)
        except (UnclearOutcome, ForumUnavailable, WriteRefused):
            found = None
        if found is not None:
            _record(uow_factory, report, "found", lambda o: o.mark_sent(row, now(), found.topic_id,
                                                                        found.post_id))
            return
    log.warning("outbox %s: refused by Discourse, parked: %s", row.key, exc)
    report.errors.append(f"{row.key}: {exc}")
    _record(uow_factory, report, "parked", lambda o: o.give_up(row, "parked", str(exc)))


def _again(uow_factory: Callable[[], UnitOfWork], row: OutboxRow, now: Callable[[], datetime],
           policy: SendPolicy, report: SendReport, error: str, delay: float, maybe_sent: bool) -> None:
    report.errors.append(f"{row.key}: {error}")
    if row.attempts >= policy.max_attempts:
        log.warning("outbox %s: giving up after %d attempts: %s", row.key, row.attempts, error)
        _record(uow_factory, report, "failed", lambda o: o.give_up(row, "failed", error))
        return
    log.info("outbox %s: %s; next try in %.1f s", row.key, error, delay)
    at = now() + timedelta(seconds=delay)
    _record(uow_factory, report, "retried", lambda o: o.retry(row, at, error, maybe_sent))


def _record(uow_factory: Callable[[], UnitOfWork], report: SendReport, outcome: str,
            change: Callable[[OutboxRepository], bool]) -> None:
    with uow_factory() as uow:
        held = change(uow.outbox)
        uow.commit()
    if held:
        setattr(report, outcome, getattr(report, outcome) + 1)
    else:
        report.lost += 1


def _linked(uow_factory: Callable[[], UnitOfWork], payload: dict[str, Any]) -> dict[str, Any]:
    """The raw text with each link token ({token: {"key", "label"}}) made a link to the topic its intent
    opened, or left as its label while that topic is not known to be on the forum yet."""
    links: Mapping[str, Mapping[str, str]] = payload.pop("links")
    raw = str(payload.get("raw", ""))
    with uow_factory() as uow:
        for token, link in links.items():
            sent = uow.outbox.find(link["key"])
            topic_id = sent.topic_id if sent is not None and sent.status == "sent" else None
            raw = raw.replace(token, topic_link(link["label"], topic_id) if topic_id else link["label"])
    payload["raw"] = raw
    return payload


def _resolved(row: OutboxRow) -> dict[str, Any]:
    """The payload with the dependency's ids filled in and the marker(s) in the raw text."""
    payload = dict(row.payload)
    if row.kind in ("reply", "close_topic", "pin_topic", "list_topic") and payload.get("topic_id") is None:
        payload["topic_id"] = row.parent_topic_id
    if row.kind == "edit_post" and payload.get("post_id") is None:
        payload["post_id"] = row.parent_post_id
    if "raw" in payload:
        raw = str(payload["raw"])
        if row.kind == "edit_post" and row.depends_on:
            raw = with_marker(raw, row.depends_on)  # the post keeps the marker of the intent that made it
        payload["raw"] = with_marker(raw, row.key)
    return payload
