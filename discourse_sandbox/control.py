"""Changing the sandbox's switches at run time (from a seed, the CLI or /_sandbox/settings)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from discourse_sandbox.settings import Faults, SandboxSettings

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox


def apply_settings(sandbox: Sandbox, changes: dict[str, Any]) -> None:
    """Set SandboxSettings fields (and `faults.*`); unknown names or bad types raise ValueError."""
    settings = sandbox.settings
    names = {f.name: f for f in dataclasses.fields(SandboxSettings)}
    for key, value in changes.items():
        if key not in names:
            raise ValueError(f"unknown setting {key!r}; expected one of {sorted(names)}")
        if key == "faults":
            _apply_faults(sandbox, value)
            continue
        current = getattr(settings, key)
        setattr(settings, key, _same_type(key, current, value))
    sandbox.clock.set_scale(settings.time_scale)
    sandbox.admin_limiter.limit = settings.max_admin_api_reqs_per_minute
    if settings.tags_format not in ("objects", "strings"):
        raise ValueError("tags_format: expected objects or strings")
    if settings.form_headings not in ("label", "id"):
        raise ValueError("form_headings: expected label or id")


def _apply_faults(sandbox: Sandbox, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValueError("faults: expected a mapping")
    faults = sandbox.settings.faults
    names = {f.name for f in dataclasses.fields(Faults)}
    for key, item in value.items():
        if key not in names:
            raise ValueError(f"unknown fault {key!r}; expected one of {sorted(names)}")
        setattr(faults, key, _same_type(f"faults.{key}", getattr(faults, key), item))
    sandbox.faults.configure(faults)


def _same_type(key: str, current: Any, value: Any) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{key}: expected true or false, found {value!r}")
        return value
    if isinstance(current, int | float) and not isinstance(value, bool):
        if isinstance(value, int | float):
            return type(current)(value) if isinstance(current, float) else int(value)
    if isinstance(current, str) and isinstance(value, str):
        return value
    raise ValueError(f"{key}: expected a {type(current).__name__}, found {value!r}")


def seed_settings(sandbox: Sandbox, section: dict[str, Any]) -> None:
    """The seed's `settings:` section."""
    apply_settings(sandbox, section)
