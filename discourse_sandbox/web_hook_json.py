"""Web hooks as Discourse's admin API shows them: event types, delivery statuses and serializers."""

from __future__ import annotations

import json
from typing import Any

from discourse_sandbox.core.clock import optional_iso
from discourse_sandbox.core.records import Category, WebHook, WebHookEvent
from discourse_sandbox.core.state import State

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
        "created_at": optional_iso(event.created_at),
        "redelivering": event.redelivering,
    }
