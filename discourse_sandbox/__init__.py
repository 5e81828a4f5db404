"""A stateful emulator of the part of Discourse that codev uses (as moto is for AWS)."""

from __future__ import annotations

from discourse_sandbox.sandbox import Sandbox
from discourse_sandbox.settings import Faults, SandboxSettings

__all__ = ["Faults", "Sandbox", "SandboxSettings"]
