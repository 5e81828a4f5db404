"""The doctor's checks of codev's own side: the database, the workers, the inbox and the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sync_service.services.doctor.findings import LOCAL_CHECKS, Expected, Finding, ago
from sync_service.services.ports.health import Heartbeat, Queue, Vitals


def check_local(expected: Expected, vitals: Vitals | str, now: datetime) -> list[Finding]:
    """The database, the workers, the inbox and the outbox."""
    if isinstance(vitals, str):
        skipped = [Finding(c, "SKIPPED", "the database cannot be read") for c in LOCAL_CHECKS[1:]]
        return [Finding("database", "PROBLEM", vitals, "see the message; then `codev db upgrade`"), *skipped]
    if vitals.schema != vitals.newest_schema:
        skipped = [Finding(c, "SKIPPED", "the database is not at the newest schema")
                   for c in LOCAL_CHECKS[1:]]
        return [Finding("database", "PROBLEM", f"at schema {vitals.schema or '(none)'}, this codev needs "
                        f"{vitals.newest_schema}", "run `codev db upgrade` (with Docker: `docker compose run "
                        "--rm migrate`)"), *skipped]
    database = Finding("database", "OK", f"answers, at the newest schema ({vitals.newest_schema})")
    return [database, _worker(expected, vitals.heartbeats, now),
            _inbox(vitals.inbox, expected.stuck_seconds, now),
            _outbox(vitals.outbox, expected.stuck_seconds, now)]


def _worker(expected: Expected, beats: Sequence[Heartbeat], now: datetime) -> Finding:
    mine = [b for b in beats if b.worker_id.startswith(expected.worker_prefix)]
    start = "start `codev worker` (with Docker: `docker compose up -d worker`; its logs: `docker compose " \
            "logs worker`)"
    if not mine:
        return Finding("worker", "PROBLEM", "no worker has finished a pass yet", start)
    newest = max(mine, key=lambda b: b.last_pass_at)
    age = (now - newest.last_pass_at).total_seconds()
    if age > expected.worker_stale_seconds:
        return Finding("worker", "PROBLEM", f"the last pass ended {ago(age)} ago ({newest.worker_id})", start)
    alive = sum(1 for b in mine if (now - b.last_pass_at).total_seconds() <= expected.worker_stale_seconds)
    reconciled = [b.last_reconcile_at for b in mine if b.last_reconcile_at is not None]
    since = f"last reconciliation {ago((now - max(reconciled)).total_seconds())} ago" if reconciled \
        else "no reconciliation yet"
    return Finding("worker", "OK", f"{alive} alive; last pass {ago(age)} ago, it took "
                   f"{newest.pass_seconds:.1f} s; {since}")


def _stuck(queue: Queue, stuck_seconds: float, now: datetime) -> float | None:
    if queue.oldest_due is None:
        return None
    age = (now - queue.oldest_due).total_seconds()
    return age if age > stuck_seconds else None


def _inbox(queue: Queue, stuck_seconds: float, now: datetime) -> Finding:
    waiting, parked = queue.count("pending", "running"), queue.count("parked")
    if parked:
        return Finding("inbox", "PROBLEM", f"{parked} delivery(ies) parked after too many attempts",
                       "`codev inbox --failed` shows why; fix the cause, then `codev inbox --retry ID`")
    stuck = _stuck(queue, stuck_seconds, now)
    if stuck is not None:
        return Finding("inbox", "PROBLEM", f"{waiting} delivery(ies) waiting, the oldest due for "
                       f"{ago(stuck)}",
                       "is a worker running? (`codev doctor --only worker`)")
    return Finding("inbox", "OK", f"{waiting} waiting, none parked")


def _outbox(queue: Queue, stuck_seconds: float, now: datetime) -> Finding:
    waiting, refused = queue.count("pending", "sending"), queue.count("parked", "failed")
    if refused:
        return Finding("outbox", "PROBLEM", f"{refused} write(s) refused by the forum or given up",
                       "`codev outbox --failed` shows each with its error (docs/operator-guide.md, "
                       "The outbox)")
    stuck = _stuck(queue, stuck_seconds, now)
    if stuck is not None:
        return Finding("outbox", "PROBLEM", f"{waiting} write(s) waiting, the oldest due for {ago(stuck)}",
                       "is a worker running, and the forum answering? (`codev doctor`)")
    return Finding("outbox", "OK", f"{waiting} waiting, none refused")
