"""A stateful emulator of the part of Discourse that codev uses (as moto is for AWS)."""

from __future__ import annotations

from discourse_sandbox.core.settings import Faults, SandboxSettings
from discourse_sandbox.sandbox import Sandbox

__all__ = ["Faults", "Sandbox", "SandboxSettings"]
