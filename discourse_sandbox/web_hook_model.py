"""Web hooks as the model validates them: web_hook[...] params, the SSRF guard, and the seed section."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from discourse_sandbox.core.event_types import CONTENT_TYPES, EVENT_NAMES, EVENT_TYPES
from discourse_sandbox.core.params import as_bool, as_list
from discourse_sandbox.core.records import Tag, WebHook
from discourse_sandbox.core.ssrf import BLOCKED_OR_INTERNAL, allowed_internal_hosts, payload_url_allowed
from discourse_sandbox.core.state import State

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

class UnknownRecord(LookupError):
    """An id in the params names no record: Rails' RecordNotFound, a 404."""


def _ids(value: Any) -> list[int]:
    ids = []
    for item in as_list(value):
        if item.strip() == "":
            continue  # Rails drops the blank that `x[]=` sends to mean "none"
        try:
            ids.append(int(item))
        except ValueError as exc:
            raise UnknownRecord(item) from exc
    return ids


def assign(state: State, hook: WebHook, raw: dict[str, Any], allowed_hosts: Collection[str]) -> list[str]:
    """Apply web_hook[...] params to `hook` (a copy); returns Discourse's full error messages."""
    old_url = hook.payload_url
    if "payload_url" in raw:
        hook.payload_url = str(raw["payload_url"] or "").strip()
    if "content_type" in raw:
        try:
            hook.content_type = int(str(raw["content_type"]))
        except ValueError:
            hook.content_type = 0
    if "secret" in raw:
        hook.secret = str(raw["secret"] or "")
    for flag in ("wildcard_web_hook", "active", "verify_certificate"):
        if flag in raw:
            setattr(hook, flag, as_bool(raw[flag], getattr(hook, flag)))
    if "web_hook_event_type_ids" in raw:
        ids = _ids(raw["web_hook_event_type_ids"])
        if any(i not in EVENT_NAMES for i in ids):
            raise UnknownRecord("web_hook_event_types")
        hook.web_hook_event_type_ids = sorted(set(ids))
    if "category_ids" in raw:
        ids = _ids(raw["category_ids"])
        if any(i not in state.categories for i in ids):
            raise UnknownRecord("categories")
        hook.category_ids = sorted(set(ids))
    if "group_ids" in raw:
        ids = _ids(raw["group_ids"])
        if any(i not in state.groups for i in ids):
            raise UnknownRecord("groups")
        hook.group_ids = sorted(set(ids))
    if "tag_names" in raw:
        from discourse_sandbox.taxonomy import clean_tag_name

        names = [clean_tag_name(n) for n in as_list(raw["tag_names"])]
        hook.tag_names = sorted({n for n in names if n})
    return _errors(hook, old_url, allowed_hosts)


def _errors(hook: WebHook, old_url: str, allowed_hosts: Collection[str]) -> list[str]:
    errors = []
    parts = urlsplit(hook.payload_url)
    url_ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    if not hook.payload_url:
        errors.append("Payload url can't be blank")
    elif not url_ok:
        errors.append("Payload url URL is invalid. URL should includes http:// or https://. "
                      "And no blank is allowed.")
    if hook.secret and len(hook.secret) < 12:
        errors.append("Secret is too short (minimum is 12 characters)")
    if hook.content_type <= 0:
        errors.append("Content type can't be blank")
    if not hook.wildcard_web_hook and not hook.web_hook_event_type_ids:
        errors.append("Web hook event types can't be blank")
    url_changed = hook.payload_url != old_url
    if url_ok and url_changed and not payload_url_allowed(hook.payload_url, allowed_hosts):
        errors.append(BLOCKED_OR_INTERNAL)
    return errors


def create_tags(state: State, names: list[str]) -> None:
    """DiscourseTagging.add_or_create_tags_by_name(unlimited: true): a hook's tags are created."""
    for name in names:
        if name not in state.tags:
            state.tags[name] = Tag(id=state.next_id("tags"), name=name)


# --- seed --------------------------------------------------------------------------------------

SEED_KEYS = frozenset({"payload_url", "secret", "events", "wildcard", "active", "content_type",
                       "verify_certificate", "categories", "tags", "groups"})


def seed_hooks(sandbox: Sandbox, entries: list[dict[str, Any]], allowed_hosts: Collection[str]) -> None:
    """Create the seed's web hooks, validated as the admin API validates them."""
    if not isinstance(entries, list):
        raise ValueError("expected a list of web hooks")
    state = sandbox.state
    now = sandbox.clock.now()
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
                errors = assign(state, hook, _seed_params(state, where, entry), allowed_hosts)
            except UnknownRecord as exc:
                raise ValueError(f"{where}: unknown {exc}") from exc
            if errors:
                raise ValueError(f"{where} ({entry.get('payload_url')}): {'; '.join(errors)}")
            hook.id = state.next_id("web_hooks")
            state.web_hooks[hook.id] = hook
            create_tags(state, hook.tag_names)


def _seed_params(state: State, where: str, entry: dict[str, Any]) -> dict[str, Any]:
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
    for name in entry.get("events") or []:
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


def seed_web_hooks(sandbox: Sandbox, entries: list[dict[str, Any]]) -> None:
    """Seed section `web_hooks`: [{payload_url, events (names) | wildcard, active, secret, ...}]."""
    seed_hooks(sandbox, entries, allowed_internal_hosts(sandbox.settings.allowed_internal_hosts))
