"""Routes: the user fields admin API (Admin::UserFieldsController, under one admin prefix)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from discourse_sandbox.core.errors import fail, invalid_parameters, not_found
from discourse_sandbox.core.http import json_reply, params
from discourse_sandbox.guards import require_admin
from discourse_sandbox.serializers.user_fields import user_field_json
from discourse_sandbox.user_fields import build_user_field

bp = Blueprint("user_fields", __name__)

PREFIXES = ("/admin/config/user_fields", "/admin/customize/user_fields")


def _require_admin_here() -> None:
    """AdminConstraint, and a route that exists only under this version's prefix (setting)."""
    require_admin()
    if not request.path.startswith(f"/admin/{g.sandbox.settings.user_fields_admin_prefix}/"):
        not_found()


def _field_params() -> dict[str, Any]:
    data = params().get("user_field")
    if not isinstance(data, dict) or not data:
        invalid_parameters("user_field")
    return data


def _index() -> Response:
    _require_admin_here()
    with g.sandbox.state.transaction() as state:
        fields = sorted(state.user_fields.values(), key=lambda f: (f.position, f.id))
        return json_reply({"user_fields": [user_field_json(f) for f in fields]})


def _create() -> Response:
    _require_admin_here()
    data = _field_params()
    with g.sandbox.state.transaction() as state:
        field, errors = build_user_field(state, data)
        if field is None:
            fail(422, errors)  # render_json_error(field): no error_type
        state.user_fields[field.id] = field
        return json_reply({"user_field": user_field_json(field)})


def _update(field_id: int) -> Response:
    _require_admin_here()
    data = _field_params()
    with g.sandbox.state.transaction() as state:
        current = state.user_fields.get(field_id)
        if current is None:
            not_found()
        field, errors = build_user_field(state, data, current)
        if field is None:
            fail(422, errors)  # render_json_error(field): no error_type
        state.user_fields[field.id] = field
        return json_reply({"user_field": user_field_json(field)})


def _destroy(field_id: int) -> Response:
    _require_admin_here()
    with g.sandbox.state.transaction() as state:
        if state.user_fields.pop(field_id, None) is not None:
            for user in state.users.values():  # the custom fields go with it
                user.user_fields.pop(field_id, None)
        return json_reply({"success": "OK"})


for _prefix in PREFIXES:
    _name = _prefix.rsplit("/", 2)[1]
    bp.add_url_rule(_prefix, f"index_{_name}", _index, methods=["GET"])
    bp.add_url_rule(_prefix, f"create_{_name}", _create, methods=["POST"])
    bp.add_url_rule(f"{_prefix}/<int:field_id>", f"update_{_name}", _update, methods=["PUT"])
    bp.add_url_rule(f"{_prefix}/<int:field_id>", f"destroy_{_name}", _destroy, methods=["DELETE"])
