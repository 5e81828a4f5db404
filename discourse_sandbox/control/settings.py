"""Changing the sandbox's switches at run time (from a seed, the CLI or /_sandbox/settings)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from discourse_sandbox.control.target import Controlled
from discourse_sandbox.core.settings import Faults, SandboxSettings


def apply_settings(sandbox: Controlled, changes: dict[str, Any]) -> None:
    """Set SandboxSettings fields (and `faults.*`); unknown names or bad types raise ValueError.

    All or nothing: on a ValueError every switch is back to what it was.
    """
    if not isinstance(changes, dict):
        raise ValueError("expected a mapping of setting names to values")
    before = copy.deepcopy(sandbox.settings)
    try:
        _apply(sandbox, changes)
    except ValueError:
        _restore(sandbox, before, "faults" in changes)
        raise


def _restore(sandbox: Controlled, before: SandboxSettings, faults_touched: bool) -> None:
    settings = sandbox.settings
    for f in dataclasses.fields(SandboxSettings):
        if f.name != "faults":
            setattr(settings, f.name, getattr(before, f.name))
    if faults_touched:
        # Keep the same Faults object: the injector and the emitter hold it.
        for f in dataclasses.fields(Faults):
            setattr(settings.faults, f.name, getattr(before.faults, f.name))
        sandbox.faults.configure(settings.faults)
        sandbox.emitter.reseed()
    sandbox.clock.set_scale(settings.time_scale)
    sandbox.admin_limiter.limit = settings.max_admin_api_reqs_per_minute


def _apply(sandbox: Controlled, changes: dict[str, Any]) -> None:
    settings = sandbox.settings
    names = {f.name: f for f in dataclasses.fields(SandboxSettings)}
    for key, value in changes.items():
        if key not in names:
            raise ValueError(f"unknown setting {key!r}; expected one of {sorted(names)}")
        if key == "faults":
            _apply_faults(sandbox, value)
            continue
        current = getattr(settings, key)
        if names[key].type == "int | None":
            setattr(settings, key, _optional_int(key, value))
            continue
        setattr(settings, key, _same_type(key, current, value))
    if settings.time_scale <= 0:
        raise ValueError("time_scale: expected a number above 0")
    sandbox.clock.set_scale(settings.time_scale)
    sandbox.admin_limiter.limit = settings.max_admin_api_reqs_per_minute
    if settings.tags_format not in ("objects", "strings"):
        raise ValueError("tags_format: expected objects or strings")
    if settings.form_headings not in ("label", "id"):
        raise ValueError("form_headings: expected label or id")


def _apply_faults(sandbox: Controlled, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValueError("faults: expected a mapping")
    faults = sandbox.settings.faults
    names = {f.name for f in dataclasses.fields(Faults)}
    for key, item in value.items():
        if key not in names:
            raise ValueError(f"unknown fault {key!r}; expected one of {sorted(names)}")
        setattr(faults, key, _same_type(f"faults.{key}", getattr(faults, key), item))
    sandbox.faults.configure(faults)
    sandbox.emitter.reseed()


def _optional_int(key: str, value: Any) -> int | None:
    """A setting that names a record by id or nothing (a category setting left empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"{key}: expected an id or null, found {value!r}")


def _same_type(key: str, current: Any, value: Any) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{key}: expected true or false, found {value!r}")
        return value
    if isinstance(current, int | float) and isinstance(value, int | float) and not isinstance(value, bool):
        return type(current)(value) if isinstance(current, float) else int(value)
    if isinstance(current, list | tuple) and isinstance(value, list | str):
        # List site settings (e.g. allowed_internal_hosts) are "|"-separated strings in Discourse.
        items = value.split("|") if isinstance(value, str) else value
        return [str(item) for item in items if str(item)]
    if isinstance(current, str) and isinstance(value, str):
        return value
    raise ValueError(f"{key}: expected a {type(current).__name__}, found {value!r}")
