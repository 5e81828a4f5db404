"""Category rules: Category's validations and slugs, creating one with its About topic."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from discourse_sandbox.core.guardian import FULL
from discourse_sandbox.core.records import SYSTEM_USER_ID, Category, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.posting import add_post, new_topic

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
    _create_definition(state, draft, creator or state.users.get(SYSTEM_USER_ID), now)
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
    if user is None:
        return
    topic = new_topic(state, user, f"About the {category.name} category", now, category.id)
    topic.pinned, topic.pinned_at = True, now
    post = add_post(state, topic, user, category.description or POST_TEMPLATE, now)
    category.topic_id = topic.id
    if category.description:
        category.description = post.cooked  # update_column(:description, post.cooked)
