"""The per-user settings UserSerializer carries: the notification schedule and the user option row."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.records import User


def notification_schedule() -> dict[str, Any]:
    """UserNotificationSchedule.default: off, 8:00 to 17:00 every day."""
    body: dict[str, Any] = {"enabled": False}
    for day in range(7):
        body[f"day_{day}_start_time"] = 480
        body[f"day_{day}_end_time"] = 1020
    return body


def user_option_json(user: User) -> dict[str, Any]:
    """UserOptionSerializer with Discourse's defaults."""
    return {
        "user_id": user.id, "mailing_list_mode": False, "mailing_list_mode_frequency": 1,
        "email_digests": True, "email_level": 1, "email_messages_level": 0,
        "external_links_in_new_tab": False, "bookmark_auto_delete_preference": 3,
        "color_scheme_id": None, "dark_scheme_id": None, "dynamic_favicon": False,
        "enable_quoting": True, "enable_smart_lists": True,
        "enable_markdown_monospace_font": False, "digest_after_minutes": 10080,
        "automatically_unpin_topics": True, "auto_track_topics_after_msecs": 240000,
        "notification_level_when_replying": 2, "new_topic_duration_minutes": 2880,
        "email_previous_replies": 2, "email_in_reply_to": False, "like_notification_frequency": 1,
        "notify_on_linked_posts": True, "push_notification_level": "all",
        "enable_upcoming_change_available_notifications": True, "include_tl0_in_digests": False,
        "theme_ids": [], "theme_key_seq": 0, "allow_private_messages": True,
        "enable_allowed_pm_users": False, "homepage_id": None, "hide_profile_and_presence": False,
        "hide_profile": False, "hide_presence": False, "text_size": "normal", "text_size_seq": 0,
        "title_count_mode": "notifications", "timezone": None, "skip_new_user_tips": False,
        "default_calendar": "none_selected", "oldest_search_log_date": None,
        "sidebar_link_to_filtered_list": False, "sidebar_show_count_of_new_items": False,
        "watched_precedence_over_muted": False, "seen_popups": None,
        "topics_unread_when_closed": True, "composition_mode": 1, "interface_color_mode": 1,
        "automatically_translate": False, "understood_languages": [user.locale],
        "show_original_content": False, "send_shortcut": "ctrl_enter",
    }
