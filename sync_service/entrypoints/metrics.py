"""GET /metrics in Prometheus' text format: read from the database at each scrape, so that every
`codev serve` process and every worker answer the same numbers (no per-process counters to add up)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sync_service.adapters.db.engine import DatabaseUnusable
from sync_service.adapters.db.vitals import read_vitals
from sync_service.services.ports.health import Queue, Vitals

log = logging.getLogger(__name__)

INBOX_STATUSES = ("pending", "running", "done", "ignored", "parked")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "parked", "superseded")


class VitalsCollector(Collector):
    """codev's health as metrics, read from the database when Prometheus asks."""

    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        """Every metric (only codev_database_up, 0, while the database cannot be read)."""
        try:
            vitals = read_vitals(self.engine, self.now())
        except (SQLAlchemyError, DatabaseUnusable) as exc:
            log.warning("metrics: the database cannot be read (%s)", type(exc).__name__)
            yield GaugeMetricFamily("codev_database_up", "1 when codev's database answers", value=0)
            return
        yield GaugeMetricFamily("codev_database_up", "1 when codev's database answers", value=1)
        yield GaugeMetricFamily("codev_schema_current",
                                "1 when the database is at this codev's newest schema",
                                value=int(vitals.schema == vitals.newest_schema))
        yield from _queue("inbox", "webhook deliveries", vitals.inbox, INBOX_STATUSES, vitals)
        yield from _queue("outbox", "writes to the forum", vitals.outbox, OUTBOX_STATUSES, vitals)
        yield GaugeMetricFamily("codev_inbox_depth", "Deliveries waiting for a worker (pending or running)",
                                value=vitals.inbox.count("pending", "running"))
        yield GaugeMetricFamily("codev_inbox_parked", "Deliveries parked after too many attempts",
                                value=vitals.inbox.count("parked"))
        yield GaugeMetricFamily("codev_outbox_pending", "Writes not sent yet (pending or sending)",
                                value=vitals.outbox.count("pending", "sending"))
        yield GaugeMetricFamily("codev_outbox_parked", "Writes the forum refused, or given up (failed)",
                                value=vitals.outbox.count("parked", "failed"))
        yield GaugeMetricFamily("codev_webhook_rejected_last_hour", "Webhook deliveries refused (4xx) in the "
                                "last hour", value=vitals.rejected_last_hour)
        yield from _workers(vitals)


def _age(vitals: Vitals, moment: datetime | None) -> float:
    if moment is None or vitals.read_at is None:
        return 0.0
    return max((vitals.read_at - moment).total_seconds(), 0.0)


def _queue(name: str, what: str, queue: Queue, statuses: tuple[str, ...], vitals: Vitals) -> Iterator[Metric]:
    rows = GaugeMetricFamily(f"codev_{name}_rows", f"Rows of the {name} ({what}) per status",
                             labels=["status"])
    for status in sorted({*statuses, *queue.per_status}):
        rows.add_metric([status], queue.per_status.get(status, 0))
    yield rows
    yield GaugeMetricFamily(f"codev_{name}_oldest_waiting_age_seconds",
                            f"Age of the oldest row of the {name} not done yet (0: none)",
                            value=_age(vitals, queue.oldest_waiting))
    yield GaugeMetricFamily(f"codev_{name}_oldest_due_age_seconds",
                            f"Age of the oldest row of the {name} whose time has come and that no worker "
                            "holds (0: none); growing means stuck", value=_age(vitals, queue.oldest_due))


def _workers(vitals: Vitals) -> Iterator[Metric]:
    labels = ["worker"]
    last = GaugeMetricFamily("codev_worker_last_pass_timestamp_seconds", "When the worker last finished a "
                             "pass (Unix time)", labels=labels)
    duration = GaugeMetricFamily("codev_worker_pass_duration_seconds", "How long the worker's last pass "
                                 "took (brokerage and outbox)", labels=labels)
    passes = CounterMetricFamily("codev_worker_passes", "Passes since the worker started", labels=labels)
    limited = CounterMetricFamily("codev_forum_rate_limited", "429 answers the forum gave the worker",
                                  labels=labels)
    for beat in vitals.heartbeats:
        last.add_metric([beat.worker_id], beat.last_pass_at.timestamp())
        duration.add_metric([beat.worker_id], beat.pass_seconds)
        passes.add_metric([beat.worker_id], beat.passes)
        limited.add_metric([beat.worker_id], beat.rate_limited)
    yield from (last, duration, passes, limited)
    reconciled = [b.last_reconcile_at for b in vitals.heartbeats if b.last_reconcile_at is not None]
    yield GaugeMetricFamily("codev_last_reconciliation_timestamp_seconds", "When a worker last finished a "
                            "reconciliation with the forum (Unix time; 0: never)",
                            value=max(reconciled).timestamp() if reconciled else 0.0)


def exposition(engine: Engine, now: Callable[[], datetime]) -> Callable[[], tuple[bytes, str]]:
    """The body and content type of /metrics, from a registry of its own (not the global one)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(VitalsCollector(engine, now))
    return lambda: (generate_latest(registry), CONTENT_TYPE_LATEST)
