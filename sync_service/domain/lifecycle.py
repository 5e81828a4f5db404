"""Need status as far as sync decides it: the forum opens and closes; the brokerage sets what lies between."""

from __future__ import annotations

OPEN = "open"
CLOSED = "closed"
# Statuses the brokerage sets; sync keeps them while the topic stays open.
LIFECYCLE_STATUSES = ("matched", "in_progress", "served", "funded")
NEED_STATUSES = (OPEN, *LIFECYCLE_STATUSES, CLOSED)


def status_after_sync(stored: str | None, closed: bool, archived: bool) -> str:
    """The status once the forum's state is applied: a closed or archived topic is closed; a topic
    open in the forum is open again, unless the lifecycle moved it further (then that stays)."""
    if closed or archived:
        # served or funded: a person closed the need with its outcome; the topic's closing keeps it
        return stored if stored in ("served", "funded") else CLOSED
    if stored is None or stored == CLOSED or stored not in NEED_STATUSES:
        return OPEN
    return stored
