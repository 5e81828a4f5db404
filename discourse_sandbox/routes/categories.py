"""Routes: categories (CategoriesController#index, show, create, update, destroy)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from discourse_sandbox.core.errors import invalid_access, invalid_parameters
from discourse_sandbox.core.guardian import can_edit_category
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.core.params import as_bool, as_list
from discourse_sandbox.models.categories import CategoryParams
from discourse_sandbox.models.category_rules import SIMPLE_KEYS
from discourse_sandbox.routes.guards import current_backend, current_user, require_login
from discourse_sandbox.serializers.categories import category_json, category_list_json

bp = Blueprint("categories", __name__)


def _category_params(data: dict[str, Any]) -> CategoryParams:
    """category_params: the permitted keys, typed (a bad number fails the validation it belongs to)."""
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
    for key in ("allowed_tags", "allowed_tag_groups"):
        if key in data:
            changes[key] = [v for v in as_list(data[key]) if v.strip()]
    result = CategoryParams(changes)
    if isinstance(data.get("permissions"), dict):
        result.permissions = data["permissions"]
    if "form_template_ids" in data:
        ids = [v for v in as_list(data["form_template_ids"]) if v.strip()]  # Rails drops blanks
        result.form_template_ids = [int(v) for v in ids if v.isdigit()]
    return result


@bp.get("/categories")
def index() -> Response:
    """GET /categories: top-level categories (or a parent's children) the viewer may see."""
    user, data = current_user(), params()
    parent = data.get("parent_category_id")
    backend = current_backend()
    now = backend.now()
    with backend.transaction() as state:
        categories = backend.categories.index(user, str(parent) if parent not in (None, "") else None)
        return json_reply(category_list_json(state, categories, user, now,
                                             data.get("include_subcategories") == "true"))


@bp.get("/c/<key>/show")
def show(key: str) -> Response:
    """GET /c/{id}/show: one category; 404 when unseen (Guardian raises InvalidAccess → 403)."""
    user = current_user()
    backend = current_backend()
    with backend.transaction() as state:
        category = backend.categories.show(key, user)
        return json_reply({"category": category_json(state, category, user, backend.now())})


@bp.post("/categories")
def create() -> Response:
    """POST /categories (admins): name required; 422 with the model's errors."""
    user = require_login()
    if not can_edit_category(user):
        invalid_access()
    data = params()
    if data.get("name") in (None, ""):
        invalid_parameters("name")
    backend = current_backend()
    with backend.transaction() as state:
        category = backend.categories.create(user, _category_params(data))
        return json_reply({"category": category_json(state, category, user, backend.now())})


@bp.put("/categories/<key>")
def update(key: str) -> Response:
    """PUT /categories/{id} (admins): {"success": "OK", "category": {...}}."""
    user = require_login()
    data = params()
    backend = current_backend()
    with backend.transaction() as state:
        category = backend.categories.update(key, user, _category_params(data))
        return json_reply({"success": "OK", "category": category_json(state, category, user, backend.now())})


@bp.delete("/categories/<key>")
def destroy(key: str) -> Response:
    """DELETE /categories/{id} (admins; no topics, no subcategories): {"success": "OK"}."""
    user = require_login()
    current_backend().categories.destroy(key, user)
    return json_reply({"success": "OK"})
