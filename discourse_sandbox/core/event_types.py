"""Discourse's web hook tables: event types and their groups, content types, delivery statuses."""

from __future__ import annotations

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
