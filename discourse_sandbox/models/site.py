"""What every area of the backend works on: the state, the switches, the clock and the event sink."""

from __future__ import annotations

from dataclasses import dataclass

from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.events import EventSink
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State


@dataclass(frozen=True)
class Site:
    """One Discourse site's shared parts; each area keeps a reference to it."""

    state: State
    settings: SandboxSettings
    clock: Clock
    events: EventSink
