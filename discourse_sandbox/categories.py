"""Categories: Discourse's validations on create/update, and the category JSON of its serializers."""

from __future__ import annotations

import re
import unicodedata
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
from discourse_sandbox.core.records import Category, User
from discourse_sandbox.core.state import State

# Searchable::PRIORITIES values (normal 0, ignore 1, very_low 2, low 3, high 4, very_high 5).
SEARCH_PRIORITIES = range(0, 6)
MAX_NAME_LENGTH = 50
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_ENCODED_FORBIDDEN = re.compile(r"[:/?#\[\]@!$&'()*+,;=%\s\\`^|{}\"<>.]+")

# Keys a create/update may change, as CategoriesController#category_params permits them.
SIMPLE_KEYS = {
    "color": str, "text_color": str, "style_type": str, "emoji": str, "icon": str,
    "allow_badges": bool, "topic_featured_link_allowed": bool, "topic_template": str,
    "minimum_required_tags": int, "num_featured_topics": int, "search_priority": int, "position": int,
}


def slug_for(name: str) -> str:
    """Slug.for(name, "") with slug_generation_method ascii: transliterated, lowercase, dashes."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("'", "")).encode("ascii", "ignore").decode()
    slug = _SLUG_CHARS.sub("-", ascii_name.lower()).strip("-")
    return "" if slug.isdigit() else slug


def slug_for_url(category: Category) -> str:
    """Category#slug_for_url: the slug, or "<id>-category" when it is empty."""
    return category.slug or f"{category.id}-category"


def _clean_custom_slug(slug: str) -> str:
    slug = _ENCODED_FORBIDDEN.sub("-", slug.strip().lower())
    return re.sub(r"-+", "-", slug).strip("-")


def _duplicate_slug(state: State, slug: str, parent_id: int | None, own_id: int | None) -> bool:
    return any(c.slug == slug and c.parent_category_id == parent_id and c.id != own_id
               for c in state.categories.values())


def _name_taken(state: State, category: Category, name: str, parent_id: int | None) -> bool:
    """Name uniqueness among siblings, case-insensitive (Category validates it per parent)."""
    return any(c.name.lower() == name.lower() and c.parent_category_id == parent_id
               and c.id != category.id for c in state.categories.values())


def apply_category_changes(
    state: State, category: Category, changes: dict[str, Any], is_new: bool
) -> list[str]:
    """Validate `changes` (already typed) against Category's validations; apply them if valid."""
    errors: list[str] = []
    name = str(changes.get("name", category.name) or "").strip()
    parent_id = changes.get("parent_category_id", category.parent_category_id)
    if not name:
        errors.append("Category Name can't be blank")
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(f"Category Name is too long (maximum is {MAX_NAME_LENGTH} characters)")
    elif _name_taken(state, category, name, parent_id):
        errors.append("Category Name has already been taken")
    if parent_id is not None:
        parent = state.categories.get(parent_id)
        if parent_id == category.id and not is_new:
            errors.append("A subcategory's parent cannot be itself")
        elif parent is None:
            errors.append("Parent category is invalid")
        elif parent.parent_category_id is not None:
            errors.append("You can't nest a subcategory under another")
    priority = changes.get("search_priority", category.search_priority)
    if priority not in SEARCH_PRIORITIES:
        errors.append("Search priority is not included in the list")
    slug = _resolve_slug(state, category, changes, name, parent_id, is_new, errors)
    if errors:
        return errors
    category.name, category.slug, category.parent_category_id = name, slug, parent_id
    for key in SIMPLE_KEYS:
        if key in changes:
            setattr(category, key, changes[key])
    for key in ("permissions", "form_template_ids", "allowed_tags", "allowed_tag_groups",
                "description"):
        if key in changes:
            setattr(category, key, changes[key])
    return []


def _resolve_slug(
    state: State, category: Category, changes: dict[str, Any], name: str, parent_id: int | None,
    is_new: bool, errors: list[str],
) -> str:
    """Category#ensure_slug: a given slug must be valid and free; an automatic one yields to others."""
    given = changes.get("slug")
    if given is None and not is_new and "name" not in changes:
        return category.slug
    if given not in (None, ""):
        slug = _clean_custom_slug(str(given))
        if not slug:
            errors.append("Slug is invalid")
        elif _duplicate_slug(state, slug, parent_id, None if is_new else category.id):
            errors.append("Slug is already in use")
    elif not is_new and category.slug and given is None:
        return category.slug  # Discourse keeps an existing slug when only the name changes
    else:
        slug = slug_for(name)
        if _duplicate_slug(state, slug, parent_id, None if is_new else category.id):
            slug = ""
    match = re.match(r"\A(\d+)-category", slug)
    if match and (is_new or match.group(1) != str(category.id)):
        errors.append("Slug is invalid")
    return slug


def create_category(
    state: State, changes: dict[str, Any], now: datetime, creator: User | None = None
) -> tuple[Category | None, list[str]]:
    """A new category (id taken only on success), or the validation errors."""
    draft = Category(id=0, name="", slug="", created_at=now)
    changes = {"permissions": {"everyone": FULL}, **changes}
    errors = apply_category_changes(state, draft, changes, is_new=True)
    if errors:
        return None, errors
    draft.id = state.next_id("categories")
    if "position" not in changes:
        draft.position = max((c.position for c in state.categories.values()), default=0) + 1
    state.categories[draft.id] = draft
    _create_definition(state, draft, creator or state.users.get(-1), now)
    return draft, []


# Category#post_template (category.post_template in server.en.yml): the About topic's body
# when the new category has no description.
POST_TEMPLATE = (
    "[Replace this first paragraph with a brief description of your new category. This guidance "
    "will appear in the category selection area, so try to keep it below 200 characters.]\n\n"
    "Use the following paragraphs for a longer description, or to establish category guidelines "
    "or rules:\n\n- Why should people use this category? What is it for?\n\n- How exactly is "
    "this different than the other categories we already have?\n\n- What should topics in this "
    "category generally contain?\n\n- Do we need this category? Can we merge with another "
    "category, or subcategory?\n"
)


def _create_definition(state: State, category: Category, user: User | None, now: datetime) -> None:
    """Category#create_category_definition: a pinned "About the X category" topic, no validations."""
    from discourse_sandbox.posting import add_post, new_topic

    if user is None:
        return
    topic = new_topic(state, user, f"About the {category.name} category", now, category.id)
    topic.pinned, topic.pinned_at = True, now
    post = add_post(state, topic, user, category.description or POST_TEMPLATE, now)
    category.topic_id = topic.id
    if category.description:
        category.description = post.cooked  # update_column(:description, post.cooked)


# --- JSON ------------------------------------------------------------------------------------


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
