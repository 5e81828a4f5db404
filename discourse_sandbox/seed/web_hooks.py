"""Seed section `web_hooks`: hooks validated as the admin API validates them, their tags created."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.event_types import CODEV_OFFER_TYPES, CONTENT_TYPES, EVENT_TYPES, TYPE_KEYS
from discourse_sandbox.core.records import WebHook
from discourse_sandbox.core.ssrf import host_policy
from discourse_sandbox.core.state import State
from discourse_sandbox.models.web_hooks import UnknownRecord, assign, create_tags
from discourse_sandbox.seed.target import SeedTarget

SEED_KEYS = frozenset({"payload_url", "secret", "events", "wildcard", "active", "content_type",
                       "verify_certificate", "categories", "tags", "groups"})


def seed_web_hooks(target: SeedTarget, entries: list[dict[str, Any]]) -> None:
    """Seed section `web_hooks`: [{payload_url, events (names) | wildcard, active, secret, ...}]."""
    policy = host_policy(target.settings.allowed_internal_hosts, target.settings.resolve_hosts)
    if not isinstance(entries, list):
        raise ValueError("expected a list of web hooks")
    state = target.state
    now = target.clock.now()
    plugin = target.settings.plugin_codev_enabled
    with state.transaction():
        for i, entry in enumerate(entries):
            where = f"web_hooks[{i}]"
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: expected a mapping")
            unknown = set(entry) - SEED_KEYS
            if unknown:
                raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(SEED_KEYS)}")
            hook = WebHook(id=0, payload_url="", created_at=now, updated_at=now)
            try:
                errors = assign(state, hook, _seed_params(state, where, entry, plugin), policy, plugin)
            except UnknownRecord as exc:
                raise ValueError(f"{where}: unknown {exc}") from exc
            if errors:
                raise ValueError(f"{where} ({entry.get('payload_url')}): {'; '.join(errors)}")
            hook.id = state.next_id("web_hooks")
            state.web_hooks[hook.id] = hook
            create_tags(state, hook.tag_names)


def _seed_params(state: State, where: str, entry: dict[str, Any], plugin: bool) -> dict[str, Any]:
    content_type = entry.get("content_type", 1)
    raw: dict[str, Any] = {
        "payload_url": entry.get("payload_url"), "secret": entry.get("secret") or "",
        "active": bool(entry.get("active", False)),
        "wildcard_web_hook": bool(entry.get("wildcard", False)),
        "verify_certificate": bool(entry.get("verify_certificate", True)),
        "content_type": {v: k for k, v in CONTENT_TYPES.items()}.get(content_type, content_type),
        "tag_names": [str(t) for t in entry.get("tags") or []],
    }
    ids = []
    for given in entry.get("events") or []:
        name = TYPE_KEYS.get(given, given)
        if name in CODEV_OFFER_TYPES and plugin:
            ids.append(CODEV_OFFER_TYPES[name])
            continue
        if name not in EVENT_TYPES:
            raise ValueError(f"{where}: key 'events': unknown event {name!r}; expected one of "
                             f"{sorted(EVENT_TYPES)}")
        ids.append(EVENT_TYPES[name][0])
    raw["web_hook_event_type_ids"] = ids
    raw["category_ids"] = [_lookup(where, "categories", slug, state.category_by_slug(str(slug)))
                           for slug in entry.get("categories") or []]
    raw["group_ids"] = [_lookup(where, "groups", name, state.group_by_name(str(name)))
                        for name in entry.get("groups") or []]
    return raw


def _lookup(where: str, key: str, name: Any, record: Any) -> int:
    if record is None:
        raise ValueError(f"{where}: key {key!r}: nothing named {name!r}")
    return int(record.id)
