"""Web hooks as Discourse's admin API shows and validates them: event types, serializers, SSRF guard."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from discourse_sandbox.clock import iso
from discourse_sandbox.http import as_bool, as_list
from discourse_sandbox.state import Category, State, Tag, WebHook, WebHookEvent

if TYPE_CHECKING:
    from discourse_sandbox.sandbox import Sandbox

# WebHookEventType::TYPES and its `group` enum (app/models/web_hook_event_type.rb).
EVENT_TYPES: dict[str, tuple[int, str]] = {
    "topic_created": (101, "topic"), "topic_revised": (102, "topic"), "topic_edited": (103, "topic"),
    "topic_destroyed": (104, "topic"), "topic_recovered": (105, "topic"),
    "post_created": (201, "post"), "post_edited": (202, "post"), "post_destroyed": (203, "post"),
    "post_recovered": (204, "post"),
    "user_logged_in": (301, "user"), "user_logged_out": (302, "user"),
    "user_confirmed_email": (303, "user"), "user_created": (304, "user"), "user_approved": (305, "user"),
    "user_updated": (306, "user"), "user_destroyed": (307, "user"), "user_suspended": (308, "user"),
    "user_unsuspended": (309, "user"),
    "group_created": (401, "group"), "group_updated": (402, "group"), "group_destroyed": (403, "group"),
    "category_created": (501, "category"), "category_updated": (502, "category"),
    "category_destroyed": (503, "category"),
    "tag_created": (601, "tag"), "tag_updated": (602, "tag"), "tag_destroyed": (603, "tag"),
    "reviewable_created": (901, "reviewable"), "reviewable_updated": (902, "reviewable"),
    "notification_created": (1001, "notification"),
    "solved_accepted_solution": (1101, "solved"), "solved_unaccepted_solution": (1102, "solved"),
    "assign_assigned": (1201, "assign"), "assign_unassigned": (1202, "assign"),
    "user_badge_granted": (1301, "user_badge"), "user_badge_revoked": (1302, "user_badge"),
    "group_user_added": (1401, "group_user"), "group_user_removed": (1402, "group_user"),
    "like_created": (1501, "like"), "user_promoted_created": (1601, "user_promoted"),
    "voting_topic_upvote": (1701, "voting"), "voting_topic_unvote": (1702, "voting"),
    "chat_message_created": (1801, "chat"), "chat_message_edited": (1802, "chat"),
    "chat_message_trashed": (1803, "chat"), "chat_message_restored": (1804, "chat"),
}
EVENT_NAMES: dict[int, str] = {type_id: name for name, (type_id, _group) in EVENT_TYPES.items()}
# WebHookEventType.active hides the types of plugins that are not enabled (solved, assign, voting, chat).
INACTIVE_GROUPS = frozenset({"solved", "assign", "voting", "chat"})
DEFAULT_EVENT_TYPES = ("post_created", "post_edited", "post_destroyed", "post_recovered")
CONTENT_TYPES = {1: "application/json", 2: "application/x-www-form-urlencoded"}
INACTIVE, FAILED, SUCCESSFUL, DISABLED = 1, 2, 3, 4
DELIVERY_STATUSES = {"inactive": INACTIVE, "failed": FAILED, "successful": SUCCESSFUL, "disabled": DISABLED}
BLOCKED_OR_INTERNAL = (
    "Payload URL cannot be used because it resolves to a blocked or internal IP address"
)


class UnknownRecord(LookupError):
    """An id in the params names no record: Rails' RecordNotFound, a 404."""


def translate_event_name(event: str) -> str:
    """WebHook.translate_event_name_to_type: the event type a hook subscribes to for this event."""
    if event.startswith("topic_") and event.endswith("_status_updated"):
        return "topic_edited"
    if event in ("reviewable_score_updated", "reviewable_transitioned_to"):
        return "reviewable_updated"
    return event


def payload_type(event: str) -> str:
    """The body's key and X-Discourse-Event-Type: topic, post, user, ... (the event's group)."""
    known = EVENT_TYPES.get(translate_event_name(event))
    return known[1] if known else event.split("_", 1)[0]


def event_type_json(type_id: int) -> dict[str, Any]:
    name = EVENT_NAMES[type_id]
    return {"id": type_id, "name": name, "group": EVENT_TYPES[name][1]}


def grouped_event_types() -> dict[str, list[dict[str, Any]]]:
    """WebHookEventType.active_grouped, serialized."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for type_id, group in EVENT_TYPES.values():
        if group not in INACTIVE_GROUPS:
            grouped.setdefault(group, []).append(event_type_json(type_id))
    return grouped


def index_extras(categories: list[dict[str, Any]]) -> dict[str, Any]:
    """The `extras` of GET /admin/api/web_hooks."""
    return {
        "categories": categories,
        "grouped_event_types": grouped_event_types(),
        "default_event_types": [event_type_json(EVENT_TYPES[n][0]) for n in DEFAULT_EVENT_TYPES],
        "content_types": [{"id": i, "name": n} for i, n in CONTENT_TYPES.items()],
        "delivery_statuses": [{"id": i, "name": n} for n, i in DELIVERY_STATUSES.items()],
    }


def web_hook_json(hook: WebHook) -> dict[str, Any]:
    """AdminWebHookSerializer."""
    return {
        "id": hook.id,
        "payload_url": hook.payload_url,
        "content_type": hook.content_type,
        "last_delivery_status": hook.last_delivery_status if hook.active else DISABLED,
        "secret": hook.secret,
        "wildcard_web_hook": hook.wildcard_web_hook,
        "verify_certificate": hook.verify_certificate,
        "active": hook.active,
        "category_ids": list(hook.category_ids),
        "tag_names": list(hook.tag_names),
        "group_ids": list(hook.group_ids),
        "web_hook_event_types": [event_type_json(i) for i in sorted(hook.web_hook_event_type_ids)],
    }


def basic_category_json(category: Category) -> dict[str, Any]:
    """The sideloaded categories (a subset of BasicCategorySerializer)."""
    return {
        "id": category.id, "name": category.name, "color": category.color,
        "text_color": category.text_color, "slug": category.slug, "position": category.position,
        "description": category.description or None, "parent_category_id": category.parent_category_id,
        "read_restricted": bool(category.permissions) and "everyone" not in category.permissions,
    }


def sideloaded_categories(state: State, hooks: list[WebHook]) -> list[dict[str, Any]]:
    ids = sorted({cid for hook in hooks for cid in hook.category_ids})
    return [basic_category_json(state.categories[i]) for i in ids if i in state.categories]


def event_json(state: State, event: WebHookEvent) -> dict[str, Any]:
    """AdminWebHookEventSerializer: headers and response_headers are JSON text, as stored."""
    hook = state.web_hooks.get(event.web_hook_id)
    return {
        "id": event.id,
        "web_hook_id": event.web_hook_id,
        "request_url": hook.payload_url if hook else None,
        "headers": json.dumps(event.headers),
        "payload": event.payload,
        "status": event.status,
        "response_headers": json.dumps(event.response_headers),
        "response_body": None if event.status == -1 else event.response_body,
        "duration": event.duration,
        "created_at": iso(event.created_at) if event.created_at else None,
        "redelivering": event.redelivering,
    }


# --- validation -------------------------------------------------------------------------------

def is_internal_host(host: str) -> bool:
    """Whether a host is private, loopback or otherwise internal (FinalDestination::SSRFDetector)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # No DNS here: names that only resolve inside a network (localhost, compose services) count
        # as internal, any dotted public-looking name as external.
        name = host.lower().rstrip(".")
        return name == "localhost" or "." not in name or name.endswith((".localhost", ".local", ".internal"))
    return not address.is_global or address.is_multicast


def payload_url_allowed(url: str, allowed_hosts: Collection[str]) -> bool:
    """WebHook#ensure_payload_url_allowed: internal hosts only when listed in allowed_internal_hosts."""
    host = urlsplit(url.strip()).hostname or ""
    return host in allowed_hosts or not is_internal_host(host)


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
        errors.append("Payload url is invalid")
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
