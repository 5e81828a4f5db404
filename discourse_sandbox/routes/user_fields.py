"""Routes: the user fields admin API (Admin::UserFieldsController, under one admin prefix)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from discourse_sandbox.core.errors import invalid_parameters, not_found
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.routes.guards import current_backend, require_admin
from discourse_sandbox.serializers.user_fields import user_field_json

bp = Blueprint("user_fields", __name__)

PREFIXES = ("/admin/config/user_fields", "/admin/customize/user_fields")


def _require_admin_here() -> None:
    """AdminConstraint, and a route that exists only under this version's prefix (setting)."""
    require_admin()
    if not request.path.startswith(f"/admin/{current_backend().settings.user_fields_admin_prefix}/"):
        not_found()


def _field_params() -> dict[str, Any]:
    data = params().get("user_field")
    if not isinstance(data, dict) or not data:
        invalid_parameters("user_field")
    return data


def _index() -> Response:
    _require_admin_here()
    backend = current_backend()
    with backend.transaction():
        return json_reply({"user_fields": [user_field_json(f) for f in backend.user_fields.all()]})


def _create() -> Response:
    _require_admin_here()
    data = _field_params()
    backend = current_backend()
    with backend.transaction():
        return json_reply({"user_field": user_field_json(backend.user_fields.create(data))})


def _update(field_id: int) -> Response:
    _require_admin_here()
    data = _field_params()
    backend = current_backend()
    with backend.transaction():
        return json_reply({"user_field": user_field_json(backend.user_fields.update(field_id, data))})


def _destroy(field_id: int) -> Response:
    _require_admin_here()
    current_backend().user_fields.destroy(field_id)
    return json_reply({"success": "OK"})


for _prefix in PREFIXES:
    _name = _prefix.rsplit("/", 2)[1]
    bp.add_url_rule(_prefix, f"index_{_name}", _index, methods=["GET"])
    bp.add_url_rule(_prefix, f"create_{_name}", _create, methods=["POST"])
    bp.add_url_rule(f"{_prefix}/<int:field_id>", f"update_{_name}", _update, methods=["PUT"])
    bp.add_url_rule(f"{_prefix}/<int:field_id>", f"destroy_{_name}", _destroy, methods=["DELETE"])
