"""Web hook serializers: AdminWebHookSerializer, AdminWebHookEventSerializer and the index extras."""

from __future__ import annotations

import json
from typing import Any

from discourse_sandbox.core.clock import optional_iso
from discourse_sandbox.core.event_types import (
    CONTENT_TYPES,
    DEFAULT_EVENT_TYPES,
    DELIVERY_STATUSES,
    DISABLED,
    EVENT_TYPES,
    INACTIVE_GROUPS,
    event_type_group,
    event_type_name,
)
from discourse_sandbox.core.records import Category, WebHook, WebHookEvent
from discourse_sandbox.core.state import State


def event_type_json(type_id: int) -> dict[str, Any]:
    """WebHookEventTypeSerializer: id, name, group (none for the codev plugin's types)."""
    name = event_type_name(type_id)
    return {"id": type_id, "name": name, "group": event_type_group(name)}


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
    """The categories the hooks filter on, by id."""
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
        "created_at": optional_iso(event.created_at),
        "redelivering": event.redelivering,
    }


def rooted_web_hook_json(state: State, hook: WebHook) -> dict[str, Any]:
    """render_serialized(root: "web_hook"): the hook, its embedded categories sideloaded at the root."""
    return {"web_hook": web_hook_json(hook), "categories": sideloaded_categories(state, [hook])}
