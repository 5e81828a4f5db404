"""Use case: bring the forum's structure to what config/forum.yaml asks, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sync_service.domain.provisioning import Action, ForumState, ForumStructure, plan


class ForumRefused(Exception):
    """The forum refused a read or a write; `fix` tells the operator what to change."""

    def __init__(self, what: str, reason: str, fix: str) -> None:
        self.what, self.reason, self.fix = what, reason, fix
        super().__init__(f"{what}: {reason}")


class ForumAdmin(Protocol):
    """The forum's admin side, as provisioning needs it."""

    def read_structure(self, desired: ForumStructure) -> ForumState:
        """What the forum has now (at least what `desired` names); ForumRefused or ForumUnavailable."""
        ...

    def apply(self, action: Action) -> None:
        """Perform one write; ForumRefused or ForumUnavailable."""
        ...


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


def provision(admin: ForumAdmin, desired: ForumStructure, dry_run: bool = False) -> ProvisionResult:
    """Read the forum, plan the differences, and (unless dry_run) write them in order.

    A refusal stops the run: what was written stays (a new run completes it), the rest waits.
    """
    try:
        actions = tuple(plan(desired, admin.read_structure(desired)))
    except ForumRefused as refused:
        return ProvisionResult((), (), dry_run, refused)
    if dry_run:
        return ProvisionResult(actions, (), True)
    applied: list[Action] = []
    for action in actions:
        try:
            admin.apply(action)
        except ForumRefused as refused:
            return ProvisionResult(actions, tuple(applied), False, refused)
        applied.append(action)
    return ProvisionResult(actions, tuple(applied), False)
