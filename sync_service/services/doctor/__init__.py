"""Use case: check a forum and codev's own state the way an operator needs before going live, each
check one finding (OK, PROBLEM with what to do, or SKIPPED with why). No check writes anything but
the webhook's ping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sync_service.services.doctor.findings import CHECKS, FORUM_CHECKS, LOCAL_CHECKS, Expected, Finding
from sync_service.services.doctor.forum import check_forum
from sync_service.services.doctor.local import check_local
from sync_service.services.ports.health import ForumInspector, Vitals

__all__ = ["CHECKS", "FORUM_CHECKS", "LOCAL_CHECKS", "Expected", "Finding", "run"]


def run(expected: Expected, inspector: ForumInspector | None, vitals: Callable[[], Vitals | str],
        now: datetime, only: Sequence[str] = CHECKS) -> list[Finding]:
    """Every check asked for, in CHECKS order (the forum's first, then the database's)."""
    findings: list[Finding] = []
    if inspector is not None and any(c in only for c in FORUM_CHECKS):
        findings += [f for f in check_forum(expected, inspector) if f.check in only]
    if any(c in only for c in LOCAL_CHECKS):
        findings += [f for f in check_local(expected, vitals(), now) if f.check in only]
    return findings
