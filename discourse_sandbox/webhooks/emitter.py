"""The webhook emitter: one delivery per (event, web hook), signed, asynchronous, unordered.

The publisher calls `emit(event, payload, category_id=, tag_names=, group_ids=)` once a change is
committed (tests may call it too). As Jobs::EmitWebHookEvent does, each matching hook gets its own
job; a worker thread re-checks the hook (active, filters), records a WebHookEvent, POSTs the body
and records the answer; with `retry_web_hook_events`, failures are retried after 1, 5, 25, 125
sandbox minutes. Webhook faults (drop, duplicate, delay, reorder) come from one seeded generator owned here.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.event_types import event_type_id, payload_type
from discourse_sandbox.core.faults import FaultInjector
from discourse_sandbox.core.http import dumps
from discourse_sandbox.core.records import WebHook, WebHookEvent
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.webhooks.delivery import build_headers, record, send
from discourse_sandbox.webhooks.jobs import Job, passes_filters, retry_delay, retry_left

log = logging.getLogger(__name__)

_IDLE_WAIT = 1.0   # longest real sleep of an idle worker (emit, stop and flush wake it)
_POLL_WAIT = 0.02  # real seconds between two looks of flush()


class Emitter:
    """Queues and delivers webhook events for the sandbox's web hooks."""

    def __init__(self, state: State, settings: SandboxSettings, clock: Clock, faults: FaultInjector,
                 base_url: Callable[[], str], workers: int = 4) -> None:
        self.state, self.settings, self.clock, self.faults = state, settings, clock, faults
        self.base_url = base_url  # asked at each delivery: the server's port is known once it serves
        self.worker_count = workers
        self._cond = threading.Condition()
        self._pending: list[Job] = []
        self._in_flight = 0
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.rng = random.Random(settings.faults.seed)

    def reseed(self) -> None:
        """Restart the fault generator from `faults.seed` (done on every faults change)."""
        with self._cond:
            self.rng = random.Random(self.settings.faults.seed)

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
        type_id = event_type_id(event)
        job = Job(0, 0, event, kind, dumps({kind: payload}), 0.0, category_id=category_id,
                   tag_names=tuple(tag_names), group_ids=tuple(group_ids))
        with self.state.transaction() as state:
            hook_ids = sorted(
                h.id for h in state.web_hooks.values()
                if h.active and (h.wildcard_web_hook or type_id in h.web_hook_event_type_ids)
                and passes_filters(h, job)
            )
        with self._cond:
            for hook_id in hook_ids:
                self._enqueue_with_faults(replace(job, web_hook_id=hook_id))
            self._cond.notify_all()

    def ping(self, web_hook_id: int) -> None:
        """Queue {"ping":"OK"} (event and type `ping`), sent even to an inactive hook."""
        self._enqueue(Job(0, web_hook_id, "ping", "ping", '{"ping":"OK"}', self._now()))

    def redeliver_later(self, event_ids: Sequence[int]) -> None:
        """Send stored events again, 2 s apart, as RedeliverWebHookEvents drains its rows."""
        now = self._now()
        for i, event_id in enumerate(event_ids):
            self._enqueue(Job(0, 0, "", "", "", now + 2 * i, event_id=event_id))

    def redeliver_now(self, event_id: int) -> WebHookEvent | None:
        """Send a stored event again with its stored headers and body; updates that same event."""
        state = self.state
        with state.transaction():
            event = state.web_hook_events.get(event_id)
            hook = state.web_hooks.get(event.web_hook_id) if event else None
            if event is None or hook is None:
                return None
            url, verify, headers = hook.payload_url, hook.verify_certificate, dict(event.headers)
        result = send(self.settings, url, headers, event.payload, verify)
        with state.transaction():
            record(event, hook, result, headers)
        return event

    def _now(self) -> float:
        return self.clock.seconds()

    def _enqueue(self, job: Job) -> None:
        with self._cond:
            self._pending.append(replace(job, seq=next(self._seq)))
            self._cond.notify_all()

    def _enqueue_with_faults(self, job: Job) -> None:
        """Called holding the lock, hook by hook in id order, so one seed gives one fault sequence."""
        faults = self.settings.faults
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
        injected = self.faults.injected
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
        return min(_IDLE_WAIT, max(0.005, soonest / self.clock.scale))

    def _take_due(self) -> Job | None:
        if self._stopping:
            return None
        now = self._now()
        due = [j for j in self._pending if j.due <= now]
        if not due:
            return None
        first = min(due, key=lambda j: (j.due, j.seq))
        job = first
        if self.settings.faults.webhook_reorder and len(due) > 1:
            job = self.rng.choice(due)
            if job is not first:
                self._count("webhook_reorder")
        self._pending.remove(job)
        return job

    def _run(self, job: Job) -> None:
        state = self.state
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
                if job.event_type != "ping" and not (hook.active and passes_filters(hook, job)):
                    return
                event = WebHookEvent(id=state.next_id("web_hook_events"), web_hook_id=hook.id, headers={},
                                     payload=job.body, created_at=self.clock.now())
                state.web_hook_events[event.id] = event
                body = job.body
                headers = build_headers(hook, self.base_url(), job.event_name, job.event_type,
                                        event.id, body.encode("utf-8"))
                event.headers = headers
            url, verify = hook.payload_url, hook.verify_certificate
        result = send(self.settings, url, headers, body, verify)
        with state.transaction():
            record(event, hook, result, headers)
        if job.event_id is None:
            self._after_response(job, hook, result.status)

    def _after_response(self, job: Job, hook: WebHook, status: int) -> None:
        """process_webhook_response: no answer or 2xx ends it; 404/410 may deactivate; else retry."""
        if status == -1 or 200 <= status < 300:
            return
        if status in (404, 410):
            if not retry_left(job):
                with self.state.transaction():
                    hook.active = False
            return
        if not self.settings.retry_web_hook_events or not retry_left(job):
            return
        count = job.retry_count + 1
        self._enqueue(replace(job, retry_count=count, due=self._now() + retry_delay(count)))
