"""Categories as CategoriesController serves them: the list, one category, create, update, destroy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from discourse_sandbox.core.errors import fail, invalid_access, not_found
from discourse_sandbox.core.events import CategoryEvent
from discourse_sandbox.core.guardian import can_delete_category, can_edit_category, can_see_category
from discourse_sandbox.core.records import Category, User
from discourse_sandbox.core.state import State
from discourse_sandbox.models.category_rules import apply_category_changes, create_category
from discourse_sandbox.models.group_rules import resolve_permissions
from discourse_sandbox.models.site import Site


@dataclass
class CategoryParams:
    """category_params, typed; permissions and form templates are checked against the state."""

    changes: dict[str, Any] = field(default_factory=dict)
    permissions: dict[str, Any] | None = None  # group name or id -> permission type
    form_template_ids: list[int] | None = None


def find_category(state: State, key: str) -> Category:
    """CategoriesController#fetch_category: by slug, then by id; 404 when neither."""
    category = state.category_by_slug(key)
    if category is None and key.lstrip("-").isdigit():
        category = state.categories.get(int(key))
    if category is None:
        not_found()
    return category


def _resolved(state: State, params: CategoryParams) -> dict[str, Any]:
    """The changes with permissions by group name; unknown groups 422, unknown templates 404."""
    changes = dict(params.changes)
    if params.permissions is not None:
        permissions, errors = resolve_permissions(state, params.permissions)
        if errors:
            fail(422, errors)  # Group.group_id_from_param's ArgumentError, rescued by #create
        changes["permissions"] = permissions
    if params.form_template_ids is not None:
        changes["form_template_ids"] = params.form_template_ids
        if any(i not in state.form_templates for i in params.form_template_ids):
            not_found()  # the ids writer raises RecordNotFound
    return changes


class Categories:
    """CategoriesController over the site's categories."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def index(self, viewer: User | None, parent_key: str | None) -> list[Category]:
        """Top-level categories (or a parent's children) the viewer sees, by position."""
        with self.site.state.transaction() as state:
            parent_id = find_category(state, parent_key).id if parent_key is not None else None
            visible = [c for c in sorted(state.categories.values(), key=lambda c: (c.position, c.id))
                       if c.parent_category_id == parent_id and can_see_category(state, c, viewer)]
            if not self.site.settings.allow_uncategorized_topics:  # CategoryList#prune_empty
                visible = [c for c in visible if c.slug != "uncategorized"]
            return visible

    def show(self, key: str, viewer: User | None) -> Category:
        """One category; 403 when the viewer may not see it (Guardian raises InvalidAccess)."""
        with self.site.state.transaction() as state:
            category = find_category(state, key)
            if not can_see_category(state, category, viewer):
                invalid_access()
            return category

    def create(self, creator: User, params: CategoryParams) -> Category:
        """A new category and its About topic; 422 with the model's errors; category_created."""
        with self.site.state.transaction() as state:
            changes = _resolved(state, params)
            category, errors = create_category(state, changes, self.site.clock.now(), creator)
            if category is None:
                fail(422, errors)
            self.site.events.emit(CategoryEvent("category_created", category))
            return category

    def update(self, key: str, viewer: User, params: CategoryParams) -> Category:
        """Admins only; 422 with the model's errors; category_updated."""
        with self.site.state.transaction() as state:
            category = find_category(state, key)
            if not can_edit_category(viewer):
                invalid_access()
            errors = apply_category_changes(state, category, _resolved(state, params), is_new=False)
            if errors:
                fail(422, errors)
            self.site.events.emit(CategoryEvent("category_updated", category))
            return category

    def destroy(self, key: str, viewer: User) -> None:
        """Only without topics and subcategories; web hooks forget it; category_destroyed."""
        with self.site.state.transaction() as state:
            category = find_category(state, key)
            if not can_delete_category(state, category, viewer):
                invalid_access()
            self.site.events.emit(CategoryEvent("category_destroyed", category))
            del state.categories[category.id]
            for hook in state.web_hooks.values():
                hook.category_ids = [i for i in hook.category_ids if i != category.id]
