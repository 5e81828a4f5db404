"""What /_sandbox shows: the switches, recent webhook deliveries, and counts for dashboards and tests."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

from discourse_sandbox.control.target import Controlled
from discourse_sandbox.core.clock import optional_iso
from discourse_sandbox.core.records import WebHookEvent


def settings_json(sandbox: Controlled) -> dict[str, Any]:
    """Every switch with its current value."""
    return dataclasses.asdict(sandbox.settings)


def delivery_json(event: WebHookEvent) -> dict[str, Any]:
    """One recorded webhook attempt, with its payload parsed."""
    try:
        payload: Any = json.loads(event.payload)
    except ValueError:
        payload = event.payload
    return {
        "id": event.id,
        "web_hook_id": event.web_hook_id,
        "event": event.headers.get("X-Discourse-Event"),
        "event_type": event.headers.get("X-Discourse-Event-Type"),
        "status": event.status,
        "duration": event.duration,
        "created_at": optional_iso(event.created_at),
        "payload": payload,
    }


def recent_deliveries(sandbox: Controlled, limit: int = 100) -> list[dict[str, Any]]:
    """The newest recorded webhook attempts first."""
    with sandbox.state.transaction() as state:
        events = sorted(state.web_hook_events.values(), key=lambda e: e.id, reverse=True)
        return [delivery_json(e) for e in events[:limit]]


def stats(sandbox: Controlled) -> dict[str, Any]:
    """Counts for dashboards and tests: records, faults injected, deliveries by status."""
    with sandbox.state.transaction() as state:
        by_status = Counter(str(e.status) for e in state.web_hook_events.values())
        counts = {
            "users": sum(1 for u in state.users.values() if u.id > 0),
            "topics": sum(1 for t in state.topics.values() if t.deleted_at is None),
            "posts": sum(1 for p in state.posts.values() if p.deleted_at is None),
            "web_hooks": len(state.web_hooks),
        }
    return {
        **counts,
        "faults_injected": dict(sandbox.faults.injected),
        "deliveries": {"total": sum(by_status.values()), "by_status": dict(sorted(by_status.items()))},
        "webhooks_pending": sandbox.emitter.pending_count(),
    }
