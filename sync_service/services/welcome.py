"""Use case: the pinned welcome topics (the guides for communes and experts, fr/ar), through the outbox.

Idempotent: the topic's intent key is stable (`welcome:<guide>:<locale>`, its external_id), so a
second provision posts nothing; a changed text is one edit keyed by the text's digest
(`welcome:<guide>:<locale>:r<digest>`), and pinning is its own intent, sent once after the topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sync_service.domain.welcome import WelcomeText
from sync_service.services.outbox import enqueue
from sync_service.services.ports.storage import Intent, UnitOfWork


@dataclass
class WelcomeResult:
    """Keys of the welcome topics queued for creation, of those queued for an edit, and unchanged."""

    created: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    no_category: list[str] = field(default_factory=list)


def queue_welcome(uow: UnitOfWork, texts: Sequence[WelcomeText], categories: Mapping[str, int | None],
                  now: datetime) -> WelcomeResult:
    """Create, pin or edit each welcome topic as its text says, in the caller's transaction (it commits)."""
    result = WelcomeResult()
    for text in texts:
        category = categories.get(text.category)
        if category is None:
            result.no_category.append(text.key)
            continue
        created = uow.outbox.find(text.key)
        if created is None:
            payload = {"title": text.title, "raw": text.raw, "category": category, "revision": text.revision}
            enqueue(uow, Intent(text.key, "create_topic", payload), now)
            enqueue(uow, Intent(f"{text.key}:pin", "pin_topic", {}, depends_on=text.key), now)
            result.created.append(text.key)
        elif created.payload.get("revision") == text.revision or uow.outbox.find(_edit(text)) is not None:
            result.unchanged.append(text.key)
        else:
            payload = {"raw": text.raw, "edit_reason": f"guide {text.revision}"}
            enqueue(uow, Intent(_edit(text), "edit_post", payload, depends_on=text.key), now)
            result.edited.append(text.key)
    return result


def _edit(text: WelcomeText) -> str:
    return f"{text.key}:r{text.revision}"
