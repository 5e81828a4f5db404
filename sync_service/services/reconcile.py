"""Reconciliation ("pull"): page through the forum, repair codev's database, purge what is gone.

Webhooks get lost (Discourse retries little, never on a timeout) and anonymisation fires none, so this
sweep is what makes the database equal to the forum in the end. Every entity is applied through
`apply_ref` in its own unit of work: a crash midway loses nothing, the next sweep goes on.

What is skipped without --full: people come with their snapshot from the forum's listing; one whose
snapshot equals what codev holds (or who is no expert and not held) is not fetched again. Whatever the
listing would change is refetched under the person's lock instead: a listing is read outside the lock,
and only a fetch made under it may write. Needs are listed by id only, so every need is refetched on
every run. With --full, every person is refetched one by one.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sync_service.services import sync
from sync_service.services.ports.forum import AccessDenied, ForumGateway, ForumUnavailable, PersonSnapshot
from sync_service.services.ports.storage import EntityRef, UnitOfWork
from sync_service.services.sync import SyncRules

log = logging.getLogger("codev.reconcile")

MAX_CONSECUTIVE_OUTAGES = 5  # the forum is down: stop the sweep rather than fail every entity

Apply = Callable[[UnitOfWork, ForumGateway, SyncRules, EntityRef, datetime], str]
KnownKeys = Callable[[UnitOfWork], tuple[list[int], list[int]]]
OUTCOMES = ("created", "updated", "purged", "unchanged", "failed", "ignored")
Progress = Callable[[str, str], object]  # (entity kind, outcome) after each entity
# The outcome a listed person's snapshot settles without a refetch ("unchanged", "ignored"), or None.
Listed = Callable[[UnitOfWork, SyncRules, PersonSnapshot], str | None]


@dataclass
class Counts:
    """What one sweep did, per outcome of apply_ref (ignored: forum users who are not experts)."""

    created: int = 0
    updated: int = 0
    purged: int = 0
    unchanged: int = 0
    failed: int = 0
    ignored: int = 0
    complete: bool = True  # False when the sweep stopped early (outage, stop asked): no purge ran
    stopped_because: str | None = None  # why it stopped early, in words

    def add(self, outcome: str) -> None:
        """Count one outcome of apply_ref (or "failed")."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return (f"created {self.created}, updated {self.updated}, purged {self.purged}, "
                f"unchanged {self.unchanged}, ignored {self.ignored}, failed {self.failed}")


class _Stopped(Exception):
    """The sweep must end now (stop asked, or too many forum failures in a row)."""


@dataclass
class _Sweep:
    uow_factory: Callable[[], UnitOfWork]
    forum: ForumGateway
    rules: SyncRules
    clock: Callable[[], datetime]
    apply: Apply
    progress: Progress | None
    stop: Callable[[], bool] | None
    counts: Counts
    listed: Listed
    outages: int = 0

    def one(self, kind: str, key: int) -> None:
        """Apply one entity in its own unit: a refetch under the entity's lock (sync.apply_ref)."""
        if self.stop is not None and self.stop():
            raise _Stopped("stop asked")
        ref = EntityRef(kind=kind, key=str(key), event="reconcile")
        try:
            uow = self.uow_factory()
            with uow:
                outcome = self.apply(uow, self.forum, self.rules, ref, self.clock())
                uow.commit()
            self.outages = 0
        except AccessDenied as exc:  # the credentials or the forum's set-up: retrying will not help
            self.counts.add("failed")
            raise _Stopped(str(exc)) from None
        except ForumUnavailable as exc:
            outcome = "failed"
            self.outages += 1
            if self.outages >= MAX_CONSECUTIVE_OUTAGES:
                self.counts.add(outcome)
                raise _Stopped(f"the forum stopped answering ({exc})") from None
        except Exception as exc:  # one bad entity must not end the sweep; it is counted and logged
            outcome = "failed"
            log.warning("reconcile %s failed: %s", kind, type(exc).__name__)
        self.tell(kind, outcome)

    def tell(self, kind: str, outcome: str) -> None:
        """Count one entity's outcome and say it to whoever follows the sweep."""
        self.counts.add(outcome)
        if self.progress is not None:
            self.progress(kind, outcome)

    def settled_by_listing(self, snapshot: PersonSnapshot) -> bool:
        """Whether the listing's snapshot shows nothing to write (then it is counted); a listing is read
        outside the person's lock, so whatever it would change is refetched under the lock instead."""
        uow = self.uow_factory()
        with uow:
            outcome = self.listed(uow, self.rules, snapshot)
            uow.rollback()
        if outcome is None:
            return False
        self.tell("person", outcome)
        return True


def reconcile(uow_factory: Callable[[], UnitOfWork], forum: ForumGateway, rules: SyncRules, full: bool,
              now: datetime, progress: Progress | None = None, *, stop: Callable[[], bool] | None = None,
              clock: Callable[[], datetime] | None = None, apply: Apply | None = None,
              known: KnownKeys | None = None, listed: Listed | None = None) -> Counts:
    """Apply every person and need topic of the forum, then purge what codev holds and the forum lost.

    `clock` (else `now` for every entity) dates each refetch (fetched_at says when, it decides nothing)."""
    apply_one: Apply = apply or functools.partial(sync.apply_ref, clock=clock)
    stored_keys: KnownKeys = known or sync.known_keys
    sweep = _Sweep(uow_factory, forum, rules, clock or (lambda: now), apply_one, progress, stop, Counts(),
                   listed or sync.listed_outcome)
    try:
        seen_people = _people(sweep, full)
        seen_needs = _needs(sweep)
        uow = uow_factory()
        with uow:
            stored_experts, stored_needs = stored_keys(uow)
            uow.rollback()
        # Not seen in a COMPLETE listing: refetched one by one; apply_ref purges the gone or unmatchable.
        for user_id in sorted(set(stored_experts) - seen_people):
            sweep.one("person", user_id)
        for topic_id in sorted(set(stored_needs) - seen_needs):
            sweep.one("need", topic_id)
    except _Stopped as why:
        sweep.counts.complete = False
        sweep.counts.stopped_because = str(why)
        log.warning("reconciliation stopped early (%s); nothing purged from an unfinished listing", why)
    return sweep.counts


def _people(sweep: _Sweep, full: bool) -> set[int]:
    seen: set[int] = set()
    listing = iter(sweep.forum.people())
    try:
        while True:
            snapshot = next(listing, None)
            if snapshot is None:
                break
            seen.add(snapshot.user_id)
            if full or not sweep.settled_by_listing(snapshot):
                sweep.one("person", snapshot.user_id)
    except AccessDenied as exc:
        sweep.counts.add("failed")
        raise _Stopped(str(exc)) from exc
    except ForumUnavailable as exc:
        sweep.counts.add("failed")
        raise _Stopped(f"forum unavailable while listing people: {exc}") from exc
    return seen


def _needs(sweep: _Sweep) -> set[int]:
    seen: set[int] = set()
    try:
        for topic_id in sweep.forum.need_topic_ids():
            seen.add(topic_id)
            sweep.one("need", topic_id)
    except AccessDenied as exc:
        sweep.counts.add("failed")
        raise _Stopped(str(exc)) from exc
    except ForumUnavailable as exc:
        sweep.counts.add("failed")
        raise _Stopped(f"forum unavailable while listing needs: {exc}") from exc
    return seen
