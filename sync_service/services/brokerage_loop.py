"""The brokerage as the worker runs it between inbox batches: re-rank, run the clock, send the outbox.

A pass runs when a batch changed a need, a profile or an introduction, and at least every
`pass_every` otherwise (reminders and expiry are due by the clock, not by an event). Every
`sweep_every`, codev also re-reads its own open threads, so that a reply whose webhook was lost is
still read, and learns who joined through a recruitment campaign's invite. Then the outbox sends
what is due, paced under the forum's rate limit.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync_service.services import answers, followup, incremental, profiles, timers
from sync_service.services.brokerage import BrokerageRules
from sync_service.services.incremental import Kept
from sync_service.services.outbox import SendPolicy, SendReport, send_due
from sync_service.services.ports.forum import ForumUnavailable, ForumWriter, ThreadReader
from sync_service.services.ports.matching import FlowSolver, Ranker
from sync_service.services.ports.storage import UnitOfWork

log = logging.getLogger("codev.brokerage")

PRUNE_KEEP = 100_000  # feed rows kept behind the ranking worker's mark (the others read them too)
# Outcomes of inbox rows after which the rankings or a need's status may have moved.
CHANGES = frozenset({"created", "updated", "purged", "approved", "discarded", "accepted", "declined",
                     "served", "funded"})


@dataclass
class BrokerageLoop:
    """Everything one worker needs for the brokerage; time and the stop signal are injected."""

    uow_factory: Callable[[], UnitOfWork]
    ranker: Ranker
    rules: BrokerageRules
    forum: ThreadReader
    writer: ForumWriter
    worker_id: str
    clock: Callable[[], datetime]
    send_policy: SendPolicy = field(default_factory=SendPolicy)
    pass_every: timedelta = timedelta(seconds=60)
    sweep_every: timedelta = timedelta(minutes=60)
    stop: Callable[[], bool] = lambda: False
    # finds the staff-only review category's id (None until `codev provision` created it)
    find_review_category: Callable[[], int | None] | None = None
    # whether the forum has the codev plugin (asked at the first pass, then at each sweep)
    find_plugin: Callable[[], bool] | None = None
    # at each sweep: who joined through a recruitment campaign's invite (services/campaigns.refresh)
    refresh_campaigns: Callable[[datetime], Mapping[str, int]] | None = None
    next_pass: datetime | None = None
    next_sweep: datetime | None = None
    last_pass_at: datetime | None = None  # needs closed since then get their review thread updated
    # a burst of webhooks re-ranks at most once per min_gap (answers and approvals do not wait for it)
    min_gap: timedelta = timedelta(seconds=5)
    dirty: bool = False
    solver: FlowSolver | None = None  # the plan's min-cost flow (None: the domain's exact pure-Python one)
    last: dict[str, object] = field(default_factory=dict)
    kept: Kept | None = None  # what the last pass planned from (None: the next pass is a full one)
    leading: bool = False  # this worker held the deployment's ranking lease at its last pass
    lease_for: timedelta = timedelta(minutes=5)  # a lease not renewed this long passes to another worker

    def after_batch(self, outcomes: Mapping[str, int]) -> SendReport:
        """Run a pass if something changed or the clock asks, then send the due outbox rows."""
        now = self.clock()
        self.dirty = self.dirty or any(outcomes.get(k) for k in CHANGES)
        soon = self.last_pass_at is not None and now - self.last_pass_at < self.min_gap
        if self.next_pass is None or now >= self.next_pass or (self.dirty and not soon):
            self.run_pass(now)
        return self.send()

    def run_pass(self, now: datetime) -> dict[str, object]:
        """Re-rank what changed (one worker of the deployment at a time), send due reminders and
        expiries, digests and follow-ups; sweep threads when due."""
        report: dict[str, object] = {}
        try:
            rules = self.rules
            self._find_forum_settings(now)
            if self.rules != rules:
                self.kept = None  # a review category found, the plugin come or gone: every topic again
            if self.rules.plugin:
                report["profiles"] = profiles.push_profiles(self.uow_factory, self.rules, now)
            leading = self._lease(now)
            report["rematch"] = self._rematch(now, leading)
            self.leading = leading
            report["timers"] = due = timers.tick(self.uow_factory, self.rules, now)
            if any(due.values()) and leading and self.kept is not None:
                # an expiry or a withdrawal frees the need: propose (or introduce) the next candidate
                report["rematch_after_timers"] = incremental.changed(
                    self.uow_factory, self.ranker, self.rules, now, self.kept, self.solver)
            if leading:  # digests rank every need: the worker that ranks sends them
                report["digests"] = timers.send_digests(self.uow_factory, self.ranker, self.rules, now)
            report["followups"] = followup.ask_due(self.uow_factory, self.rules, now)
            if self.next_sweep is None or now >= self.next_sweep:
                report["swept"] = self.sweep(now)
                report["campaigns"] = self._campaigns(now)
                self.next_sweep = now + self.sweep_every
                self._prune()
        except ForumUnavailable as exc:
            log.warning("brokerage pass interrupted, forum unavailable: %s", exc)
            report["error"] = str(exc)
        except Exception:
            self.kept = None  # a pass cut short may have read the feed without acting on it
            raise
        self.next_pass = now + self.pass_every
        if "error" not in report:
            self.last_pass_at, self.dirty = now, False
        else:
            self.kept = None
        self.last = report
        if any(v for v in report.values() if v):
            log.info("brokerage pass: %s", report)
        return report

    def _find_forum_settings(self, now: datetime) -> None:
        if self.rules.review_category_id is None and self.find_review_category is not None:
            found = self.find_review_category()
            if found is None:
                log.error("the review category does not exist: run `codev provision`; no review "
                          "topic is created until it does")
            self.rules = dataclasses.replace(self.rules, review_category_id=found)
        if self.find_plugin is not None and (self.next_sweep is None or now >= self.next_sweep):
            plugin = self.find_plugin()
            if plugin != self.rules.plugin:
                log.info("the codev plugin is %s", "there: need states are pushed to it" if plugin
                         else "not there: no need state is pushed")
            self.rules = dataclasses.replace(self.rules, plugin=plugin)

    def _lease(self, now: datetime) -> bool:
        """Take or renew the deployment's ranking lease (one worker ranks at a time)."""
        with self.uow_factory() as uow:
            held = uow.changes.lease("rematch", self.worker_id, now, now + self.lease_for)
            uow.commit()
        return held

    def _rematch(self, now: datetime, leading: bool) -> dict[str, int] | str:
        """The full pass when this worker starts ranking, else only what the feed says changed."""
        if leading and (self.kept is None or not self.leading):
            counts, self.kept = incremental.full(self.uow_factory, self.ranker, self.rules, now,
                                                 self.last_pass_at, self.solver)
            return {**counts, "full": 1}
        if leading and self.kept is not None:
            return incremental.changed(self.uow_factory, self.ranker, self.rules, now, self.kept, self.solver)
        if self.kept is None:
            self.kept = incremental.index(self.uow_factory, self.ranker)
        else:
            incremental.changed(self.uow_factory, self.ranker, self.rules, now, self.kept, self.solver,
                                rank=False)
        return "another worker ranks"

    def _prune(self) -> None:
        """Forget feed rows every worker read long ago."""
        if self.leading and self.kept is not None and self.kept.mark > PRUNE_KEEP:
            with self.uow_factory() as uow:
                uow.changes.prune(min([self.kept.mark, *self.kept.gaps]) - PRUNE_KEEP)
                uow.commit()

    def sweep(self, now: datetime) -> int:
        """Re-read the review threads of needs that look for an expert and the pending introductions."""
        with self.uow_factory() as uow:
            topics = [t.topic_id for n in uow.needs.open_needs()
                      if (t := uow.reviews.get(n.topic_id)) is not None and t.topic_id is not None]
            topics += [i.pm_topic_id for i in uow.introductions.pending() if i.pm_topic_id is not None]
            topics += followup.listening_topics(uow, self.rules, now)
        for topic_id in topics:
            if self.stop():
                break
            with self.uow_factory() as uow:
                answers.read_thread(uow, self.forum, self.ranker, self.rules, topic_id, now)
                uow.commit()
        return len(topics)

    def _campaigns(self, now: datetime) -> Mapping[str, int | str]:
        """Who joined through a campaign; a forum that refuses the list leaves the rest of the pass be."""
        if self.refresh_campaigns is None:
            return {}
        try:
            return {k: v for k, v in self.refresh_campaigns(now).items() if v}
        except ForumUnavailable as exc:
            log.warning("campaigns: who joined could not be read: %s", exc)
            return {"error": str(exc)}

    def send(self) -> SendReport:
        """Send what the outbox holds due now (one claimed batch, paced)."""
        return send_due(self.uow_factory, self.writer, self.worker_id, self.clock, self.send_policy,
                        self.stop)
