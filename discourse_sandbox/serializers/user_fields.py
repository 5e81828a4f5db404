"""UserFieldSerializer, as the admin API returns a user field."""

from __future__ import annotations

from typing import Any

from discourse_sandbox.core.records import UserField


def user_field_json(field: UserField) -> dict[str, Any]:
    """UserFieldSerializer, as the admin API returns it."""
    return {
        "id": field.id, "name": field.name, "description": field.description,
        "field_type": field.field_type, "editable": field.editable,
        "required": field.requirement != "optional", "requirement": field.requirement,
        "show_on_profile": field.show_on_profile, "show_on_user_card": field.show_on_user_card,
        "searchable": field.searchable, "position": field.position, "options": list(field.options),
    }
