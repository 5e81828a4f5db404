"""Seed section `settings`: any SandboxSettings field, applied as /_sandbox/settings applies them."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.seed.target import SeedTarget


def seed_settings(target: SeedTarget, section: dict[str, Any]) -> None:
    """The seed's `settings:` section."""
    target.apply(section)
