"""Category serializers: CategoryDetailedSerializer (lists), CategorySerializer and the webhook's."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from discourse_sandbox.core.guardian import (
    FULL,
    can_create_in_category,
    can_delete_category,
    can_edit_category,
    can_see_category,
)
from discourse_sandbox.core.queries import category_post_count, category_topics, read_restricted
from discourse_sandbox.core.records import SYSTEM_USER_ID, Category, User
from discourse_sandbox.core.state import State


def _topic_url(state: State, category: Category) -> str | None:
    topic = state.topics.get(category.topic_id or 0)
    return f"/t/{topic.slug}/{topic.id}" if topic is not None else None


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text or "").strip()


def basic_category_json(
    state: State, category: Category, user: User | None, now: datetime
) -> dict[str, Any]:
    """CategoryDetailedSerializer as GET /categories lists it."""
    children = [c for c in sorted(state.categories.values(), key=lambda c: (c.position, c.id))
                if c.parent_category_id == category.id and can_see_category(state, c, user)]
    topics = category_topics(state, category)
    description = category.description or None
    body: dict[str, Any] = {
        "id": category.id, "name": category.name, "color": category.color,
        "text_color": category.text_color, "style_type": category.style_type,
        "emoji": category.emoji, "icon": category.icon, "slug": category.slug,
        "topic_count": len(topics), "post_count": category_post_count(state, category),
        "position": category.position, "description": description,
        "description_text": _plain(category.description) or None,
        "description_excerpt": _plain(category.description) or None,
        "topic_url": _topic_url(state, category), "read_restricted": read_restricted(category),
        "permission": FULL if can_create_in_category(state, category, user) else None,
        "notification_level": 1, "can_edit": True,
        "topic_template": category.topic_template, "topic_title_placeholder": None,
        "has_children": bool(children), "subcategory_count": len(children) or None,
        "sort_order": None, "sort_ascending": None, "show_subcategory_list": False,
        "num_featured_topics": category.num_featured_topics, "default_view": None,
        "subcategory_list_style": "rows_with_featured_topics", "default_top_period": "all",
        "default_list_filter": "all", "minimum_required_tags": category.minimum_required_tags,
        "navigate_to_first_post_after_read": False,
    }
    if category.parent_category_id is not None:
        body["parent_category_id"] = category.parent_category_id
    for key, days in (("topics_day", 1), ("topics_week", 7), ("topics_month", 30),
                      ("topics_year", 365)):
        body[key] = sum(1 for t in topics if t.created_at >= now - timedelta(days=days))
    body["topics_all_time"] = len(topics)
    body["is_uncategorized"] = category.slug == "uncategorized"
    body["subcategory_ids"] = [c.id for c in children]
    for key in ("uploaded_logo", "uploaded_logo_dark", "uploaded_background",
                "uploaded_background_dark"):
        body[key] = None
    if not can_edit_category(user):
        body.pop("can_edit")  # BasicCategorySerializer#include_can_edit?
    return body


def category_json(state: State, category: Category, user: User | None, now: datetime) -> dict[str, Any]:
    """CategorySerializer (GET /c/{id}/show, POST and PUT /categories)."""
    body = basic_category_json(state, category, user, now)
    for key in ("topics_day", "topics_week", "topics_month", "topics_year", "topics_all_time",
                "is_uncategorized", "subcategory_ids"):
        body.pop(key)
    permissions = group_permissions(state, category)
    body.update({
        "form_template_ids": sorted(category.form_template_ids),
        "custom_fields": {}, "allowed_tags": list(category.allowed_tags),
        "allowed_tag_groups": list(category.allowed_tag_groups), "allow_global_tags": False,
        "required_tag_groups": [],
        "category_setting": {"auto_bump_cooldown_days": 1, "num_auto_bump_daily": None,
                             "require_reply_approval": None, "require_topic_approval": None},
        "read_only_banner": None,
        "available_groups": sorted(g.name for g in state.groups.values()
                                   if g.name not in {p["group_name"] for p in permissions}),
        "auto_close_hours": None, "auto_close_based_on_last_post": False,
        "allow_unlimited_owner_edits_on_first_post": False, "default_slow_mode_seconds": None,
        "group_permissions": permissions, "email_in": None, "email_in_allow_strangers": False,
        "mailinglist_mirror": False, "all_topics_wiki": False,
        "can_delete": True,
        "allow_badges": category.allow_badges,
        "topic_featured_link_allowed": category.topic_featured_link_allowed,
        "search_priority": category.search_priority,
        "topic_posting_review_group_ids": [], "reply_posting_review_group_ids": [],
    })
    if not can_delete_category(state, category, user):
        body.pop("can_delete")  # CategorySerializer#include_can_delete?
    if not can_edit_category(user):
        body.pop("available_groups")
    return body


def group_permissions(state: State, category: Category) -> list[dict[str, Any]]:
    """CategorySerializer#group_permissions: [{permission_type, group_name, group_id}] by name."""
    result = []
    for name, level in (category.permissions or {"everyone": FULL}).items():
        group = state.group_by_name(name)
        if group is not None:
            result.append({"permission_type": level, "group_name": group.name, "group_id": group.id})
    return sorted(result, key=lambda p: p["group_name"])


def webhook_category_json(state: State, category: Category, now: datetime) -> dict[str, Any]:
    """WebHookCategorySerializer: CategorySerializer for the system user, minus per-viewer keys."""
    body = category_json(state, category, state.users.get(SYSTEM_USER_ID), now)
    for key in ("can_edit", "notification_level", "available_groups"):
        body.pop(key, None)
    return body


def category_list_json(state: State, categories: list[Category], user: User | None, now: datetime,
                       include_subcategories: bool) -> dict[str, Any]:
    """GET /categories: the category_list, each with its subcategory_list when asked."""
    bodies = []
    for category in categories:
        body = basic_category_json(state, category, user, now)
        if include_subcategories:
            body["subcategory_list"] = [basic_category_json(state, state.categories[i], user, now)
                                        for i in body["subcategory_ids"]]
        bodies.append(body)
    return {"category_list": {
        "can_create_category": can_edit_category(user),
        "can_create_topic": user is not None,
        "categories": bodies,
    }}
