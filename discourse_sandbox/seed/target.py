"""What a seed is loaded into: a sandbox's state, switches and clock (the Sandbox is one)."""

from __future__ import annotations

from typing import Any, Protocol

from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State


class SeedTarget(Protocol):
    """The parts of a sandbox that the importers fill."""

    state: State
    settings: SandboxSettings
    clock: Clock

    def apply(self, changes: dict[str, Any]) -> None:
        """Change switches, all or nothing (ValueError on a bad one)."""
        ...
