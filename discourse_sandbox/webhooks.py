"""The webhook emitter: one delivery per (event, web hook), signed, asynchronous, unordered.

Routes call `sandbox.emitter.emit(event, payload, category_id=, tag_names=, group_ids=)` after a
change is committed. As Jobs::EmitWebHookEvent does, each matching hook gets its own job; a worker
thread re-checks the hook (active, filters), records a WebHookEvent, POSTs the body and records the
answer; with `retry_web_hook_events`, failures are retried after 1, 5, 25, 125 sandbox minutes.
Webhook faults (drop, duplicate, delay, reorder) come from one seeded generator owned here.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from discourse_sandbox.core.event_types import EVENT_TYPES, payload_type, translate_event_name
from discourse_sandbox.core.http import dumps
from discourse_sandbox.core.records import WebHook, WebHookEvent
from discourse_sandbox.web_hook_model import seed_hooks
from discourse_sandbox.webhook_delivery import allowed_internal_hosts, build_headers, record, send

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

__all__ = ["Emitter", "allowed_internal_hosts", "seed_web_hooks"]

log = logging.getLogger(__name__)

MAX_RETRY_COUNT = 4
RETRY_BACKOFF = 5
_IDLE_WAIT = 1.0   # longest real sleep of an idle worker (emit, stop and flush wake it)
_POLL_WAIT = 0.02  # real seconds between two looks of flush()


@dataclass
class _Job:
    seq: int
    web_hook_id: int
    event_name: str
    event_type: str
    body: str
    due: float  # sandbox seconds
    retry_count: int = 0
    category_id: int | None = None
    tag_names: tuple[str, ...] = ()
    group_ids: tuple[int, ...] = ()
    event_id: int | None = None  # a stored event sent again ("Redeliver failed")


class Emitter:
    """Queues and delivers webhook events for the sandbox's web hooks."""

    def __init__(self, sandbox: Sandbox, workers: int = 4) -> None:
        self.sandbox = sandbox
        self.worker_count = workers
        self._cond = threading.Condition()
        self._pending: list[_Job] = []
        self._in_flight = 0
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.rng = random.Random(sandbox.settings.faults.seed)

    def reseed(self) -> None:
        """Restart the fault generator from `faults.seed` (done on every faults change)."""
        with self._cond:
            self.rng = random.Random(self.sandbox.settings.faults.seed)

    def emit(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        category_id: int | None = None,
        tag_names: Sequence[str] = (),
        group_ids: Sequence[int] = (),
    ) -> None:
        """Queue `event` (e.g. "topic_created") with its serialized payload for every matching hook."""
        kind = payload_type(event)
        type_id = EVENT_TYPES.get(translate_event_name(event), (None, ""))[0]
        job = _Job(0, 0, event, kind, dumps({kind: payload}), 0.0, category_id=category_id,
                   tag_names=tuple(tag_names), group_ids=tuple(group_ids))
        with self.sandbox.state.transaction() as state:
            hook_ids = sorted(
                h.id for h in state.web_hooks.values()
                if h.active and (h.wildcard_web_hook or type_id in h.web_hook_event_type_ids)
                and _passes_filters(h, job)
            )
        with self._cond:
            for hook_id in hook_ids:
                self._enqueue_with_faults(replace(job, web_hook_id=hook_id))
            self._cond.notify_all()

    def ping(self, web_hook_id: int) -> None:
        """Queue {"ping":"OK"} (event and type `ping`), sent even to an inactive hook."""
        self._enqueue(_Job(0, web_hook_id, "ping", "ping", '{"ping":"OK"}', self._now()))

    def redeliver_later(self, event_ids: Sequence[int]) -> None:
        """Send stored events again, 2 s apart, as RedeliverWebHookEvents drains its rows."""
        now = self._now()
        for i, event_id in enumerate(event_ids):
            self._enqueue(_Job(0, 0, "", "", "", now + 2 * i, event_id=event_id))

    def redeliver_now(self, event_id: int) -> WebHookEvent | None:
        """Send a stored event again with its stored headers and body; updates that same event."""
        state = self.sandbox.state
        with state.transaction():
            event = state.web_hook_events.get(event_id)
            hook = state.web_hooks.get(event.web_hook_id) if event else None
            if event is None or hook is None:
                return None
            url, verify, headers = hook.payload_url, hook.verify_certificate, dict(event.headers)
        result = send(self.sandbox, url, headers, event.payload, verify)
        with state.transaction():
            record(event, hook, result, headers)
        return event

    def _now(self) -> float:
        return self.sandbox.clock.seconds()

    def _enqueue(self, job: _Job) -> None:
        with self._cond:
            self._pending.append(replace(job, seq=next(self._seq)))
            self._cond.notify_all()

    def _enqueue_with_faults(self, job: _Job) -> None:
        """Called holding the lock, hook by hook in id order, so one seed gives one fault sequence."""
        faults = self.sandbox.settings.faults
        if self._roll(faults.webhook_drop_rate):
            self._count("webhook_drop")
            return
        copies = 1
        if self._roll(faults.webhook_duplicate_rate):
            self._count("webhook_duplicate")
            copies = 2
        for _ in range(copies):
            delay = 0.0
            if faults.webhook_delay_max_seconds > 0:
                delay = self.rng.uniform(0, faults.webhook_delay_max_seconds)
                self._count("webhook_delay")
            self._pending.append(replace(job, seq=next(self._seq), due=self._now() + delay))

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def _count(self, fault: str) -> None:
        injected = self.sandbox.faults.injected
        injected[fault] = injected.get(fault, 0) + 1

    # --- workers ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery threads."""
        with self._cond:
            if self._threads:
                return
            self._stopping = False
            self._threads = [
                threading.Thread(target=self._work, daemon=True, name=f"sandbox-webhooks-{i}")
                for i in range(self.worker_count)
            ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop delivering; undelivered events are dropped, as when Sidekiq dies."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._cond.notify_all()
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=25)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or in flight; False on timeout. Future retries do not count."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.notify_all()  # workers may sleep past a clock.advance; have them look again
                self._cond.wait(min(remaining, _POLL_WAIT))
            return True

    def pending_count(self) -> int:
        """Jobs waiting (retries scheduled later included) plus jobs being delivered."""
        with self._cond:
            return len(self._pending) + self._in_flight

    def _busy(self) -> bool:
        now = self._now()
        return self._in_flight > 0 or any(j.retry_count == 0 or j.due <= now for j in self._pending)

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._take_due()
                while job is None:
                    if self._stopping:
                        return
                    self._cond.wait(self._wait_time())
                    job = self._take_due()
                self._in_flight += 1
            try:
                self._run(job)
            except Exception:  # a bug must not kill the worker; Sidekiq logs and goes on too
                log.exception("webhook job %s failed", job)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _wait_time(self) -> float:
        """Real seconds until the soonest job is due, at most _IDLE_WAIT (flush wakes us sooner)."""
        if not self._pending:
            return _IDLE_WAIT
        soonest = min(j.due for j in self._pending) - self._now()
        return min(_IDLE_WAIT, max(0.005, soonest / self.sandbox.clock.scale))

    def _take_due(self) -> _Job | None:
        if self._stopping:
            return None
        now = self._now()
        due = [j for j in self._pending if j.due <= now]
        if not due:
            return None
        first = min(due, key=lambda j: (j.due, j.seq))
        job = first
        if self.sandbox.settings.faults.webhook_reorder and len(due) > 1:
            job = self.rng.choice(due)
            if job is not first:
                self._count("webhook_reorder")
        self._pending.remove(job)
        return job

    def _run(self, job: _Job) -> None:
        state = self.sandbox.state
        with state.transaction():
            hook = state.web_hooks.get(job.web_hook_id)
            if job.event_id is not None:
                event = state.web_hook_events.get(job.event_id)
                hook = state.web_hooks.get(event.web_hook_id) if event else None
                if event is None or hook is None:
                    return
                headers, body = dict(event.headers), event.payload
            else:
                if hook is None:
                    return
                if job.event_type != "ping" and not (hook.active and _passes_filters(hook, job)):
                    return
                event = WebHookEvent(id=state.next_id("web_hook_events"), web_hook_id=hook.id, headers={},
                                     payload=job.body, created_at=self.sandbox.clock.now())
                state.web_hook_events[event.id] = event
                body = job.body
                headers = build_headers(hook, self.sandbox.base_url, job.event_name, job.event_type,
                                        event.id, body.encode("utf-8"))
                event.headers = headers
            url, verify = hook.payload_url, hook.verify_certificate
        result = send(self.sandbox, url, headers, body, verify)
        with state.transaction():
            record(event, hook, result, headers)
        if job.event_id is None:
            self._after_response(job, hook, result.status)

    def _after_response(self, job: _Job, hook: WebHook, status: int) -> None:
        """process_webhook_response: no answer or 2xx ends it; 404/410 may deactivate; else retry."""
        if status == -1 or 200 <= status < 300:
            return
        if status in (404, 410):
            if job.retry_count >= MAX_RETRY_COUNT:
                with self.sandbox.state.transaction():
                    hook.active = False
            return
        if not self.sandbox.settings.retry_web_hook_events or job.retry_count >= MAX_RETRY_COUNT:
            return
        count = job.retry_count + 1
        delay = 60.0 * RETRY_BACKOFF ** (count - 1)
        self._enqueue(replace(job, retry_count=count, due=self._now() + delay))


def _passes_filters(hook: WebHook, job: _Job) -> bool:
    """EmitWebHookEvent's group, category and tag checks; a category filter excludes uncategorised PMs."""
    # group_webhook_invalid? is `group_ids.present? && (group_id.present? || !group_ids.include?(group_id))`:
    # true whatever the event carries, so a hook with groups receives nothing but pings.
    if hook.group_ids:
        return False
    if hook.category_ids and job.category_id not in hook.category_ids:
        return False
    return not (hook.tag_names and not set(hook.tag_names) & set(job.tag_names))


def seed_web_hooks(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `web_hooks`: [{payload_url, events (names) | wildcard, active, secret, ...}]."""
    seed_hooks(sandbox, entries, allowed_internal_hosts(sandbox))
