"""Routes: categories (CategoriesController#index, show, create, update, destroy)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g

from discourse_sandbox.categories import SIMPLE_KEYS, apply_category_changes, create_category
from discourse_sandbox.core.errors import fail, invalid_access, invalid_parameters, not_found
from discourse_sandbox.core.events import CategoryEvent
from discourse_sandbox.core.guardian import can_delete_category, can_edit_category, can_see_category
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool, as_list
from discourse_sandbox.core.records import Category
from discourse_sandbox.core.state import State
from discourse_sandbox.routes.guards import current_user, require_login
from discourse_sandbox.serializers.categories import basic_category_json, category_json
from discourse_sandbox.tag_groups import resolve_permissions

bp = Blueprint("categories", __name__)


def _find(state: State, key: str) -> Category:
    """CategoriesController#fetch_category: by slug, then by id."""
    category = state.category_by_slug(key)
    if category is None and key.lstrip("-").isdigit():
        category = state.categories.get(int(key))
    if category is None:
        not_found()
    return category


def _changes(state: State, data: dict[str, Any]) -> dict[str, Any]:
    """category_params: the permitted keys, typed; unknown groups in permissions give a 422."""
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = "" if data["name"] is None else str(data["name"])
    if "slug" in data:
        changes["slug"] = "" if data["slug"] is None else str(data["slug"])
    if "parent_category_id" in data:
        raw = data["parent_category_id"]
        changes["parent_category_id"] = int(str(raw)) if str(raw or "").lstrip("-").isdigit() else None
    for key, kind in SIMPLE_KEYS.items():
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if kind is bool:
            changes[key] = as_bool(value)
        elif kind is int:
            try:
                changes[key] = int(str(value))
            except ValueError:
                changes[key] = -1  # fails the validation it belongs to, as Rails' cast would
        else:
            changes[key] = str(value)
    if isinstance(data.get("permissions"), dict):
        permissions, errors = resolve_permissions(state, data["permissions"])
        if errors:
            fail(422, errors)  # Group.group_id_from_param's ArgumentError, rescued by #create
        changes["permissions"] = permissions
    if "form_template_ids" in data:
        ids = [v for v in as_list(data["form_template_ids"]) if v.strip()]  # Rails drops blanks
        changes["form_template_ids"] = [int(v) for v in ids if v.isdigit()]
        if any(i not in state.form_templates for i in changes["form_template_ids"]):
            not_found()  # the ids writer raises RecordNotFound
    for key in ("allowed_tags", "allowed_tag_groups"):
        if key in data:
            changes[key] = [v for v in as_list(data[key]) if v.strip()]
    return changes


@bp.get("/categories")
def index() -> Response:
    """GET /categories: top-level categories (or a parent's children) the viewer may see."""
    state, user, data = g.sandbox.state, current_user(), params()
    now = g.sandbox.clock.now()
    with state.transaction():
        parent_id = None
        if data.get("parent_category_id") not in (None, ""):
            parent_id = _find(state, str(data["parent_category_id"])).id
        visible = [c for c in sorted(state.categories.values(), key=lambda c: (c.position, c.id))
                   if c.parent_category_id == parent_id and can_see_category(state, c, user)]
        if not g.sandbox.settings.allow_uncategorized_topics:  # CategoryList#prune_empty
            visible = [c for c in visible if c.slug != "uncategorized"]
        categories = []
        for category in visible:
            body = basic_category_json(state, category, user, now)
            if data.get("include_subcategories") == "true":
                body["subcategory_list"] = [
                    basic_category_json(state, state.categories[i], user, now)
                    for i in body["subcategory_ids"]]
            categories.append(body)
        body = {"category_list": {
            "can_create_category": can_edit_category(user),
            "can_create_topic": user is not None,
            "categories": categories,
        }}
    return json_reply(body)


@bp.get("/c/<key>/show")
def show(key: str) -> Response:
    """GET /c/{id}/show: one category; 404 when unseen (Guardian raises InvalidAccess → 403)."""
    state, user = g.sandbox.state, current_user()
    with state.transaction():
        category = _find(state, key)
        if not can_see_category(state, category, user):
            invalid_access()
        body = {"category": category_json(state, category, user, g.sandbox.clock.now())}
    return json_reply(body)


@bp.post("/categories")
def create() -> Response:
    """POST /categories (admins): name required; 422 with the model's errors."""
    user = require_login()
    if not can_edit_category(user):
        invalid_access()
    state, data = g.sandbox.state, params()
    if data.get("name") in (None, ""):
        invalid_parameters("name")
    with state.transaction():
        category, errors = create_category(state, _changes(state, data), g.sandbox.clock.now(), user)
        if category is None:
            fail(422, errors)
        body = {"category": category_json(state, category, user, g.sandbox.clock.now())}
        g.sandbox.events.emit(CategoryEvent("category_created", category))
    return json_reply(body)


@bp.put("/categories/<key>")
def update(key: str) -> Response:
    """PUT /categories/{id} (admins): {"success": "OK", "category": {...}}."""
    user = require_login()
    state, data = g.sandbox.state, params()
    with state.transaction():
        category = _find(state, key)
        if not can_edit_category(user):
            invalid_access()
        errors = apply_category_changes(state, category, _changes(state, data), is_new=False)
        if errors:
            fail(422, errors)
        body = {"success": "OK",
                "category": category_json(state, category, user, g.sandbox.clock.now())}
        g.sandbox.events.emit(CategoryEvent("category_updated", category))
    return json_reply(body)


@bp.delete("/categories/<key>")
def destroy(key: str) -> Response:
    """DELETE /categories/{id} (admins; no topics, no subcategories): {"success": "OK"}."""
    user = require_login()
    state = g.sandbox.state
    with state.transaction():
        category = _find(state, key)
        if not can_delete_category(state, category, user):
            invalid_access()
        g.sandbox.events.emit(CategoryEvent("category_destroyed", category))
        del state.categories[category.id]
        for hook in state.web_hooks.values():
            hook.category_ids = [i for i in hook.category_ids if i != category.id]
    return json_reply({"success": "OK"})
