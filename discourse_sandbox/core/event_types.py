"""Discourse's web hook tables: event types and their groups, content types, delivery statuses."""

from __future__ import annotations

# WebHookEventType::TYPES (ids) and its `group` enum (app/models/web_hook_event_type.rb), under the names
# db/fixtures/007_web_hook_event_types.rb gives them: hooks match events by these names, and they are
# what X-Discourse-Event carries and the admin API lists (a few differ from the TYPES keys).
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
    "accepted_solution": (1101, "solved"), "unaccepted_solution": (1102, "solved"),
    "assigned": (1201, "assign"), "unassigned": (1202, "assign"),
    "user_badge_granted": (1301, "user_badge"), "user_badge_revoked": (1302, "user_badge"),
    "user_added_to_group": (1401, "group_user"), "user_removed_from_group": (1402, "group_user"),
    "post_liked": (1501, "like"), "user_promoted": (1601, "user_promoted"),
    "topic_upvote": (1701, "voting"), "topic_unvote": (1702, "voting"),
    "chat_message_created": (1801, "chat"), "chat_message_edited": (1802, "chat"),
    "chat_message_trashed": (1803, "chat"), "chat_message_restored": (1804, "chat"),
}
# The discourse-codev plugin's types (discourse_plugin/lib/codev/offer_events.rb), seeded by its
# db/fixtures without a group: they exist only while the plugin is installed (plugin_codev_enabled).
CODEV_OFFER_TYPES: dict[str, int] = {"codev_offer_created": 90101, "codev_offer_withdrawn": 90102}
CODEV_OFFER_PAYLOAD = "codev_offer"  # WebHook.enqueue_hooks(:codev_offer, ...): body key and event type
# The TYPES keys where the fixture names differ; a seed may still use them.
TYPE_KEYS: dict[str, str] = {
    "solved_accepted_solution": "accepted_solution", "solved_unaccepted_solution": "unaccepted_solution",
    "assign_assigned": "assigned", "assign_unassigned": "unassigned",
    "group_user_added": "user_added_to_group", "group_user_removed": "user_removed_from_group",
    "like_created": "post_liked", "user_promoted_created": "user_promoted",
    "voting_topic_upvote": "topic_upvote", "voting_topic_unvote": "topic_unvote",
}
EVENT_NAMES: dict[int, str] = {type_id: name for name, (type_id, _group) in EVENT_TYPES.items()}
PLUGIN_EVENT_NAMES: dict[int, str] = {type_id: name for name, type_id in CODEV_OFFER_TYPES.items()}
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


def event_type_id(event: str) -> int | None:
    """The id of the event type a hook subscribes to for this event (core's or the plugin's)."""
    name = translate_event_name(event)
    if name in EVENT_TYPES:
        return EVENT_TYPES[name][0]
    return CODEV_OFFER_TYPES.get(name)


def event_type_name(type_id: int) -> str:
    """A type's name, core's or the plugin's."""
    return EVENT_NAMES.get(type_id) or PLUGIN_EVENT_NAMES[type_id]


def event_type_group(name: str) -> str | None:
    """A type's group; the plugin's types have none."""
    known = EVENT_TYPES.get(name)
    return known[1] if known else None


def payload_type(event: str) -> str:
    """The body's key and X-Discourse-Event-Type: topic, post, user, ... (the event's group)."""
    if event in CODEV_OFFER_TYPES:
        return CODEV_OFFER_PAYLOAD
    known = EVENT_TYPES.get(translate_event_name(event))
    return known[1] if known else event.split("_", 1)[0]
