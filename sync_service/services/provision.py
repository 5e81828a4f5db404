"""Use case: bring the forum's structure to what config/forum.yaml asks, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from sync_service.domain.provisioning import Action, ForumStructure, plan
from sync_service.services.ports.forum import ForumAdmin, ForumRefused


@dataclass(frozen=True)
class ProvisionResult:
    """What was planned, what was written, and the refusal that stopped the run, if any."""

    planned: tuple[Action, ...]
    applied: tuple[Action, ...]
    dry_run: bool
    refused: ForumRefused | None = None

    @property
    def nothing_to_change(self) -> bool:
        """True when the forum already had everything."""
        return not self.planned


def with_plugin_events(desired: ForumStructure, events: Mapping[str, int]) -> ForumStructure:
    """The webhook also subscribed to the codev plugin's events when the forum has the plugin ("Je peux
    aider" reaches codev by them); without it, as config/forum.yaml says."""
    if desired.webhook is None or not events:
        return desired
    added = tuple(e for e in sorted(events) if e not in desired.webhook.events)
    return replace(desired, webhook=replace(desired.webhook, events=desired.webhook.events + added))


def provision(admin: ForumAdmin, desired: ForumStructure, dry_run: bool = False,
              progress: Callable[[], object] | None = None,
              planned: Callable[[int], object] | None = None) -> ProvisionResult:
    """Read the forum, plan the differences, and (unless dry_run) write them in order; `planned` hears
    how many writes were planned, `progress` each one done.

    A refusal stops the run: what was written stays (a new run completes it), the rest waits.
    """
    try:
        desired = with_plugin_events(desired, admin.plugin_events())
        actions = tuple(plan(desired, admin.read_structure(desired)))
    except ForumRefused as refused:
        return ProvisionResult((), (), dry_run, refused)
    if dry_run:
        return ProvisionResult(actions, (), True)
    if planned is not None:
        planned(len(actions))
    applied: list[Action] = []
    for action in actions:
        try:
            admin.apply(action)
        except ForumRefused as refused:
            return ProvisionResult(actions, tuple(applied), False, refused)
        applied.append(action)
        if progress is not None:
            progress()
    return ProvisionResult(actions, tuple(applied), False)
